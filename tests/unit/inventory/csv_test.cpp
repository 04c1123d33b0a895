#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/inventory/csv.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::string_view_literals;

using Records = std::vector<std::vector<std::string>>;

Records fields_of(const std::vector<CsvRow>& rows) {
    Records out;
    for (const CsvRow& row : rows) {
        out.push_back(row.fields);
    }
    return out;
}

std::vector<int> lines_of(const std::vector<CsvRow>& rows) {
    std::vector<int> out;
    for (const CsvRow& row : rows) {
        out.push_back(row.line);
    }
    return out;
}

// The records, or a failed expectation that shows the error.
Records parsed(std::string_view text, const CsvOptions& options = {}) {
    auto rows = parse_csv(text, options);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    return rows.ok() ? fields_of(*rows) : Records{};
}

// The error message, or a failed expectation when the text parses.
std::string error_of(std::string_view text, const CsvOptions& options = {}) {
    auto rows = parse_csv(text, options);
    EXPECT_FALSE(rows.ok());
    return rows.ok() ? std::string() : rows.error().message;
}

// RFC 4180 section 2, rule 1: each record is on its own line, ended by CRLF.
TEST(CsvParse, Rfc4180Rule1RecordsEndInCrlf) {
    EXPECT_EQ(parsed("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n"),
              (Records{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
}

// Rule 2: the last record may or may not end in a line break.
TEST(CsvParse, Rfc4180Rule2LastLineEndIsOptional) {
    EXPECT_EQ(parsed("aaa,bbb,ccc\r\nzzz,yyy,xxx"), (Records{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
    EXPECT_EQ(parsed("aaa"), (Records{{"aaa"}}));
}

// Rule 3: an optional header line has the same format as a record (the importer decides what it means).
TEST(CsvParse, Rfc4180Rule3HeaderIsARecord) {
    EXPECT_EQ(
        parsed("field_name,field_name,field_name\r\naaa,bbb,ccc\r\nzzz,yyy,xxx\r\n"),
        (Records{{"field_name", "field_name", "field_name"}, {"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
}

// Rule 4: spaces are part of a field and are not ignored; the last field is not followed by a delimiter.
TEST(CsvParse, Rfc4180Rule4SpacesArePartOfAField) {
    EXPECT_EQ(parsed(" aaa , bbb,ccc \r\n"), (Records{{" aaa ", " bbb", "ccc "}}));
    EXPECT_EQ(parsed("aaa,bbb,\r\n"), (Records{{"aaa", "bbb", ""}}));  // a trailing delimiter: one more field
}

// Rule 5: any field may be enclosed in double quotes.
TEST(CsvParse, Rfc4180Rule5QuotedFields) {
    EXPECT_EQ(parsed("\"aaa\",\"bbb\",\"ccc\"\r\nzzz,yyy,xxx"),
              (Records{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
    EXPECT_EQ(parsed("\"\",\"a,b\",\"\"\r\n"), (Records{{"", "a,b", ""}}));
}

// Rule 6: line breaks, double quotes and commas inside a field need the field quoted.
TEST(CsvParse, Rfc4180Rule6LineBreakInsideQuotes) {
    EXPECT_EQ(parsed("\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx"),
              (Records{{"aaa", "b\r\nbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
}

// Rule 7: a double quote inside a quoted field is written twice.
TEST(CsvParse, Rfc4180Rule7DoubledQuotes) {
    EXPECT_EQ(parsed("\"aaa\",\"b\"\"bb\",\"ccc\""), (Records{{"aaa", "b\"bb", "ccc"}}));
    EXPECT_EQ(parsed("\"\"\"\"\r\n"), (Records{{"\""}}));
}

TEST(CsvParse, EmptyInputHasNoRecords) {
    EXPECT_EQ(parsed(""), Records{});
    EXPECT_EQ(parsed("\xEF\xBB\xBF"), Records{});
    EXPECT_EQ(parsed("\n\r\n\n"), Records{});
}

TEST(CsvParse, ByteOrderMarkAtTheStartIsDropped) {
    auto rows = parse_csv("\xEF\xBB\xBFsku,qty\r\nA-1,5\r\n");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{{"sku", "qty"}, {"A-1", "5"}}));
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2}));
    // Anywhere else U+FEFF is text like any other.
    EXPECT_EQ(parsed("a\n\xEF\xBB\xBF"
                     "b\n"),
              (Records{{"a"},
                       {"\xEF\xBB\xBF"
                        "b"}}));
}

TEST(CsvParse, LineEndsCrlfLfAndMixed) {
    const Records expected{{"a", "1"}, {"b", "2"}, {"c", "3"}};
    EXPECT_EQ(parsed("a,1\nb,2\nc,3\n"), expected);
    EXPECT_EQ(parsed("a,1\r\nb,2\r\nc,3\r\n"), expected);
    EXPECT_EQ(parsed("a,1\r\nb,2\nc,3"), expected);
    auto rows = parse_csv("a,1\r\nb,2\nc,3");
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2, 3}));
}

TEST(CsvParse, LoneCarriageReturnEndsALineOutsideQuotesAndIsDataInside) {
    // Classic Mac line ends, as some spreadsheet exports still write them.
    auto rows = parse_csv("a,1\rb,2\r");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{{"a", "1"}, {"b", "2"}}));
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2}));

    rows = parse_csv("\"x\ry\",1\r\nnext,2\r\n");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{{"x\ry", "1"}, {"next", "2"}}));
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 3}));  // an editor shows the lone CR as a line break
}

