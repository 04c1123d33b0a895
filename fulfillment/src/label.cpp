// The parts of the label model both outputs share: sizes, UTF-8 handling, text fitting, GS1 element
// strings, barcode encoding and placement, and validation.

#include "packd/fulfillment/label.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <utility>

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';
constexpr std::string_view kEllipsis = "...";

// ---- UTF-8 --------------------------------------------------------------------------------------------

struct Utf8Step {
    char32_t code_point;
    std::size_t length;
    bool well_formed;
};

// Reads one code point at `pos`, accepting exactly the well-formed sequences of Unicode Table 3-7 (no
// overlong forms, no surrogates, nothing above U+10FFFF).
Utf8Step utf8_step(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    const Utf8Step ill_formed{U'?', 1, false};
    if (lead < 0x80) {
        return {lead, 1, true};
    }
    std::size_t length = 0;
    char32_t code_point = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code_point = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code_point = lead & 0x0Fu;
        low = lead == 0xE0 ? 0xA0 : low;
        high = lead == 0xED ? 0x9F : high;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code_point = lead & 0x07u;
        low = lead == 0xF0 ? 0x90 : low;
        high = lead == 0xF4 ? 0x8F : high;
    } else {
        return ill_formed;
    }
    if (pos + length > text.size()) {
        return ill_formed;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[pos + i]);
        const unsigned char min = i == 1 ? low : 0x80;
        const unsigned char max = i == 1 ? high : 0xBF;
        if (byte < min || byte > max) {
            return ill_formed;
        }
        code_point = (code_point << 6) | (byte & 0x3Fu);
    }
    return {code_point, length, true};
}

// ---- Text fitting -------------------------------------------------------------------------------------

std::string_view trim_trailing_spaces(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// `text` must be well-formed UTF-8. Cuts on code point boundaries and searches for the longest prefix that
// fits with the ellipsis; widths only grow with the prefix, so a binary search finds it.
std::string fit_to_width(const std::string& text, int height, bool bold, int limit) {
    if (text.empty() || text_width_dots(text, height, bold) <= limit) {
        return text;
    }
    std::vector<std::size_t> prefix_ends{0};
    for (std::size_t pos = 0; pos < text.size();) {
        pos += utf8_step(text, pos).length;
        prefix_ends.push_back(pos);
    }
    const auto with_ellipsis = [&](std::size_t count) {
        std::string candidate(trim_trailing_spaces(std::string_view(text).substr(0, prefix_ends[count])));
        candidate += kEllipsis;
        return candidate;
    };
    if (text_width_dots(with_ellipsis(0), height, bold) > limit) {
        // Not even the ellipsis fits; show as much of it as does.
        std::string dots(kEllipsis);
        while (!dots.empty() && text_width_dots(dots, height, bold) > limit) {
            dots.pop_back();
        }
        return dots;
    }
    std::size_t fits = 0;                           // with_ellipsis(fits) fits
    std::size_t too_wide = prefix_ends.size() - 1;  // the whole text does not
    while (too_wide - fits > 1) {
        const std::size_t middle = fits + (too_wide - fits) / 2;
        if (text_width_dots(with_ellipsis(middle), height, bold) <= limit) {
            fits = middle;
        } else {
            too_wide = middle;
        }
    }
    return with_ellipsis(fits);
}

// ---- GS1 element strings (GS1 General Specifications, section 3) ---------------------------------------

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_printable_ascii(char c) {
    return c >= 0x20 && c <= 0x7E;
}

bool all_digits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), is_digit);
}

// The number of digits of an AI, decided by its first two digits; 0 when no AI starts that way.
int ai_length_from_prefix(int prefix) {
    if (prefix <= 4 || (prefix >= 10 && prefix <= 22) || prefix == 30 || prefix == 37 || prefix >= 90) {
        return 2;
    }
    if ((prefix >= 23 && prefix <= 25) || (prefix >= 40 && prefix <= 42) || prefix == 71) {
        return 3;
    }
    if ((prefix >= 31 && prefix <= 36) || prefix == 39 || prefix == 43 || prefix == 70 || prefix == 72 ||
        (prefix >= 80 && prefix <= 82)) {
        return 4;
    }
    return 0;
}

