#include "packd/fulfillment/inventory/csv.hpp"

#include <climits>
#include <stdexcept>
#include <utility>

namespace packd::fulfillment {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_usable_delimiter(char delimiter) {
    const auto byte = static_cast<unsigned char>(delimiter);
    return delimiter == '\t' || (byte >= 0x20 && byte < 0x7F && delimiter != '"');
}

constexpr const char* kDelimiterRule =
    "the CSV delimiter must be a tab or a printable ASCII character other than '\"'";

// Well-formed UTF-8 as the Unicode Standard, Table 3-7, defines it (no overlong forms, no surrogates,
// nothing above U+10FFFF), checked one byte at a time so the parser stays a single pass.
class Utf8Check {
  public:
    /// False when `byte` cannot come next.
    bool accept(unsigned char byte) {
        if (pending_ > 0) {
            if (byte < low_ || byte > high_) {
                return false;
            }
            --pending_;
            low_ = 0x80;
            high_ = 0xBF;
            return true;
        }
        if (byte <= 0x7F) {
            return true;
        }
        if (byte >= 0xC2 && byte <= 0xDF) {
            expect(1, 0x80, 0xBF);
        } else if (byte == 0xE0) {
            expect(2, 0xA0, 0xBF);
        } else if ((byte >= 0xE1 && byte <= 0xEC) || byte == 0xEE || byte == 0xEF) {
            expect(2, 0x80, 0xBF);
        } else if (byte == 0xED) {
            expect(2, 0x80, 0x9F);
        } else if (byte == 0xF0) {
            expect(3, 0x90, 0xBF);
        } else if (byte >= 0xF1 && byte <= 0xF3) {
            expect(3, 0x80, 0xBF);
        } else if (byte == 0xF4) {
            expect(3, 0x80, 0x8F);
        } else {
            return false;
        }
        return true;
    }

    /// True when no sequence is cut short.
    bool complete() const { return pending_ == 0; }

  private:
    void expect(int continuation_bytes, unsigned char low, unsigned char high) {
        pending_ = continuation_bytes;
        low_ = low;
        high_ = high;
    }

    int pending_ = 0;
    unsigned char low_ = 0x80;  // range of the next continuation byte
    unsigned char high_ = 0xBF;
};

std::string line_prefix(int line) {
    return "line " + std::to_string(line) + ": ";
}

// The RFC 4180 grammar as a state machine fed one byte at a time.
class CsvReader {
  public:
    explicit CsvReader(const CsvOptions& options) : options_(options) {}

    Status feed(char c) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0) {
            return fail("a NUL byte on line " + std::to_string(line_));
        }
        if (!utf8_.accept(byte)) {
            return fail("not valid UTF-8 on line " + std::to_string(line_));
        }
        Status status = step(c);
        // A byte belongs to the line it ends: count the line after the byte. CRLF is one line end.
        if (c == '\r' || (c == '\n' && !after_cr_)) {
            ++line_;
        }
        after_cr_ = c == '\r';
        return status;
    }

    Status finish() {
        if (!utf8_.complete()) {
            return fail("not valid UTF-8 on line " + std::to_string(line_));
        }
        switch (state_) {
            case State::RecordStart:
                return {};
            case State::Quoted:
                return fail(line_prefix(record_line_) + "unterminated quoted field (opened on line " +
                            std::to_string(quote_line_) + ")");
            case State::FieldStart:
            case State::Unquoted:
            case State::QuoteInQuoted:
                return end_record();
        }
        return {};
    }

    std::vector<CsvRow> take_rows() && { return std::move(rows_); }

  private:
    enum class State {
        RecordStart,    // nothing of a record read yet: a line end here is a blank line
        FieldStart,     // after a delimiter
        Unquoted,       // inside a field that did not start with a quote
        Quoted,         // inside a quoted field
        QuoteInQuoted,  // after a quote in a quoted field: "" is a quote, else the field is closed
    };

    static bool is_line_end(char c) { return c == '\n' || c == '\r'; }

    Status step(char c) {
        switch (state_) {
            case State::RecordStart:
                if (is_line_end(c)) {
                    return {};  // a blank line, or the LF of a CRLF that ended the last record
                }
                if (rows_.size() >= options_.max_rows) {
                    return fail(line_prefix(line_) + "more than " + std::to_string(options_.max_rows) +
                                " rows");
                }
                record_line_ = line_;
                return field_start(c);
            case State::FieldStart:
                return field_start(c);
            case State::Unquoted:
                if (c == options_.delimiter) {
                    state_ = State::FieldStart;
                    return end_field();
                }
                if (is_line_end(c)) {
                    return end_record();
                }
                if (c == '"') {
                    return fail(line_prefix(line_) + "quote inside an unquoted field");
                }
                return append(c);
            case State::Quoted:
                if (c == '"') {
                    state_ = State::QuoteInQuoted;
                    return {};
                }
                return append(c);
            case State::QuoteInQuoted:
                if (c == '"') {
                    state_ = State::Quoted;
                    return append(c);
                }
                if (c == options_.delimiter) {
                    state_ = State::FieldStart;
                    return end_field();
                }
                if (is_line_end(c)) {
                    return end_record();
                }
                return fail(line_prefix(line_) + "text after the closing quote of field " +
                            std::to_string(fields_.size() + 1));
        }
        return {};
    }

    Status field_start(char c) {
        if (c == '"') {
            state_ = State::Quoted;
            quote_line_ = line_;
            return {};
        }
        if (c == options_.delimiter) {
            state_ = State::FieldStart;
            return end_field();
        }
        if (is_line_end(c)) {
            return end_record();  // the record ends in a delimiter: its last field is empty
        }
        state_ = State::Unquoted;
        return append(c);
    }

    Status append(char c) {
        if (field_.size() >= options_.max_field_bytes) {
            return fail(line_prefix(line_) + "field " + std::to_string(fields_.size() + 1) +
                        " is longer than " + std::to_string(options_.max_field_bytes) + " bytes");
        }
        field_ += c;
        return {};
    }

    Status end_field() {
        if (fields_.size() >= options_.max_fields) {
            return fail(line_prefix(record_line_) + "more than " + std::to_string(options_.max_fields) +
                        " fields");
        }
        fields_.push_back(std::move(field_));
        field_.clear();
        return {};
    }

    Status end_record() {
        if (Status status = end_field(); !status) {
            return status;
        }
        rows_.push_back(CsvRow{record_line_, std::move(fields_)});
        fields_.clear();
        state_ = State::RecordStart;
        return {};
    }

    const CsvOptions& options_;
    Utf8Check utf8_;
    State state_ = State::RecordStart;
    int line_ = 1;
    bool after_cr_ = false;
    int record_line_ = 0;
    int quote_line_ = 0;
    std::string field_;
    std::vector<std::string> fields_;
    std::vector<CsvRow> rows_;
};

