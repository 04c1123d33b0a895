// ZXing 1.4.0: Result::text() as UTF-8 rather than std::wstring.
#define ZX_USE_UTF8 1

#include "packd/fulfillment/scanning/image_scan.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <png.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <memory>
#include <optional>

// libjpeg's header needs FILE and size_t declared first.
#include <jpeglib.h>

namespace packd::fulfillment {
namespace {

// ---- Image files --------------------------------------------------------------------------------------

Status check_size(int64_t width, int64_t height, const ImageDecodeLimits& limits) {
    if (width <= 0 || height <= 0) {
        return fail("image has no pixels");
    }
    if (width > limits.max_width || height > limits.max_height || width * height > limits.max_pixels) {
        return fail("image of " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels is larger than allowed (" + std::to_string(limits.max_width) + "x" +
                    std::to_string(limits.max_height) + ", " + std::to_string(limits.max_pixels) +
                    " pixels)");
    }
    return {};
}

Result<GreyImage> load_png(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    // The simplified API reports errors in image.message instead of longjmp'ing through our frames.
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
        return fail(std::string("not a readable PNG: ") + image.message);
    }
    if (auto st = check_size(image.width, image.height, limits); !st) {
        png_image_free(&image);
        return st.error();
    }
    image.format = PNG_FORMAT_GRAY;
    GreyImage grey;
    grey.width = static_cast<int>(image.width);
    grey.height = static_cast<int>(image.height);
    grey.pixels.resize(PNG_IMAGE_SIZE(image));
    if (png_image_finish_read(&image, nullptr, grey.pixels.data(), 0, nullptr) == 0) {
        std::string message = image.message;
        png_image_free(&image);
        return fail("PNG is damaged: " + message);
    }
    return grey;
}

// ---- JPEG (libjpeg-turbo's libjpeg 6.2 API) ----------------------------------------------------------

// libjpeg reports a fatal error by calling error_exit, which must not return (libjpeg.txt, "Error
// handling"): ours longjmps back to read_jpeg. Everything that must outlive the jump lives in this
// heap object, not in registers, so nothing is indeterminate after it.
struct JpegRead {
    jpeg_decompress_struct info{};
    jpeg_error_mgr errors{};
    jpeg_progress_mgr progress{};
    std::jmp_buf jump{};
    char message[JMSG_LENGTH_MAX] = {};
    GreyImage grey;
};

// A progressive JPEG may hold any number of scans, each a pass over the whole image: a few hundred
// bytes can ask for minutes of work. libjpeg-turbo's advice (libjpeg.txt, "Progress monitoring";
// djpeg -maxscans) is to stop at a scan count no real encoder reaches.
constexpr int kMaxJpegScans = 200;

[[noreturn]] void jpeg_fatal(j_common_ptr common) {
    auto* read = reinterpret_cast<JpegRead*>(common->client_data);
    (*common->err->format_message)(common, read->message);
    std::longjmp(read->jump, 1);
}

void jpeg_quiet(j_common_ptr) {
    // Warnings (a premature end, extraneous bytes) would go to stderr; the pixels decoded so far stand.
}

void jpeg_count_scans(j_common_ptr common) {
    auto* info = reinterpret_cast<j_decompress_ptr>(common);
    if (info->is_decompressor && info->input_scan_number > kMaxJpegScans) {
        auto* read = reinterpret_cast<JpegRead*>(common->client_data);
        std::snprintf(read->message, sizeof read->message, "more than %d progressive scans", kMaxJpegScans);
        std::longjmp(read->jump, 1);
    }
}

Result<GreyImage> load_jpeg(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    const auto read = std::make_unique<JpegRead>();
    read->info.err = jpeg_std_error(&read->errors);
    read->errors.error_exit = jpeg_fatal;
    read->errors.output_message = jpeg_quiet;
    read->info.client_data = read.get();
    // Only frames of this function are left by the jump, and none of them holds an object with a
    // destructor that has not run: `read` was made before it.
    if (setjmp(read->jump) != 0) {
        jpeg_destroy_decompress(&read->info);
        return fail(std::string("not a readable JPEG: ") + read->message);
    }
    jpeg_create_decompress(&read->info);
    read->progress.progress_monitor = jpeg_count_scans;
    read->info.progress = &read->progress;
    // Above this libjpeg fails with an error instead of allocating more (a huge image is refused below
    // anyway, but the coefficient buffers of a progressive one come first).
    read->info.mem->max_memory_to_use = 512L * 1024 * 1024;
    jpeg_mem_src(&read->info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&read->info, TRUE);
    if (auto st = check_size(read->info.image_width, read->info.image_height, limits); !st) {
        jpeg_destroy_decompress(&read->info);
        return st.error();
    }
    read->info.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&read->info);
    read->grey.width = static_cast<int>(read->info.output_width);
    read->grey.height = static_cast<int>(read->info.output_height);
    read->grey.pixels.resize(static_cast<std::size_t>(read->grey.width) *
                             static_cast<std::size_t>(read->grey.height));
    while (read->info.output_scanline < read->info.output_height) {
        JSAMPROW row = read->grey.pixels.data() +
                       static_cast<std::size_t>(read->info.output_scanline) * read->info.output_width;
        if (jpeg_read_scanlines(&read->info, &row, 1) != 1) {
            break;  // not expected from a memory source, which pads a truncated file; ends the loop anyway
        }
    }
    jpeg_finish_decompress(&read->info);
    jpeg_destroy_decompress(&read->info);
    return std::move(read->grey);
}

// Netpbm PGM, binary (P5), maxval up to 255: "P5", width, height, maxval, one whitespace, the pixels.
Result<GreyImage> load_pgm(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    std::size_t pos = 2;
    int64_t numbers[3] = {0, 0, 0};
    for (int64_t& n : numbers) {
        while (pos < bytes.size() && (std::isspace(bytes[pos]) || bytes[pos] == '#')) {
            if (bytes[pos] == '#') {
                while (pos < bytes.size() && bytes[pos] != '\n') {
                    ++pos;
                }
            } else {
                ++pos;
            }
        }
        if (pos >= bytes.size() || !std::isdigit(bytes[pos])) {
            return fail("PGM header is damaged");
        }
        while (pos < bytes.size() && std::isdigit(bytes[pos]) && n < 1'000'000) {
            n = n * 10 + (bytes[pos++] - '0');
        }
    }
    if (numbers[2] < 1 || numbers[2] > 255) {
        return fail("PGM with maxval " + std::to_string(numbers[2]) + ": only 8-bit grey is read");
    }
    if (auto st = check_size(numbers[0], numbers[1], limits); !st) {
        return st.error();
    }
    ++pos;  // the single whitespace after maxval
    const auto size = static_cast<std::size_t>(numbers[0] * numbers[1]);
    if (pos > bytes.size() || bytes.size() - pos < size) {
        return fail("PGM is truncated: " + std::to_string(size) + " pixel bytes expected");
    }
    GreyImage grey{static_cast<int>(numbers[0]), static_cast<int>(numbers[1]),
                   std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                                             bytes.begin() + static_cast<std::ptrdiff_t>(pos + size))};
    if (numbers[2] != 255) {
        for (auto& p : grey.pixels) {
            p = static_cast<std::uint8_t>(std::min<int64_t>(255, p * 255 / numbers[2]));
        }
    }
    return grey;
}

