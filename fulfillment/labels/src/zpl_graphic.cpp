// Pictures as ZPL graphic fields. ^GF and the Z64 encoding follow the ZPL II Programming Guide (^GF "Graphic
// Field"; "ZB64 Encoding and Compression").

#include "packd/fulfillment/labels/zpl_graphic.hpp"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace packd::fulfillment {
namespace {

std::size_t at(int x, int y, int width) {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
}

Bitmap turned_clockwise(const Bitmap& image) {
    Bitmap out{image.height, image.width, {}};
    out.pixels.resize(image.pixels.size());
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            // (x, y) lands on column (height - 1 - y), row x.
            out.pixels[at(image.height - 1 - y, x, out.width)] = image.pixels[at(x, y, image.width)];
        }
    }
    return out;
}

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16 |
                                                  static_cast<unsigned char>(bytes[i + 1]) << 8 |
                                                  static_cast<unsigned char>(bytes[i + 2]));
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (const std::size_t left = bytes.size() - i; left > 0) {
        std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i]) << 16);
        if (left == 2) {
            n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]) << 8);
        }
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += left == 2 ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string deflated(const std::string& bytes) {
    uLongf size = compressBound(static_cast<uLong>(bytes.size()));
    std::string out(size, '\0');
    // Z_BEST_COMPRESSION costs little on a label and the printer link is the slow part.
    if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(bytes.data()),
                  static_cast<uLong>(bytes.size()), Z_BEST_COMPRESSION) != Z_OK) {
        return {};  // cannot happen with a buffer of compressBound bytes
    }
    out.resize(size);
    return out;
}

}  // namespace

Result<Bitmap> decode_png_grey(std::string_view png) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) {
        const std::string why = image.message;
        png_image_free(&image);
        return fail("not a readable PNG file: " + why);
    }
    if (image.width == 0 || image.height == 0 ||
        static_cast<std::size_t>(image.width) * image.height > kMaxImagePixels) {
        const std::string size = std::to_string(image.width) + "x" + std::to_string(image.height);
        png_image_free(&image);
        return fail("PNG image of " + size + " pixels is larger than packd decodes (" +
                    std::to_string(kMaxImagePixels) + " pixels)");
    }
    // The simplified API composes transparency onto the background colour when the format has no alpha.
    image.format = PNG_FORMAT_GRAY;
    png_color white{255, 255, 255};
    Bitmap out{static_cast<int>(image.width), static_cast<int>(image.height), {}};
    out.pixels.resize(static_cast<std::size_t>(image.width) * image.height);
    if (png_image_finish_read(&image, &white, out.pixels.data(), 0, nullptr) == 0) {
        const std::string why = image.message;
        png_image_free(&image);
        return fail("PNG image cannot be decoded: " + why);
    }
    return out;
}

Bitmap fit_to_label(const Bitmap& image, const LabelSize& size) {
    if (image.width <= 0 || image.height <= 0 || size.width_dots <= 0 || size.height_dots <= 0) {
        return {};
    }
    const bool image_landscape = image.width > image.height;
    const bool stock_landscape = size.width_dots > size.height_dots;
    const Bitmap turned = image_landscape != stock_landscape && image.width != image.height
                              ? turned_clockwise(image)
                              : Bitmap{};
    const Bitmap& source = turned.pixels.empty() ? image : turned;
    const double scale = std::min(static_cast<double>(size.width_dots) / source.width,
                                  static_cast<double>(size.height_dots) / source.height);
    const int width = std::clamp(static_cast<int>(source.width * scale + 0.5), 1, size.width_dots);
    const int height = std::clamp(static_cast<int>(source.height * scale + 0.5), 1, size.height_dots);
    Bitmap out{width, height, std::vector<std::uint8_t>(at(0, height, width), 255)};
    // Each output dot averages the source pixels its area covers (at least the one under its centre), so
    // thin bars survive shrinking as grey rather than vanishing between samples.
    const double step_x = static_cast<double>(source.width) / width;
    const double step_y = static_cast<double>(source.height) / height;
    for (int y = 0; y < height; ++y) {
        const int y0 = std::min(static_cast<int>(y * step_y), source.height - 1);
        const int y1 = std::clamp(static_cast<int>((y + 1) * step_y), y0 + 1, source.height);
        for (int x = 0; x < width; ++x) {
            const int x0 = std::min(static_cast<int>(x * step_x), source.width - 1);
            const int x1 = std::clamp(static_cast<int>((x + 1) * step_x), x0 + 1, source.width);
            unsigned long sum = 0;
            for (int sy = y0; sy < y1; ++sy) {
                for (int sx = x0; sx < x1; ++sx) {
                    sum += source.pixels[at(sx, sy, source.width)];
                }
            }
            const auto count = static_cast<unsigned long>((y1 - y0) * (x1 - x0));
            out.pixels[at(x, y, width)] = static_cast<std::uint8_t>(sum / count);
        }
    }
    return out;
}

std::string graphic_rows(const Bitmap& image) {
    const auto row_bytes = static_cast<std::size_t>((image.width + 7) / 8);
    std::string rows(row_bytes * static_cast<std::size_t>(image.height), '\0');
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            if (image.pixels[at(x, y, image.width)] < 128) {
                auto& byte = rows[static_cast<std::size_t>(y) * row_bytes + static_cast<std::size_t>(x / 8)];
                byte = static_cast<char>(static_cast<unsigned char>(byte) | (0x80u >> (x % 8)));
            }
        }
    }
    return rows;
}

unsigned z64_crc(std::string_view bytes) {
    unsigned crc = 0;
    for (const char c : bytes) {
        crc ^= static_cast<unsigned>(static_cast<unsigned char>(c)) << 8;
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 0x8000u) != 0 ? ((crc << 1) ^ 0x1021u) : (crc << 1);
            crc &= 0xFFFFu;
        }
    }
    return crc;
}

std::string zpl_graphic_format(const Bitmap& image, const LabelSize& size) {
    const std::string rows = graphic_rows(image);
    const std::string encoded = base64(deflated(rows));
    static constexpr char kHex[] = "0123456789ABCDEF";
    const unsigned crc = z64_crc(encoded);
    std::string crc_hex;
    for (int shift = 12; shift >= 0; shift -= 4) {
        crc_hex += kHex[(crc >> shift) & 0x0F];
    }
    const int x = std::max(0, (size.width_dots - image.width) / 2);
    const int y = std::max(0, (size.height_dots - image.height) / 2);
    const std::string total = std::to_string(rows.size());
    // ^GFA,b,c,d: b and c are the uncompressed byte count of the graphic (the printer's memory use, not what
    // travels), d the bytes per row.
    return "^XA\n^PW" + std::to_string(size.width_dots) + "\n^LL" + std::to_string(size.height_dots) +
           "\n^LH0,0\n^FO" + std::to_string(x) + "," + std::to_string(y) + "^GFA," + total + "," + total +
           "," + std::to_string((image.width + 7) / 8) + ",:Z64:" + encoded + ":" + crc_hex + "^FS\n^XZ\n";
}

}  // namespace packd::fulfillment