// Data length of the AIs in the table of predefined lengths (General Specifications figure 5.10.1-2);
// 0 for variable-length AIs, which need an FNC1 after them unless they come last.
int predefined_data_length(std::string_view ai) {
    if (ai.size() < 2 || !is_digit(ai[0]) || !is_digit(ai[1])) {
        return 0;
    }
    const int prefix = (ai[0] - '0') * 10 + (ai[1] - '0');
    if (prefix == 0) {
        return 18;
    }
    if (prefix >= 1 && prefix <= 3) {
        return 14;
    }
    if (prefix == 4) {
        return 16;
    }
    if (prefix >= 11 && prefix <= 19) {
        return 6;
    }
    if (prefix == 20) {
        return 2;
    }
    if (prefix >= 31 && prefix <= 36) {
        return 6;
    }
    if (prefix == 41) {
        return 13;
    }
    return 0;
}

// GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
bool in_character_set_82(char c) {
    if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
        return true;
    }
    return std::string_view("!\"%&'()*+,-./:;<=>?_").find(c) != std::string_view::npos;
}

// The GS1 modulo 10 check digit over all digits but the last (General Specifications 7.9.1).
bool has_valid_check_digit(std::string_view digits) {
    int sum = 0;
    int weight = 3;
    for (std::size_t i = digits.size() - 1; i-- > 0;) {
        sum += (digits[i] - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10 == digits.back() - '0';
}

Status check_element(const Gs1Element& element) {
    const std::string where = "GS1 element (" + element.ai + ")";
    if (element.ai.size() < 2 || !all_digits(element.ai)) {
        return fail("GS1 application identifier '" + element.ai + "' is not 2 to 4 digits");
    }
    const int prefix = (element.ai[0] - '0') * 10 + (element.ai[1] - '0');
    const int ai_length = ai_length_from_prefix(prefix);
    if (ai_length == 0) {
        return fail(where + ": no GS1 application identifier starts with " + element.ai.substr(0, 2));
    }
    if (static_cast<int>(element.ai.size()) != ai_length) {
        return fail(where + ": application identifiers starting with " + element.ai.substr(0, 2) + " have " +
                    std::to_string(ai_length) + " digits");
    }
    if (element.data.empty()) {
        return fail(where + " has no data");
    }
    const int fixed = predefined_data_length(element.ai);
    if (fixed > 0) {
        if (static_cast<int>(element.data.size()) != fixed || !all_digits(element.data)) {
            return fail(where + " needs exactly " + std::to_string(fixed) + " digits, got '" + element.data +
                        "'");
        }
        const bool has_check_digit = prefix <= 3 || prefix == 41;
        if (has_check_digit && !has_valid_check_digit(element.data)) {
            return fail(where + ": check digit of " + element.data + " is wrong");
        }
    } else if (element.data.size() > 70) {
        return fail(where + " has more than 70 characters of data");
    }
    for (const char c : element.data) {
        if (!in_character_set_82(c)) {
            return fail(where + " holds a character outside the GS1 character set: '" +
                        well_formed_utf8(element.data) + "'");
        }
    }
    return {};
}

// "(" + 2 to 4 digits + ")" at `pos`; the AI's digits on success.
std::optional<std::string_view> ai_in_parentheses(std::string_view text, std::size_t pos) {
    if (pos >= text.size() || text[pos] != '(') {
        return std::nullopt;
    }
    std::size_t end = pos + 1;
    while (end < text.size() && is_digit(text[end])) {
        ++end;
    }
    const std::size_t digits = end - pos - 1;
    if (digits < 2 || digits > 4 || end >= text.size() || text[end] != ')') {
        return std::nullopt;
    }
    return text.substr(pos + 1, digits);
}

Result<std::vector<Gs1Element>> parse_parenthesised(std::string_view text) {
    std::vector<Gs1Element> elements;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto ai = ai_in_parentheses(text, pos);
        if (!ai) {
            return fail("GS1 data must start with an application identifier in parentheses, e.g. (00)");
        }
        std::size_t end = pos + ai->size() + 2;
        const std::size_t data_start = end;
        while (end < text.size() && !ai_in_parentheses(text, end)) {
            ++end;
        }
        elements.push_back({std::string(*ai), std::string(text.substr(data_start, end - data_start))});
        pos = end;
    }
    return elements;
}

Result<std::vector<Gs1Element>> parse_transmitted(std::string_view text) {
    std::vector<Gs1Element> elements;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (pos + 2 > text.size() || !is_digit(text[pos]) || !is_digit(text[pos + 1])) {
            return fail("GS1 data: expected an application identifier at position " + std::to_string(pos));
        }
        const int ai_length = ai_length_from_prefix((text[pos] - '0') * 10 + (text[pos + 1] - '0'));
        if (ai_length == 0) {
            return fail("GS1 data: no application identifier starts with " +
                        std::string(text.substr(pos, 2)));
        }
        const auto length = static_cast<std::size_t>(ai_length);
        if (pos + length > text.size()) {
            return fail("GS1 data ends inside an application identifier");
        }
        Gs1Element element{std::string(text.substr(pos, length)), {}};
        pos += length;
        const int fixed = predefined_data_length(element.ai);
        std::size_t end = fixed > 0 ? std::min(text.size(), pos + static_cast<std::size_t>(fixed))
                                    : std::min(text.size(), text.find(kGroupSeparator, pos));
        element.data = std::string(text.substr(pos, end - pos));
        elements.push_back(std::move(element));
        pos = end;
        if (pos < text.size() && text[pos] == kGroupSeparator) {
            ++pos;
        }
    }
    return elements;
}

