// Image scanning (fulfillment/scanning/src/image_scan.cpp): any bytes handed in as an image give barcodes or
// a reason, never a crash of this process. The image reader (PNG through libpng's simplified API, JPEG
// through libjpeg-turbo, PGM) runs in-process here; ZXing runs in the packd-image-decoder helper, whose crash
// must come back as an error. The helper's reply parser is fed the same bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/scanning/image_scan.hpp"

using packd::fuzz::check;
using namespace packd::fulfillment;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    ImageDecodeLimits limits;
    limits.max_pixels = 4'000'000;
    auto image = load_grey_image(bytes, limits);
    if (image) {
        check(image->width > 0 && image->height > 0, "a loaded image has pixels");
        check(image->pixels.size() ==
                  static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height),
              "one byte per pixel");
    } else {
        check(!image.error().message.empty(), "a refused image says why");
    }
    // Each helper run is a process start (slow under sanitizers), so bytes that are no image go to the
    // helper only now and then: it refuses them for the reason load_grey_image gave above.
    if (image || size % 8 == 0) {
        auto found = decode_image(bytes, PACKD_IMAGE_DECODER, limits);
        if (found) {
            check(image.ok(), "only a loadable image gives barcodes");
            check(!found->empty(), "success means at least one barcode");
        } else {
            check(!found.error().message.empty(), "a failed decode says why");
        }
    }
    auto reply = parse_decoder_reply(std::string_view(reinterpret_cast<const char*>(data), size));
    if (reply) {
        auto again = parse_decoder_reply(encode_decoder_reply(reply));
        check(again.ok() && again->size() == reply->size(), "a reply survives being written again");
    }
    return 0;
}
