#include "packd/fulfillment/barcodes/gs1_data_matrix.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';

bool is_digit(char c) {
    return c >= '0' && c <= '9';
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

}  // namespace

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

}  // namespace packd::fulfillment