// ---- Reply lines --------------------------------------------------------------------------------------

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out += kHex[static_cast<unsigned char>(c) >> 4];
        out += kHex[static_cast<unsigned char>(c) & 0x0F];
    }
    return out;
}

int hex_value(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

bool is_token(std::string_view s) {
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7F; });
}

}  // namespace

Result<GreyImage> load_grey_image(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    if (bytes.empty()) {
        return fail("image is empty");
    }
    if (bytes.size() > limits.max_bytes) {
        return fail("image of " + std::to_string(bytes.size()) + " bytes is larger than allowed (" +
                    std::to_string(limits.max_bytes) + ")");
    }
    constexpr std::uint8_t kPngSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() >= 8 && std::equal(std::begin(kPngSignature), std::end(kPngSignature), bytes.begin())) {
        return load_png(bytes, limits);
    }
    if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == '5') {
        return load_pgm(bytes, limits);
    }
    // SOI followed by the first marker (ITU-T T.81, B.2.1).
    if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
        return load_jpeg(bytes, limits);
    }
    return fail("not an image packd reads (PNG, JPEG or binary PGM)");
}

Result<std::vector<ImageBarcode>> decode_image_here(std::span<const std::uint8_t> bytes,
                                                    const ImageDecodeLimits& limits, bool try_harder) {
    auto image = load_grey_image(bytes, limits);
    if (!image) {
        return image.error();
    }
    using ZXing::BarcodeFormat;
    const auto formats = BarcodeFormat::Code128 | BarcodeFormat::EAN13 | BarcodeFormat::EAN8 |
                         BarcodeFormat::UPCA | BarcodeFormat::UPCE | BarcodeFormat::ITF |
                         BarcodeFormat::DataMatrix | BarcodeFormat::QRCode | BarcodeFormat::PDF417 |
                         BarcodeFormat::DataBar | BarcodeFormat::DataBarExpanded;
    const ZXing::ImageView view(image->pixels.data(), image->width, image->height, ZXing::ImageFormat::Lum);
    std::vector<ImageBarcode> found;
    for (const bool harder : {false, true}) {
        if (harder && (!try_harder || !found.empty())) {
            break;
        }
        const auto hints = ZXing::DecodeHints()
                               .setFormats(formats)
                               .setTryHarder(harder)
                               .setTryRotate(harder)
                               .setTryDownscale(harder)
                               .setMaxNumberOfSymbols(16);
        for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
            if (r.isValid()) {
                found.push_back({r.text(), r.symbologyIdentifier(), ZXing::ToString(r.format())});
            }
        }
    }
    if (found.empty()) {
        return fail("no barcode found in the " + std::to_string(image->width) + "x" +
                        std::to_string(image->height) + " image",
                    ErrorCode::not_found);
    }
    return found;
}