// "-5", "+3", "0.25", "-,5": a value a spreadsheet reads as a number, never as a formula. Either decimal
// mark, since ';' files come from locales that write a comma.
bool is_plain_number(std::string_view value) {
    std::size_t i = 0;
    if (i < value.size() && (value[i] == '+' || value[i] == '-')) {
        ++i;
    }
    std::size_t digits = 0;
    for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
        ++digits;
    }
    if (i < value.size() && (value[i] == '.' || value[i] == ',')) {
        ++i;
        std::size_t fraction_digits = 0;
        for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
            ++fraction_digits;
        }
        if (fraction_digits == 0) {
            return false;
        }
        digits += fraction_digits;
    }
    return digits > 0 && i == value.size();
}

// The first characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV Injection").
bool starts_like_formula(std::string_view value) {
    if (value.empty()) {
        return false;
    }
    const char first = value.front();
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

bool needs_quotes(std::string_view value, char delimiter) {
    if (value.empty()) {
        return false;
    }
    if (value.front() == ' ' || value.back() == ' ' ||
        value.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
        return true;
    }
    for (const char c : value) {
        if (c == delimiter || c == '"' || c == '\r' || c == '\n') {
            return true;
        }
    }
    return false;
}

void require_usable_delimiter(char delimiter) {
    if (!is_usable_delimiter(delimiter)) {
        throw std::invalid_argument(kDelimiterRule);
    }
}

void append_field(std::string& out, std::string_view value, char delimiter, bool neutralise_formulas) {
    std::string neutralised;
    if (neutralise_formulas && starts_like_formula(value) && !is_plain_number(value)) {
        neutralised.reserve(value.size() + 1);
        neutralised += '\'';
        neutralised += value;
        value = neutralised;
    }
    if (!needs_quotes(value, delimiter)) {
        out += value;
        return;
    }
    out += '"';
    for (const char c : value) {
        if (c == '"') {
            out += '"';  // RFC 4180 section 2, rule 7
        }
        out += c;
    }
    out += '"';
}

}  // namespace

Result<std::vector<CsvRow>> parse_csv(std::string_view text, const CsvOptions& options) {
    if (!is_usable_delimiter(options.delimiter)) {
        return fail(kDelimiterRule);
    }
    // Line numbers are int; a stock file this large is a mistake anyway.
    if (text.size() >= static_cast<std::size_t>(INT_MAX)) {
        return fail("a CSV file of 2 GiB or more is not accepted");
    }
    if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
        text.remove_prefix(kByteOrderMark.size());
    }
    CsvReader reader(options);
    for (const char c : text) {
        if (Status status = reader.feed(c); !status) {
            return status.error();
        }
    }
    if (Status status = reader.finish(); !status) {
        return status.error();
    }
    return std::move(reader).take_rows();
}

std::string csv_field(std::string_view value, char delimiter, bool neutralise_formulas) {
    require_usable_delimiter(delimiter);
    std::string out;
    append_field(out, value, delimiter, neutralise_formulas);
    return out;
}

std::string csv_line(const std::vector<std::string>& fields, char delimiter, bool neutralise_formulas) {
    require_usable_delimiter(delimiter);
    std::string out;
    if (fields.size() == 1 && fields.front().empty()) {
        out = "\"\"";  // an empty line would be read as a blank line, not as one empty field
    } else {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i > 0) {
                out += delimiter;
            }
            append_field(out, fields[i], delimiter, neutralise_formulas);
        }
    }
    out += "\r\n";
    return out;
}

}  // namespace packd::fulfillment
