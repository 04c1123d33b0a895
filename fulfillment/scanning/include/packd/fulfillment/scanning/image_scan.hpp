#pragma once
// Barcodes read from a camera frame or an image file with ZXing-cpp.
//
// Debian's libzxing 1.4.0 is built with assertions on, and some images make it abort (a linear symbol
// found on two rows with tryHarder trips `lineCount() == 1` in Result::operator==). An abort cannot be
// caught, so the daemon never decodes in its own process: `decode_image` hands the image to the
// packd-image-decoder helper process (memfd as its stdin, results on a pipe, a deadline, CPU limit) and a
// crash there is one failed scan with a reason. `decode_image_here` is what the helper runs.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

/// One symbol found in an image.
struct ImageBarcode {
    std::string text;       ///< as a scanner transmits it: GS1 data with GS (0x1D) separators
    std::string symbology;  ///< AIM identifier, e.g. "]C1"
    std::string format;     ///< ZXing's name, e.g. "Code128"
};

struct ImageDecodeLimits {
    std::size_t max_bytes = 32 * 1024 * 1024;  ///< size of the encoded image
    int max_width = 8192;                      ///< pixels
    int max_height = 8192;
    int64_t max_pixels = 40'000'000;
    std::chrono::milliseconds timeout{10'000};  ///< the helper is killed after this long
};

/// A greyscale frame: 8 bits per pixel, row-major.
struct GreyImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

/// Reads a PNG (any colour type, via libpng's simplified API), a JPEG (baseline or progressive, via
/// libjpeg-turbo) or a binary PGM (P5, 8-bit) into grey pixels, refusing anything over the limits
/// before decompressing it. Safe in-process on any bytes.
Result<GreyImage> load_grey_image(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits);

/// Decodes all warehouse symbologies (Code 128/GS1-128, EAN/UPC, ITF-14, DataMatrix, QR, PDF417,
/// DataBar) in this process: first a plain pass, then, only when it finds nothing and `try_harder`
/// is set, a tryHarder pass, which is the one that can abort. Run it only in the helper.
Result<std::vector<ImageBarcode>> decode_image_here(std::span<const std::uint8_t> bytes,
                                                    const ImageDecodeLimits& limits, bool try_harder);

/// Decodes in the helper at `decoder_path`; a crash, a hang or garbage there is an error naming it.
/// Blocks until the helper ends or the timeout passes: never on the io_context (ImageDecoder is the
/// asynchronous way); for tools, fuzzing and benches.
Result<std::vector<ImageBarcode>> decode_image(std::span<const std::uint8_t> bytes,
                                               const std::string& decoder_path,
                                               const ImageDecodeLimits& limits = {});

/// The helper's side of the pipe protocol: one line per barcode ("barcode FORMAT SYMBOLOGY HEX"), then
/// "end", or "error CODE MESSAGE" (CODE as error_code_name() names it). Hex keeps GS and any byte of the data
/// from breaking the line.
std::string encode_decoder_reply(const Result<std::vector<ImageBarcode>>& result);
Result<std::vector<ImageBarcode>> parse_decoder_reply(std::string_view reply);

}  // namespace packd::fulfillment
