#pragma once
// CSV as RFC 4180 writes it, with the tolerances supplier files need: stock imports from supplier
// spreadsheets (`packctl import stock FILE.csv`) and stock exports that open safely in a spreadsheet.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

/// One record of a CSV file, with the line an admin finds it on in an editor.
struct CsvRow {
    int line = 0;  // 1-based physical line where the record starts
    std::vector<std::string> fields;
};

/// How a CSV file is split, and how much of it an import accepts.
struct CsvOptions {
    char delimiter = ',';                ///< ',' by default; ';' for European spreadsheet exports, or '\t'
    std::size_t max_field_bytes = 4096;  ///< 4096 by default: bytes of one field, after "" becomes "
    std::size_t max_fields = 256;        ///< 256 by default: fields of one record
    std::size_t max_rows = 1000000;      ///< 1000000 by default: records of one file, the header included
};

/// Splits `text` into records, for imports. RFC 4180 plus: an optional UTF-8 byte order mark (dropped), lines
/// that end in CRLF, LF or a lone CR (any of them is data inside quotes), an optional last line end, blank
/// lines skipped, and the delimiter from `options`. The text must be UTF-8 without NUL bytes. Stops at the
/// first structural error, e.g. "line 7: quote inside an unquoted field"; a problem with one record (too
/// many fields, a quote never closed) names the line the record starts on, any other the line of the byte.
Result<std::vector<CsvRow>> parse_csv(std::string_view text, const CsvOptions& options = {});

/// One field as a CSV file writes it, for exports: quoted when it holds the delimiter, a quote, CR or LF,
/// starts or ends with a space, or starts with U+FEFF (which a reader would take for a byte order mark);
/// quotes inside are doubled. With `neutralise_formulas`, a value that a spreadsheet
/// would run as a formula (it starts with '=', '+', '-', '@', tab or CR and is not a plain number such as
/// "-5" or "+0.25") gets a leading apostrophe first. Throws std::invalid_argument for a delimiter that
/// parse_csv would refuse.
std::string csv_field(std::string_view value, char delimiter = ',', bool neutralise_formulas = true);

/// One record for an export: each field as csv_field writes it, joined by `delimiter`, ending in CRLF
/// (RFC 4180 section 2, rule 1). A lone empty field is written as "" so its line is not blank; an empty
/// list gives a blank line, which parse_csv skips.
std::string csv_line(const std::vector<std::string>& fields, char delimiter = ',',
                     bool neutralise_formulas = true);

}  // namespace packd::fulfillment