// ---- GS1 DataMatrix (ISO/IEC 16022) -------------------------------------------------------------------
// ZXing-cpp 1.4.0's DataMatrix writer has no way to emit FNC1 (codeword 232): its encoders map every input
// character to other codewords. GS1 DataMatrix needs FNC1 first, so packd encodes it itself, in ASCII
// encodation, which is also the most compact for the mostly numeric GS1 data.

// Square ECC 200 symbols (ISO/IEC 16022 table 7) up to 132x132; 144x144 interleaves unevenly and far exceeds
// what a GS1 label carries.
struct DataMatrixSize {
    int size;             // modules per side, finder patterns included
    int regions;          // data regions per side
    int data_codewords;   // total
    int error_codewords;  // total
    int blocks;           // interleaved Reed-Solomon blocks
};

constexpr std::array<DataMatrixSize, 23> kDataMatrixSizes{{
    {10, 1, 3, 5, 1},      {12, 1, 5, 7, 1},       {14, 1, 8, 10, 1},      {16, 1, 12, 12, 1},
    {18, 1, 18, 14, 1},    {20, 1, 22, 18, 1},     {22, 1, 30, 20, 1},     {24, 1, 36, 24, 1},
    {26, 1, 44, 28, 1},    {32, 2, 62, 36, 1},     {36, 2, 86, 42, 1},     {40, 2, 114, 48, 1},
    {44, 2, 144, 56, 1},   {48, 2, 174, 68, 1},    {52, 2, 204, 84, 2},    {64, 4, 280, 112, 2},
    {72, 4, 368, 144, 4},  {80, 4, 456, 192, 4},   {88, 4, 576, 224, 4},   {96, 4, 696, 272, 4},
    {104, 4, 816, 336, 6}, {120, 6, 1050, 408, 6}, {132, 6, 1304, 496, 8},
}};

constexpr std::uint8_t kDataMatrixFnc1 = 232;
constexpr std::uint8_t kDataMatrixPad = 129;