std::string encode_decoder_reply(const Result<std::vector<ImageBarcode>>& result) {
    if (!result) {
        std::string message = result.error().message;
        std::replace_if(
            message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        // The code goes first, so that packd branches on it and not on the words.
        return "error " + std::string(error_code_name(result.error().code)) + " " + message + "\n";
    }
    std::string out;
    for (const ImageBarcode& b : *result) {
        out += "barcode " + (b.format.empty() ? "-" : b.format) + " " +
               (b.symbology.empty() ? "-" : b.symbology) + " " + (b.text.empty() ? "-" : to_hex(b.text)) +
               "\n";
    }
    return out + "end\n";
}

Result<std::vector<ImageBarcode>> parse_decoder_reply(std::string_view reply) {
    std::vector<ImageBarcode> found;
    while (!reply.empty()) {
        const std::size_t end = reply.find('\n');
        if (end == std::string_view::npos) {
            return fail("the image decoder's reply ends in the middle of a line");
        }
        const std::string_view line = reply.substr(0, end);
        reply.remove_prefix(end + 1);
        if (line == "end") {
            return reply.empty() ? Result<std::vector<ImageBarcode>>(found)
                                 : fail("the image decoder wrote more after its end");
        }
        if (line.substr(0, 6) == "error ") {
            const std::string_view rest = line.substr(6);
            const std::size_t space = rest.find(' ');
            if (space != std::string_view::npos) {
                if (const auto code = error_code_named(rest.substr(0, space))) {
                    return fail(std::string(rest.substr(space + 1)), *code);
                }
            }
            return fail(std::string(rest));
        }
        std::vector<std::string_view> words;
        std::string_view rest = line;
        for (std::size_t space = rest.find(' '); space != std::string_view::npos; space = rest.find(' ')) {
            words.push_back(rest.substr(0, space));
            rest.remove_prefix(space + 1);
        }
        words.push_back(rest);
        if (words.size() != 4 || words[0] != "barcode" || !is_token(words[1]) || !is_token(words[2])) {
            return fail("the image decoder's reply is garbled");
        }
        auto text = words[3] == "-" ? std::optional<std::string>("") : from_hex(words[3]);
        if (!text) {
            return fail("the image decoder's reply is garbled");
        }
        found.push_back({std::move(*text), words[2] == "-" ? "" : std::string(words[2]),
                         words[1] == "-" ? "" : std::string(words[1])});
    }
    return fail("the image decoder stopped without finishing its reply");
}

}  // namespace packd::fulfillment