TEST(CsvParse, EmbeddedLineBreaksKeepLaterLineNumbersRight) {
    const std::string text =
        "sku,qty,location,lot,note\n"          // line 1
        "A-1,5,R1-S2,L7,\"two\nlines\"\n"      // lines 2-3
        "A-2,1,R1-S3,L8,\"three\r\n\r\n\"\n"   // lines 4-6; the blank line inside is data
        "\n"                                   // line 7: blank
        "A-3,2,R2-S1,L9,\"\"\"quoted\"\"\"\n"  // line 8
        "A-4,3,R2-S2,L9,\"\n"                  // lines 9-10
        "\"\n";
    auto rows = parse_csv(text);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{1, 2, 4, 8, 9}));
    EXPECT_EQ((*rows)[1].fields[4], "two\nlines");
    EXPECT_EQ((*rows)[2].fields[4], "three\r\n\r\n");
    EXPECT_EQ((*rows)[3].fields[4], "\"quoted\"");
    EXPECT_EQ((*rows)[4].fields[4], "\n");
}

TEST(CsvParse, SemicolonAndTabDelimiters) {
    CsvOptions semicolon;
    semicolon.delimiter = ';';
    // A European spreadsheet export: decimal commas stay inside their field.
    EXPECT_EQ(parsed("sku;qty;weight\r\nA-1;5;0,25\r\n\"B;2\";1;\"1,5\"\r\n", semicolon),
              (Records{{"sku", "qty", "weight"}, {"A-1", "5", "0,25"}, {"B;2", "1", "1,5"}}));

    CsvOptions tab;
    tab.delimiter = '\t';
    EXPECT_EQ(parsed("sku\tqty\nA,1\t5\n\"B\t2\"\t\t\n", tab),
              (Records{{"sku", "qty"}, {"A,1", "5"}, {"B\t2", "", ""}}));
}

TEST(CsvParse, BlankLinesAreSkipped) {
    auto rows = parse_csv("\n\r\nsku,qty\n\nA-1,5\r\n\r\n\nA-2,6\n\n");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{{"sku", "qty"}, {"A-1", "5"}, {"A-2", "6"}}));
    EXPECT_EQ(lines_of(*rows), (std::vector<int>{3, 5, 8}));
    // A line of delimiters, a space or "" is a record, not a blank line.
    EXPECT_EQ(parsed(",,\n \n\"\"\n"), (Records{{"", "", ""}, {" "}, {""}}));
}