// GF(256) with the prime polynomial x^8 + x^5 + x^3 + x^2 + 1 (301) that ECC 200 uses.
class GaloisField {
  public:
    GaloisField() {
        int value = 1;
        for (int i = 0; i < 255; ++i) {
            exp_[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
            exp_[static_cast<std::size_t>(i + 255)] = static_cast<std::uint8_t>(value);
            log_[static_cast<std::size_t>(value)] = i;
            value <<= 1;
            if (value & 0x100) {
                value ^= 301;
            }
        }
    }
    std::uint8_t multiply(std::uint8_t a, std::uint8_t b) const {
        if (a == 0 || b == 0) {
            return 0;
        }
        return exp_[static_cast<std::size_t>(log_[a] + log_[b])];
    }
    std::uint8_t power_of_alpha(int n) const { return exp_[static_cast<std::size_t>(n % 255)]; }

  private:
    std::array<std::uint8_t, 510> exp_{};
    std::array<int, 256> log_{};
};

// Reed-Solomon check codewords for one block; the generator's roots are alpha^1 .. alpha^n.
std::vector<std::uint8_t> reed_solomon(const std::vector<std::uint8_t>& data, int count) {
    static const GaloisField field;
    const auto n = static_cast<std::size_t>(count);
    std::vector<std::uint8_t> generator{1};  // highest degree first
    for (int i = 1; i <= count; ++i) {
        std::vector<std::uint8_t> next(generator.size() + 1, 0);
        for (std::size_t j = 0; j < generator.size(); ++j) {
            next[j] ^= generator[j];
            next[j + 1] ^= field.multiply(generator[j], field.power_of_alpha(i));
        }
        generator = std::move(next);
    }
    std::vector<std::uint8_t> remainder(n, 0);
    for (const std::uint8_t codeword : data) {
        const std::uint8_t feedback = codeword ^ remainder[0];
        for (std::size_t j = 0; j + 1 < n; ++j) {
            remainder[j] = remainder[j + 1] ^ field.multiply(feedback, generator[j + 1]);
        }
        remainder[n - 1] = field.multiply(feedback, generator[n]);
    }
    return remainder;
}

// The module placement of ISO/IEC 16022 annex F: which codeword bit lands on each module of the mapping
// matrix (the symbol without its finder patterns). Entries are 10 * codeword number + bit (1 = most
// significant), or 1 for the fixed dark modules of the lower right corner.
class DataMatrixPlacement {
  public:
    DataMatrixPlacement(int rows, int columns)
        : rows_(rows), columns_(columns), cells_(static_cast<std::size_t>(rows * columns), 0) {
        int codeword = 1;
        int row = 4;
        int column = 0;
        do {
            if (row == rows_ && column == 0) {
                corner(codeword++, {rows_ - 1, 0, rows_ - 1, 1, rows_ - 1, 2, 0, columns_ - 2, 0,
                                    columns_ - 1, 1, columns_ - 1, 2, columns_ - 1, 3, columns_ - 1});
            }
            if (row == rows_ - 2 && column == 0 && columns_ % 4 != 0) {
                corner(codeword++, {rows_ - 3, 0, rows_ - 2, 0, rows_ - 1, 0, 0, columns_ - 4, 0,
                                    columns_ - 3, 0, columns_ - 2, 0, columns_ - 1, 1, columns_ - 1});
            }
            if (row == rows_ - 2 && column == 0 && columns_ % 8 == 4) {
                corner(codeword++, {rows_ - 3, 0, rows_ - 2, 0, rows_ - 1, 0, 0, columns_ - 2, 0,
                                    columns_ - 1, 1, columns_ - 1, 2, columns_ - 1, 3, columns_ - 1});
            }
            if (row == rows_ + 4 && column == 2 && columns_ % 8 == 0) {
                corner(codeword++, {rows_ - 1, 0, rows_ - 1, columns_ - 1, 0, columns_ - 3, 0, columns_ - 2,
                                    0, columns_ - 1, 1, columns_ - 3, 1, columns_ - 2, 1, columns_ - 1});
            }
            do {  // sweep up and to the right
                if (row < rows_ && column >= 0 && cell(row, column) == 0) {
                    utah(row, column, codeword++);
                }
                row -= 2;
                column += 2;
            } while (row >= 0 && column < columns_);
            row += 1;
            column += 3;
            do {  // sweep down and to the left
                if (row >= 0 && column < columns_ && cell(row, column) == 0) {
                    utah(row, column, codeword++);
                }
                row += 2;
                column -= 2;
            } while (row < rows_ && column >= 0);
            row += 3;
            column += 1;
        } while (row < rows_ || column < columns_);
        if (cell(rows_ - 1, columns_ - 1) == 0) {
            cell(rows_ - 1, columns_ - 1) = 1;
            cell(rows_ - 2, columns_ - 2) = 1;
        }
    }

