// The QR version as ZXing-cpp 1.4.0 chooses it (core/src/qrcode/QREncoder.cpp): one segment in the first
// mode that holds every character (numeric, alphanumeric, else 8-bit bytes, ISO/IEC 18004 7.4), no ECI
// header, and the smallest version whose data codewords at level M hold the mode indicator, the character
// count and the data. Like ZXing, the count's width is taken from a first guess at the version.

#include "packd/fulfillment/barcodes/qr_version.hpp"

#include <array>
#include <string>

namespace packd::fulfillment {
namespace {

// Data codewords of each version at error correction level M (ISO/IEC 18004:2015 Table 7).
constexpr std::array<int, 40> kDataCodewordsM = {16,   28,   44,   64,   86,   108,  124,  154,  182,  216,
                                                 254,  290,  334,  365,  415,  453,  507,  563,  627,  669,
                                                 714,  782,  860,  914,  1000, 1062, 1128, 1193, 1267, 1373,
                                                 1455, 1541, 1631, 1725, 1812, 1914, 1992, 2102, 2216, 2334};

enum class Mode { Numeric, Alphanumeric, Byte };

bool is_alphanumeric(char c) {
    static constexpr std::string_view kSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    return kSet.find(c) != std::string_view::npos;
}

Mode mode_of(std::string_view data) {
    bool digits = false;
    bool letters = false;
    for (const char c : data) {
        if (c >= '0' && c <= '9') {
            digits = true;
        } else if (is_alphanumeric(c)) {
            letters = true;
        } else {
            return Mode::Byte;
        }
    }
    return letters ? Mode::Alphanumeric : digits ? Mode::Numeric : Mode::Byte;
}

// Table 3: the character count indicator's bits for versions 1-9, 10-26 and 27-40.
int count_bits(Mode mode, int version) {
    const int band = version <= 9 ? 0 : version <= 26 ? 1 : 2;
    switch (mode) {
        case Mode::Numeric:
            return std::array{10, 12, 14}[static_cast<std::size_t>(band)];
        case Mode::Alphanumeric:
            return std::array{9, 11, 13}[static_cast<std::size_t>(band)];
        case Mode::Byte:
            return std::array{8, 16, 16}[static_cast<std::size_t>(band)];
    }
    return 16;
}

int data_bits(Mode mode, int length) {
    switch (mode) {
        case Mode::Numeric:
            return 10 * (length / 3) + std::array{0, 4, 7}[static_cast<std::size_t>(length % 3)];
        case Mode::Alphanumeric:
            return 11 * (length / 2) + 6 * (length % 2);
        case Mode::Byte:
            return 8 * length;
    }
    return 8 * length;
}

int smallest_version(int bits) {
    for (int version = 1; version <= 40; ++version) {
        if (kDataCodewordsM[static_cast<std::size_t>(version - 1)] >= (bits + 7) / 8) {
            return version;
        }
    }
    return 0;
}

}  // namespace

int qr_version(std::string_view data) {
    const Mode mode = mode_of(data);
    const int length = static_cast<int>(data.size());
    const int payload = 4 + data_bits(mode, length);  // the mode indicator and the data
    const int guess = smallest_version(payload + count_bits(mode, 1));
    if (guess == 0) {
        return 0;
    }
    const int version = smallest_version(payload + count_bits(mode, guess));
    if (version == 0 || length >= 1 << count_bits(mode, version)) {
        return 0;  // ZXing refuses a count its indicator cannot hold
    }
    return version;
}

}  // namespace packd::fulfillment