TEST(CsvParse, UnicodeTextPassesThrough) {
    EXPECT_EQ(parsed("Müller,Łódź,東京,\xF0\x9F\x93\xA6\n"),
              (Records{{"Müller", "Łódź", "東京", "\xF0\x9F\x93\xA6"}}));
}

TEST(CsvParseErrors, QuoteInsideAnUnquotedField) {
    EXPECT_EQ(error_of("sku,qty\n1,2\n3,4\n5,6\n7,8\n9,10\nA-7,5 \"inch\"\n"),
              "line 7: quote inside an unquoted field");
    EXPECT_EQ(error_of(" \"a\"\n"), "line 1: quote inside an unquoted field");  // a space opens a plain field
}

TEST(CsvParseErrors, TextAfterTheClosingQuote) {
    EXPECT_EQ(error_of("a,b\n\"x\"y,z\n"), "line 2: text after the closing quote of field 1");
    EXPECT_EQ(error_of("a,\"b\" ,c\n"), "line 1: text after the closing quote of field 2");
}

TEST(CsvParseErrors, UnterminatedQuotedField) {
    std::string text;
    for (int i = 1; i <= 11; ++i) {
        text += "A-" + std::to_string(i) + ",1\n";
    }
    EXPECT_EQ(error_of(text + "A-12,\"5\n"), "line 12: unterminated quoted field (opened on line 12)");
    // The record starts on line 1, the quote that never closes opens on line 2 and runs to the end of the
    // file.
    EXPECT_EQ(error_of("\"a\nb\",\"c\nd,e\nf,g\n"), "line 1: unterminated quoted field (opened on line 2)");
    EXPECT_EQ(error_of("\""), "line 1: unterminated quoted field (opened on line 1)");
}

TEST(CsvParseErrors, FieldLongerThanTheLimit) {
    const std::string long_field(4097, 'x');
    EXPECT_EQ(error_of("sku,qty\nA-1,1\nA-2," + long_field + "\n"),
              "line 3: field 2 is longer than 4096 bytes");
    EXPECT_EQ(error_of("a,\"" + long_field + "\"\n"), "line 1: field 2 is longer than 4096 bytes");
}

TEST(CsvParseErrors, MoreFieldsThanTheLimit) {
    std::string wide = "x";
    for (int i = 1; i < 257; ++i) {
        wide += ",x";
    }
    EXPECT_EQ(error_of("a\nb\nc\nd\n" + wide + "\n"), "line 5: more than 256 fields");
    EXPECT_EQ(error_of("a\nb\nc\nd\n" + wide), "line 5: more than 256 fields");  // no line end
}

TEST(CsvParseErrors, NotValidUtf8) {
    const std::string eight_lines = "1\n2\n3\n4\n5\n6\n7\n8\n";
    EXPECT_EQ(error_of(eight_lines + "M\xFCller,1\n"), "not valid UTF-8 on line 9");  // Latin-1, not UTF-8
    EXPECT_EQ(error_of("a\n\xC0\xAF\n"), "not valid UTF-8 on line 2");                // overlong '/'
    EXPECT_EQ(error_of("\xED\xA0\x80"), "not valid UTF-8 on line 1");                 // a surrogate
    EXPECT_EQ(error_of("\xF4\x90\x80\x80"), "not valid UTF-8 on line 1");             // above U+10FFFF
    EXPECT_EQ(error_of("a\nb\xC3"), "not valid UTF-8 on line 2");                     // cut short at the end
    EXPECT_EQ(error_of("\"b\xC3\"\n"), "not valid UTF-8 on line 1");                  // cut short by a quote
    EXPECT_EQ(error_of("\"a\nb\n\x80\""), "not valid UTF-8 on line 3");               // inside a quoted field
}

TEST(CsvParseErrors, NulByte) {
    EXPECT_EQ(error_of("sku\n1\n2\nA\0,1\n"sv), "a NUL byte on line 4");
    EXPECT_EQ(error_of("\"a\n\0\""sv), "a NUL byte on line 2");
}