    bool is_dark(int row, int column, const std::vector<std::uint8_t>& codewords) const {
        const int entry = cells_[static_cast<std::size_t>(row * columns_ + column)];
        if (entry < 10) {
            return entry == 1;
        }
        const std::uint8_t codeword = codewords[static_cast<std::size_t>(entry / 10 - 1)];
        return ((codeword >> (8 - entry % 10)) & 1) != 0;
    }

  private:
    // Where a codeword's eight bits go, most significant first, as (row, column) pairs.
    using Spots = std::array<int, 16>;

    int& cell(int row, int column) { return cells_[static_cast<std::size_t>(row * columns_ + column)]; }

    void module(int row, int column, int codeword, int bit) {
        if (row < 0) {
            row += rows_;
            column += 4 - ((rows_ + 4) % 8);
        }
        if (column < 0) {
            column += columns_;
            row += 4 - ((columns_ + 4) % 8);
        }
        cell(row, column) = 10 * codeword + bit;
    }

    // The standard L-shaped placement of one codeword's eight bits around (row, column).
    void utah(int row, int column, int codeword) {
        corner(codeword, {row - 2, column - 2, row - 2, column - 1, row - 1, column - 2, row - 1, column - 1,
                          row - 1, column, row, column - 2, row, column - 1, row, column});
    }

    void corner(int codeword, const Spots& spots) {
        for (std::size_t bit = 0; bit < 8; ++bit) {
            module(spots[2 * bit], spots[2 * bit + 1], codeword, static_cast<int>(bit) + 1);
        }
    }

    int rows_;
    int columns_;
    std::vector<int> cells_;
};

Result<BarcodeSymbol> encode_gs1_data_matrix(std::string_view transmitted) {
    // ASCII encodation (ISO/IEC 16022 5.2.3): digit pairs as 130 + value, ASCII as value + 1, GS as FNC1.
    std::vector<std::uint8_t> codewords{kDataMatrixFnc1};
    for (std::size_t i = 0; i < transmitted.size(); ++i) {
        const char c = transmitted[i];
        if (is_digit(c) && i + 1 < transmitted.size() && is_digit(transmitted[i + 1])) {
            codewords.push_back(static_cast<std::uint8_t>(130 + (c - '0') * 10 + (transmitted[i + 1] - '0')));
            ++i;
        } else if (c == kGroupSeparator) {
            codewords.push_back(kDataMatrixFnc1);
        } else {
            codewords.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) + 1));
        }
    }
    const auto size = std::find_if(kDataMatrixSizes.begin(), kDataMatrixSizes.end(), [&](const auto& s) {
        return static_cast<std::size_t>(s.data_codewords) >= codewords.size();
    });
    if (size == kDataMatrixSizes.end()) {
        return fail("GS1 DataMatrix: " + std::to_string(codewords.size()) + " codewords do not fit a symbol");
    }
    const auto data_count = static_cast<std::size_t>(size->data_codewords);
    // Pad codewords: 129 first, then 129 scrambled by position (ISO/IEC 16022 5.2.3 and annex B.1).
    if (codewords.size() < data_count) {
        codewords.push_back(kDataMatrixPad);
    }
    while (codewords.size() < data_count) {
        const int position = static_cast<int>(codewords.size()) + 1;
        int pad = kDataMatrixPad + (149 * position) % 253 + 1;
        if (pad > 254) {
            pad -= 254;
        }
        codewords.push_back(static_cast<std::uint8_t>(pad));
    }
    // Interleaving (ISO/IEC 16022 5.7.2): block b takes data codewords b, b + blocks, ...; its check
    // codewords go to the same positions after the data.
    const auto blocks = static_cast<std::size_t>(size->blocks);
    const int check_per_block = size->error_codewords / size->blocks;
    codewords.resize(data_count + static_cast<std::size_t>(size->error_codewords));
    for (std::size_t block = 0; block < blocks; ++block) {
        std::vector<std::uint8_t> block_data;
        for (std::size_t i = block; i < data_count; i += blocks) {
            block_data.push_back(codewords[i]);
        }
        const auto check = reed_solomon(block_data, check_per_block);
        for (std::size_t j = 0; j < check.size(); ++j) {
            codewords[data_count + block + j * blocks] = check[j];
        }
    }
    const int region_size = size->size / size->regions - 2;
    const int mapping_size = region_size * size->regions;
    const DataMatrixPlacement placement(mapping_size, mapping_size);

    BarcodeSymbol symbol{size->size, size->size,
                         std::vector<std::uint8_t>(static_cast<std::size_t>(size->size * size->size), 0)};
    const auto set = [&](int x, int y, bool dark) {
        symbol.dark[static_cast<std::size_t>(y * symbol.width + x)] = dark ? 1 : 0;
    };
    const int region_span = region_size + 2;
    for (int y = 0; y < size->size; ++y) {
        for (int x = 0; x < size->size; ++x) {
            const int in_x = x % region_span;
            const int in_y = y % region_span;
            if (in_x == 0 || in_y == region_span - 1) {
                set(x, y, true);  // solid L of the finder pattern
            } else if (in_y == 0) {
                set(x, y, in_x % 2 == 0);  // alternating top edge
            } else if (in_x == region_span - 1) {
                set(x, y, in_y % 2 == 1);  // alternating right edge
            } else {
                const int row = (y / region_span) * region_size + in_y - 1;
                const int column = (x / region_span) * region_size + in_x - 1;
                set(x, y, placement.is_dark(row, column, codewords));
            }
        }
    }
    return symbol;
}

