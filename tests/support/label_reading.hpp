#pragma once
// Reading labels back as a printer and a scanner would: ZPL field data with its ^FH escapes undone, and the
// preview's barcodes read with ZXing-cpp from a crop around each symbol.

#define ZX_USE_UTF8 1

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <png.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment::label_reading {

// ---- Reading ZPL back -----------------------------------------------------------------------------------

// Undoes ^FH_ escaping: _XX becomes the byte 0xXX. Empty on a malformed escape.
inline std::optional<std::string> decode_field_hex(std::string_view data) {
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] != '_') {
            out += data[i];
            continue;
        }
        if (i + 2 >= data.size()) {
            return std::nullopt;
        }
        const int high = nibble(data[i + 1]);
        const int low = nibble(data[i + 2]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

// One ^FO ... ^FS field of a ZPL format: the commands before ^FD and the raw field data.
struct ZplField {
    std::string commands;
    std::string data;
};

inline std::vector<ZplField> zpl_fields(const std::string& zpl) {
    std::vector<ZplField> fields;
    std::size_t pos = 0;
    while ((pos = zpl.find("^FO", pos)) != std::string::npos) {
        const std::size_t data = zpl.find("^FD", pos);
        const std::size_t end = zpl.find("^FS", pos);
        if (data == std::string::npos || end == std::string::npos || data > end) {
            fields.push_back({zpl.substr(pos, end - pos), {}});
        } else {
            fields.push_back({zpl.substr(pos, data - pos), zpl.substr(data + 3, end - data - 3)});
        }
        pos = end == std::string::npos ? zpl.size() : end;
    }
    return fields;
}

inline std::size_t occurrences(std::string_view haystack, std::string_view needle) {
    std::size_t count = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
         pos = haystack.find(needle, pos + 1)) {
        ++count;
    }
    return count;
}

// What a printer makes of ^BC mode N field data (ZPL II Programming Guide, ^BC "Code 128 Subsets"): the
// transmitted data (FNC1 between elements as GS), whether FNC1 follows the start, and the symbol count.
struct Code128Reading {
    std::string data;
    bool gs1 = false;
    int symbols = 0;
    bool valid = true;
};

inline Code128Reading read_zpl_code128(std::string_view field) {
    Code128Reading reading;
    char subset = 0;
    for (std::size_t i = 0; i < field.size();) {
        ++reading.symbols;
        if (field[i] == '>' && i + 1 < field.size()) {
            const char code = field[i + 1];
            i += 2;
            if (code == '9' || code == ':' || code == ';') {
                reading.valid &= reading.symbols == 1;
                subset = code == '9' ? 'A' : code == ':' ? 'B' : 'C';
            } else if (code == '5' || code == '6' || code == '7') {
                subset = code == '5' ? 'C' : code == '6' ? 'B' : 'A';
            } else if (code == '8') {
                if (reading.symbols == 2) {
                    reading.gs1 = true;
                } else {
                    reading.data += '\x1d';
                }
            } else if (code == '<' && subset != 'C') {
                reading.data += '>';
            } else {
                reading.valid = false;
            }
        } else if (subset == 'C') {
            const bool pair = i + 1 < field.size() && std::isdigit(static_cast<unsigned char>(field[i])) &&
                              std::isdigit(static_cast<unsigned char>(field[i + 1]));
            reading.valid &= pair;
            reading.data += field.substr(i, 2);
            i += 2;
        } else {
            reading.valid &= subset != 0;
            reading.data += field[i];
            ++i;
        }
    }
    return reading;
}

// What ^BX quality 200 makes of its field data after ^FH with '_' as escape character: _1 is FNC1 (GS
// between elements), __ is '_'.
struct DataMatrixReading {
    std::string data;
    bool gs1 = false;
    bool valid = true;
};

inline DataMatrixReading read_zpl_data_matrix(std::string_view field) {
    DataMatrixReading reading;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '_') {
            reading.data += field[i];
        } else if (i + 1 < field.size() && field[i + 1] == '_') {
            reading.data += '_';
            ++i;
        } else if (i + 1 < field.size() && field[i + 1] == '1') {
            if (i == 0) {
                reading.gs1 = true;
            } else {
                reading.data += '\x1d';
            }
            ++i;
        } else {
            reading.valid = false;
        }
    }
    return reading;
}

// ---- Reading bitmaps back -------------------------------------------------------------------------------

// Reads the symbol of `field` the way a scanner aimed at it would: from a crop around the symbol and its
// quiet zone. ZXing 1.4.0 without tryHarder only looks along rows near the middle of the image for linear
// symbols and starts its DataMatrix search from the centre, so a whole label would hide symbols near the
// edges. tryHarder, tryRotate and tryDownscale stay off: the label is upright and clean, and Debian's 1.4.0
// fails an assertion (Result::operator==, lineCount() == 1) when it merges a linear symbol found twice.
inline ZXing::Results read_symbol(const Bitmap& bitmap, const BarcodeField& field) {
    const auto placed = place_barcode(field);
    if (!placed) {
        return {};
    }
    const bool linear = field.kind == BarcodeKind::Code128 || field.kind == BarcodeKind::Gs1_128;
    const int quiet = (linear ? 10 : 4) * field.module_width;
    const int left = std::max(0, field.x - quiet);
    const int top = std::max(0, field.y - quiet);
    const int right = std::min(bitmap.width, field.x + placed->width_dots + quiet);
    const int bottom = std::min(bitmap.height, field.y + placed->height_dots + quiet);
    const auto formats = linear                              ? ZXing::BarcodeFormat::Code128
                         : field.kind == BarcodeKind::QrCode ? ZXing::BarcodeFormat::QRCode
                                                             : ZXing::BarcodeFormat::DataMatrix;
    const auto hints =
        ZXing::DecodeHints().setFormats(formats).setTryHarder(false).setTryRotate(false).setTryDownscale(
            false);
    const std::uint8_t* origin = bitmap.pixels.data() + top * bitmap.width + left;
    return ZXing::ReadBarcodes(
        ZXing::ImageView(origin, right - left, bottom - top, ZXing::ImageFormat::Lum, bitmap.width), hints);
}

inline std::vector<BarcodeField> barcode_fields(const Label& label) {
    std::vector<BarcodeField> barcodes;
    for (const auto& field : label.fields) {
        if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
            barcodes.push_back(*barcode);
        }
    }
    return barcodes;
}

inline std::optional<ZXing::Result> find_barcode(const ZXing::Results& results, ZXing::BarcodeFormat format) {
    for (const auto& result : results) {
        if (result.format() == format && result.isValid()) {
            return result;
        }
    }
    return std::nullopt;
}

inline std::optional<Bitmap> decode_png(const std::string& png) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) {
        return std::nullopt;
    }
    if (image.format != PNG_FORMAT_GRAY) {  // the file itself is 8-bit grey
        png_image_free(&image);
        return std::nullopt;
    }
    Bitmap bitmap{static_cast<int>(image.width), static_cast<int>(image.height), {}};
    bitmap.pixels.resize(PNG_IMAGE_SIZE(image));
    if (png_image_finish_read(&image, nullptr, bitmap.pixels.data(), 0, nullptr) == 0) {
        return std::nullopt;
    }
    return bitmap;
}

}  // namespace packd::fulfillment::label_reading