TEST(CsvParseErrors, MoreRowsThanTheLimit) {
    CsvOptions options;
    options.max_rows = 2;
    EXPECT_EQ(parsed("a\n\nb\n\n", options), (Records{{"a"}, {"b"}}));
    EXPECT_EQ(error_of("a\n\nb\n\nc\n", options), "line 5: more than 2 rows");
}

TEST(CsvParseErrors, StopsAtTheFirstError) {
    EXPECT_EQ(error_of("a,b\nc\"d\n\"never closed\n"), "line 2: quote inside an unquoted field");
    EXPECT_EQ(error_of("a\"\n\0"sv), "line 1: quote inside an unquoted field");
}

TEST(CsvParseErrors, UnusableDelimiterIsRefused) {
    for (const char delimiter : {'"', '\n', '\r', '\0', '\x80'}) {
        CsvOptions options;
        options.delimiter = delimiter;
        EXPECT_EQ(error_of("a", options),
                  "the CSV delimiter must be a tab or a printable ASCII character other than '\"'");
    }
}

TEST(CsvParse, LimitsAreInclusive) {
    const std::string full_field(4096, 'x');
    EXPECT_EQ(parsed("\"" + full_field + "\"\n"), (Records{{full_field}}));
    // "" counts as the one quote it stands for.
    const std::string quotes(2 * 4096, '"');
    EXPECT_EQ(parsed("\"" + quotes + "\""), (Records{{std::string(4096, '"')}}));
    EXPECT_EQ(error_of("\"" + quotes + "\"\"\""), "line 1: field 1 is longer than 4096 bytes");

    std::string wide = "x";
    for (int i = 1; i < 256; ++i) {
        wide += ",x";
    }
    auto rows = parse_csv(wide + "\n");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ((*rows)[0].fields.size(), 256U);
}

TEST(CsvParse, SmallLimitsFromOptions) {
    CsvOptions options;
    options.max_field_bytes = 3;
    options.max_fields = 2;
    EXPECT_EQ(parsed("abc,def\n", options), (Records{{"abc", "def"}}));
    EXPECT_EQ(error_of("abc,defg\n", options), "line 1: field 2 is longer than 3 bytes");
    EXPECT_EQ(error_of("a,b,c\n", options), "line 1: more than 2 fields");
    EXPECT_EQ(error_of("a,b,\n", options), "line 1: more than 2 fields");
}

TEST(CsvWrite, QuotesOnlyWhatNeedsQuotes) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("a;b"), "a;b");
    EXPECT_EQ(csv_field("a;b", ';'), "\"a;b\"");
    EXPECT_EQ(csv_field("a\tb", '\t'), "\"a\tb\"");
    EXPECT_EQ(csv_field("5\" screen"), "\"5\"\" screen\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
    EXPECT_EQ(csv_field(" lead"), "\" lead\"");
    EXPECT_EQ(csv_field("trail "), "\"trail \"");
    EXPECT_EQ(csv_field("in side"), "in side");
    EXPECT_EQ(csv_field("\xEF\xBB\xBFx"), "\"\xEF\xBB\xBFx\"");
}

TEST(CsvWrite, LineEndsInCrlf) {
    EXPECT_EQ(csv_line({"sku", "qty", "location"}), "sku,qty,location\r\n");
    EXPECT_EQ(csv_line({"A,1", "5", ""}, ','), "\"A,1\",5,\r\n");
    EXPECT_EQ(csv_line({"A,1", "5"}, ';'), "A,1;5\r\n");
    EXPECT_EQ(csv_line({""}), "\"\"\r\n");  // not a blank line
    EXPECT_EQ(csv_line({"", ""}), ",\r\n");
    EXPECT_EQ(csv_line({}), "\r\n");
}