// ---- ZXing ----------------------------------------------------------------------------------------------

Result<BarcodeSymbol> encode_with_zxing(ZXing::BarcodeFormat format, const std::string& contents) {
    try {
        ZXing::MultiFormatWriter writer(format);
        writer.setMargin(0);
        if (format == ZXing::BarcodeFormat::QRCode) {
            writer.setEccLevel(4);  // ZXing 1.4.0 maps 3 and 4 to level M (~15% recovery)
        }
        const ZXing::BitMatrix matrix = writer.encode(contents, 0, 0);
        BarcodeSymbol symbol{matrix.width(), matrix.height(), {}};
        symbol.dark.reserve(static_cast<std::size_t>(symbol.width * symbol.height));
        for (int y = 0; y < symbol.height; ++y) {
            for (int x = 0; x < symbol.width; ++x) {
                symbol.dark.push_back(matrix.get(x, y) ? 1 : 0);
            }
        }
        return symbol;
    } catch (const std::exception& e) {
        return fail(std::string("barcode encoder refused the data: ") + e.what());
    }
}

bool is_linear(BarcodeKind kind) {
    return kind == BarcodeKind::Code128 || kind == BarcodeKind::Gs1_128;
}

const char* kind_name(BarcodeKind kind) {
    switch (kind) {
        case BarcodeKind::Code128:
            return "Code 128";
        case BarcodeKind::Gs1_128:
            return "GS1-128";
        case BarcodeKind::Gs1DataMatrix:
            return "GS1 DataMatrix";
        case BarcodeKind::QrCode:
            return "QR code";
    }
    return "barcode";
}

Status check_inside(const LabelSize& size, int x, int y, int width, int height) {
    if (x < 0 || y < 0 || x + width > size.width_dots || y + height > size.height_dots) {
        return fail("reaches outside the " + std::to_string(size.width_dots) + "x" +
                    std::to_string(size.height_dots) + " dot label (at " + std::to_string(x) + "," +
                    std::to_string(y) + ", " + std::to_string(width) + "x" + std::to_string(height) +
                    " dots)");
    }
    return {};
}

Status check_field(const LabelSize& size, const TextField& text) {
    if (text.height < 10 || text.height > 32000) {
        return fail("text height " + std::to_string(text.height) + " is outside 10 to 32000 dots");
    }
    return check_inside(size, text.x, text.y, 1, text.height);
}

