// Supplier CSV files on their way into a stock import (fulfillment/inventory/src/csv.cpp, parse_csv), and the
// writer for stock exports (csv_line). Every input is read with ',', ';' and tab, and once with small limits,
// so the limit checks are reached without megabyte inputs.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/fulfillment/inventory/csv.hpp"

namespace {

using packd::fulfillment::CsvOptions;
using packd::fulfillment::CsvRow;
using packd::fuzz::check;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Physical lines as an editor counts them: LF, CRLF and a lone CR each end one. Independent of the parser.
int count_lines(std::string_view text) {
    int lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) {
            ++lines;
        }
    }
    return lines;
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

std::vector<std::vector<std::string>> fields_of(const std::vector<CsvRow>& rows) {
    std::vector<std::vector<std::string>> out;
    out.reserve(rows.size());
    for (const CsvRow& row : rows) {
        out.push_back(row.fields);
    }
    return out;
}

bool is_formula_start(char c) {
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

// The documented exception to neutralising: [+-]digits[(.|,)digits], or with no digits before the mark.
bool is_plain_number(std::string_view value) {
    std::size_t i = 0;
    if (i < value.size() && (value[i] == '+' || value[i] == '-')) {
        ++i;
    }
    const std::size_t whole_start = i;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
        ++i;
    }
    const bool whole = i > whole_start;
    if (i == value.size()) {
        return whole;
    }
    if (value[i] != '.' && value[i] != ',') {
        return false;
    }
    const std::size_t fraction_start = ++i;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
        ++i;
    }
    return i == value.size() && i > fraction_start;
}

// The properties of one successful parse of `text` with `options`.
void check_rows(std::string_view text, const std::vector<CsvRow>& rows, const CsvOptions& options) {
    std::string_view body = text;
    if (starts_with(body, kByteOrderMark)) {
        body.remove_prefix(kByteOrderMark.size());
    }
    check(packd::fuzz::is_strict_utf8(body), "only well-formed UTF-8 is accepted", text);
    check(body.find('\0') == std::string_view::npos, "no NUL byte is accepted", text);
    check(rows.size() <= options.max_rows, "no more rows than max_rows", text);

    const int last_line = count_lines(body);
    int previous_line = 0;
    for (const CsvRow& row : rows) {
        check(row.line > previous_line, "row line numbers are strictly increasing", text);
        check(row.line <= last_line, "a row starts on a line the file has", text);
        previous_line = row.line;
        check(!row.fields.empty(), "a row has at least one field", text);
        check(row.fields.size() <= options.max_fields, "no more fields than max_fields", text);
        for (const std::string& field : row.fields) {
            check(field.size() <= options.max_field_bytes, "no field longer than max_field_bytes", field);
        }
    }

    // Written back without the formula apostrophe, the rows read back to the same fields.
    std::string written;
    for (const CsvRow& row : rows) {
        written += packd::fulfillment::csv_line(row.fields, options.delimiter, false);
    }
    auto again = packd::fulfillment::parse_csv(written, options);
    check(again.ok(), "the rows written back parse again", written);
    check(fields_of(*again) == fields_of(rows), "the rows written back read back the same", written);

    // Written for a spreadsheet, each field reads back as itself, or after an apostrophe when it is a
    // formula.
    std::string neutralised;
    for (const CsvRow& row : rows) {
        neutralised += packd::fulfillment::csv_line(row.fields, options.delimiter, true);
    }
    CsvOptions roomy = options;
    roomy.max_field_bytes = options.max_field_bytes + 1;
    auto safe = packd::fulfillment::parse_csv(neutralised, roomy);
    check(safe.ok(), "the rows written for a spreadsheet parse again", neutralised);
    check(safe->size() == rows.size(), "the rows written for a spreadsheet keep their count", neutralised);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& before = rows[r].fields;
        const auto& after = (*safe)[r].fields;
        check(after.size() == before.size(), "the rows written for a spreadsheet keep their fields",
              neutralised);
        for (std::size_t f = 0; f < before.size(); ++f) {
            const std::string& value = before[f];
            const bool formula = !value.empty() && is_formula_start(value.front()) && !is_plain_number(value);
            check(after[f] == (formula ? "'" + value : value),
                  "exactly the values that start like a formula and are no plain number get an apostrophe",
                  after[f]);
        }
    }
}

void check_error(const std::string& message) {
    check(starts_with(message, "line ") || starts_with(message, "not valid UTF-8 on line ") ||
              starts_with(message, "a NUL byte on line "),
          "an error names the line", message);
}

void check_input(std::string_view text) {
    std::vector<std::vector<std::string>> comma_fields;
    bool comma_ok = false;
    for (const char delimiter : {',', ';', '\t'}) {
        CsvOptions options;
        options.delimiter = delimiter;
        auto rows = packd::fulfillment::parse_csv(text, options);
        if (rows.ok()) {
            check_rows(text, *rows, options);
        } else {
            check_error(rows.error().message);
        }
        if (delimiter == ',') {
            comma_ok = rows.ok();
            if (comma_ok) {
                comma_fields = fields_of(*rows);
            }
        }
    }

    // Limits only refuse: what parses within small limits parses the same within the defaults.
    CsvOptions small;
    small.max_field_bytes = 8;
    small.max_fields = 4;
    small.max_rows = 4;
    auto rows = packd::fulfillment::parse_csv(text, small);
    if (rows.ok()) {
        check_rows(text, *rows, small);
        check(comma_ok && fields_of(*rows) == comma_fields, "raising the limits keeps what parsed", text);
    } else {
        check_error(rows.error().message);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        check_input(text);
    } catch (const std::exception& error) {
        check(false, "reading and writing CSV never throws", error.what());
    }
    return 0;
}