TEST(CsvWrite, FormulasAreNeutralisedButNumbersStayNumbers) {
    EXPECT_EQ(csv_field("=1+1"), "'=1+1");
    EXPECT_EQ(csv_field("+1+1"), "'+1+1");
    EXPECT_EQ(csv_field("-1+1"), "'-1+1");
    EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(csv_field("\tx"), "'\tx");
    EXPECT_EQ(csv_field("\rx"), "\"'\rx\"");
    EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    EXPECT_EQ(csv_field("-"), "'-");
    EXPECT_EQ(csv_field("-5."), "'-5.");
    EXPECT_EQ(csv_field("-1e5"), "'-1e5");

    EXPECT_EQ(csv_field("-5"), "-5");
    EXPECT_EQ(csv_field("+5"), "+5");
    EXPECT_EQ(csv_field("-0.25"), "-0.25");
    EXPECT_EQ(csv_field("-.5"), "-.5");
    EXPECT_EQ(csv_field("-0,25", ';'), "-0,25");
    EXPECT_EQ(csv_field("-0,25"), "\"-0,25\"");
    EXPECT_EQ(csv_field("5"), "5");
    EXPECT_EQ(csv_field("a=b"), "a=b");

    EXPECT_EQ(csv_field("=1+1", ',', false), "=1+1");
    EXPECT_EQ(csv_line({"=1+1", "-5", "@x"}), "'=1+1,-5,'@x\r\n");
    EXPECT_EQ(csv_line({"=1+1", "-5", "@x"}, ',', false), "=1+1,-5,@x\r\n");

    auto rows = parse_csv(csv_line({"=1+1", "-5"}));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{{"'=1+1", "-5"}}));
}

TEST(CsvWrite, UnusableDelimiterThrows) {
    EXPECT_THROW((void)csv_field("a", '"'), std::invalid_argument);
    EXPECT_THROW((void)csv_line({"a"}, '\n'), std::invalid_argument);
}

TEST(CsvRoundTrip, TrickyFieldsComeBackUnchanged) {
    const std::vector<std::string> tricky{"",
                                          "plain",
                                          "a,b",
                                          "a;b",
                                          "a\tb",
                                          "\"",
                                          "\"\"",
                                          "say \"hi\"",
                                          "\"quoted\"",
                                          "two\nlines",
                                          "two\r\nlines",
                                          "cr\ronly",
                                          "\n",
                                          "\r",
                                          " ",
                                          " lead",
                                          "trail ",
                                          "=1+1",
                                          "+1",
                                          "-5",
                                          "@SUM(A1:A9)",
                                          "\t=x",
                                          "'already",
                                          "Müller 東京 \xF0\x9F\x93\xA6",
                                          "\xEF\xBB\xBF"
                                          "bom",
                                          "a,\"b\"\r\n;c"};
    for (const char delimiter : {',', ';', '\t'}) {
        CsvOptions options;
        options.delimiter = delimiter;
        // Each value alone, as the first field, as a middle field and as the last one.
        std::string text;
        Records expected;
        for (const std::string& value : tricky) {
            const std::vector<std::vector<std::string>> records{
                {value}, {value, "x"}, {"x", value, "y"}, {"x", value}};
            for (const auto& record : records) {
                text += csv_line(record, delimiter, false);
                expected.push_back(record);
            }
        }
        EXPECT_EQ(parsed(text, options), expected) << "delimiter " << static_cast<int>(delimiter);
        // The whole set as one record, and as the very first record of a file (the byte order mark case).
        EXPECT_EQ(parsed(csv_line(tricky, delimiter, false), options), (Records{tricky}));
        for (const std::string& value : tricky) {
            EXPECT_EQ(parsed(csv_line({value}, delimiter, false), options), (Records{{value}}))
                << "value \"" << value << "\"";
        }
    }
}

TEST(CsvRoundTrip, NeutralisedFormulasComeBackWithTheirApostrophe) {
    const std::vector<std::string> values{"=1+1", "-5", "+3.5", "@x", "\t=x", "\r=x", "-", "safe", "-1-1"};
    const std::vector<std::string> expected{"'=1+1", "-5", "+3.5", "'@x",  "'\t=x",
                                            "'\r=x", "'-", "safe", "'-1-1"};
    auto rows = parse_csv(csv_line(values));
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(fields_of(*rows), (Records{expected}));
}

}  // namespace
}  // namespace packd::fulfillment