Status check_field(const LabelSize& size, const BoxField& box) {
    if (box.thickness < 1 || box.width < 1 || box.height < 1) {
        return fail("box needs a width, height and thickness of at least one dot");
    }
    return check_inside(size, box.x, box.y, std::max(box.width, box.thickness),
                        std::max(box.height, box.thickness));
}

Status check_field(const LabelSize& size, const BarcodeField& barcode) {
    const std::string name = kind_name(barcode.kind);
    if (barcode.module_width < 1 || barcode.module_width > 10) {
        return fail(name + ": module width " + std::to_string(barcode.module_width) +
                    " is outside 1 to 10 dots");
    }
    if (is_linear(barcode.kind) && barcode.height < 1) {
        return fail(name + ": bar height must be at least one dot");
    }
    auto placed = place_barcode(barcode);
    if (!placed) {
        return fail(name + ": " + placed.error().message);
    }
    if (auto inside = check_inside(size, barcode.x, barcode.y, placed->width_dots, placed->height_dots);
        !inside) {
        return fail(name + " " + inside.error().message);
    }
    if (placed->human_readable) {
        return check_field(size, *placed->human_readable);
    }
    return {};
}

}  // namespace

LabelSize LabelSize::inches(double width, double height, int dpi) {
    return {static_cast<int>(std::lround(width * dpi)), static_cast<int>(std::lround(height * dpi)), dpi};
}

LabelSize LabelSize::millimetres(double width, double height, int dpi) {
    const LabelSize size{0, 0, dpi};
    return {size.dots_from_mm(width), size.dots_from_mm(height), dpi};
}

int LabelSize::dots_from_mm(double mm) const {
    return static_cast<int>(std::lround(mm * dpi / 25.4));
}

std::string well_formed_utf8(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        if (step.well_formed) {
            out.append(utf8.substr(pos, step.length));
        } else {
            out.push_back('?');
        }
        pos += step.length;
    }
    return out;
}

std::u32string code_points(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        out.push_back(step.code_point);
        pos += step.length;
    }
    return out;
}

std::string fitted_text(const TextField& field, const LabelSize& size) {
    int limit = size.width_dots - field.x;
    if (field.max_width > 0) {
        limit = std::min(limit, field.max_width);
    }
    return fit_to_width(well_formed_utf8(field.text), field.height, field.bold, limit);
}

Result<std::vector<Gs1Element>> parse_gs1(std::string_view text) {
    if (text.empty()) {
        return fail("GS1 data is empty");
    }
    auto elements = text.front() == '(' ? parse_parenthesised(text) : parse_transmitted(text);
    if (!elements) {
        return elements;
    }
    for (const Gs1Element& element : *elements) {
        if (auto checked = check_element(element); !checked) {
            return checked.error();
        }
    }
    return elements;
}

bool gs1_has_predefined_length(std::string_view ai) {
    return predefined_data_length(ai) > 0;
}

std::string gs1_human_readable(const std::vector<Gs1Element>& elements) {
    std::string out;
    for (const Gs1Element& element : elements) {
        out += "(" + element.ai + ")" + element.data;
    }
    return out;
}

std::string gs1_transmitted(const std::vector<Gs1Element>& elements) {
    std::string out;
    for (std::size_t i = 0; i < elements.size(); ++i) {
        out += elements[i].ai + elements[i].data;
        if (i + 1 < elements.size() && !gs1_has_predefined_length(elements[i].ai)) {
            out += kGroupSeparator;
        }
    }
    return out;
}

Result<BarcodeSymbol> encode_barcode(BarcodeKind kind, std::string_view data) {
    switch (kind) {
        case BarcodeKind::Code128: {
            if (data.empty() || data.size() > 80) {
                return fail("Code 128 data must be 1 to 80 characters, got " + std::to_string(data.size()));
            }
            if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
                return fail("Code 128 data may only hold printable ASCII: '" + well_formed_utf8(data) + "'");
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, std::string(data));
        }
        case BarcodeKind::Gs1_128: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            const std::string transmitted = gs1_transmitted(*elements);
            // GS1 General Specifications 5.4.1: at most 48 data characters, separators included.
            if (transmitted.size() > 48) {
                return fail("GS1-128 holds at most 48 characters, this element string has " +
                            std::to_string(transmitted.size()));
            }
            // ZXing's Code 128 writer takes U+00F1 as FNC1 (its ESCAPE_FNC_1); leading, it makes the
            // symbol GS1-128, between elements it is the separator.
            const std::string fnc1 = "\xC3\xB1";
            std::string contents = fnc1;
            for (const char c : transmitted) {
                contents += c == kGroupSeparator ? fnc1 : std::string(1, c);
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, contents);
        }
        case BarcodeKind::Gs1DataMatrix: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            return encode_gs1_data_matrix(gs1_transmitted(*elements));
        }
        case BarcodeKind::QrCode: {
            // Links go percent-encoded (RFC 3986), and the printer's automatic input mode would read bytes
            // 0x80-0x9F and 0xE0-0xFF as Shift JIS (ZPL II Programming Guide, ^BQ, "data input"), so the
            // printed and previewed symbols only agree on printable ASCII.
            if (data.empty() || data.size() > 1000) {
                return fail("QR code data must be 1 to 1000 characters, got " + std::to_string(data.size()));
            }
            if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
                return fail("QR code data may only hold printable ASCII (percent-encode links): '" +
                            well_formed_utf8(data) + "'");
            }
            return encode_with_zxing(ZXing::BarcodeFormat::QRCode, std::string(data));
        }
    }
    return fail("unknown barcode kind");
}

Result<PlacedBarcode> place_barcode(const BarcodeField& field) {
    auto symbol = encode_barcode(field.kind, field.data);
    if (!symbol) {
        return symbol.error();
    }
    PlacedBarcode placed;
    placed.symbol = std::move(*symbol);
    placed.width_dots = placed.symbol.width * field.module_width;
    placed.height_dots = is_linear(field.kind) ? field.height : placed.symbol.height * field.module_width;
    if (field.human_readable) {
        std::string text = field.data;
        if (field.kind == BarcodeKind::Gs1_128 || field.kind == BarcodeKind::Gs1DataMatrix) {
            text = gs1_human_readable(*parse_gs1(field.data));  // encode_barcode parsed it already
        }
        TextField line;
        line.text = std::move(text);
        if (is_linear(field.kind)) {
            // Centred under the bars and no wider than them.
            line.height = std::max(16, std::min(8 * field.module_width, 48));
            const std::string fitted =
                fit_to_width(well_formed_utf8(line.text), line.height, false, placed.width_dots);
            const int offset =
                std::max(0, (placed.width_dots - text_width_dots(fitted, line.height, false)) / 2);
            line.x = field.x + offset;
            line.max_width = placed.width_dots - offset;
        } else {
            // A 2D symbol is much narrower than its data set in text: the line starts at the symbol's left
            // edge and may run on to the label edge.
            line.height = std::max(16, std::min(3 * field.module_width, 32));
            line.x = field.x;
            line.max_width = 0;
        }
        line.y = field.y + placed.height_dots + std::max(2, line.height / 4);
        placed.human_readable = std::move(line);
    }
    return placed;
}

Status validate(const Label& label) {
    if (label.size.width_dots < 1 || label.size.height_dots < 1 || label.size.width_dots > 32000 ||
        label.size.height_dots > 32000) {
        return fail("label size " + std::to_string(label.size.width_dots) + "x" +
                    std::to_string(label.size.height_dots) + " dots is outside 1 to 32000");
    }
    if (label.size.dpi < 100 || label.size.dpi > 600) {
        return fail("label resolution " + std::to_string(label.size.dpi) + " dpi is outside 100 to 600");
    }
    for (std::size_t i = 0; i < label.fields.size(); ++i) {
        auto checked =
            std::visit([&](const auto& field) { return check_field(label.size, field); }, label.fields[i]);
        if (!checked) {
            return fail("label field " + std::to_string(i + 1) + ": " + checked.error().message);
        }
    }
    return {};
}

}  // namespace packd::fulfillment
