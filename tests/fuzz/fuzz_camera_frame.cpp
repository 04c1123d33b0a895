// Camera frames (drivers/src/camera_frame.cpp): a layout as a driver might answer VIDIOC_S_FMT, any
// numbers, and any frame bytes. Input: byte 0 the pixel format, bytes 1-2 width and 3-4 height (little
// endian), 5-8 bytesperline, 9-12 sizeimage, the rest the frame. A converted frame is exactly a PGM of
// the luma (or the JPEG itself); anything else is refused with a reason, never read out of bounds.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.hpp"
#include "packd/drivers/camera_frame.hpp"

namespace {

using packd::drivers::CameraFrameLayout;
using packd::drivers::CameraPixelFormat;
using packd::fuzz::check;

std::uint32_t little(const std::uint8_t* p, std::size_t n) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
    }
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 13) {
        return 0;
    }
    constexpr CameraPixelFormat kFormats[] = {CameraPixelFormat::grey, CameraPixelFormat::yuyv,
                                              CameraPixelFormat::uyvy, CameraPixelFormat::nv12,
                                              CameraPixelFormat::mjpeg};
    CameraFrameLayout layout;
    layout.format = kFormats[data[0] % 5];
    layout.width = static_cast<int>(little(data + 1, 2));
    layout.height = static_cast<int>(little(data + 3, 2));
    layout.bytes_per_line = little(data + 5, 4);
    layout.size_image = little(data + 9, 4);
    const std::span<const std::uint8_t> frame(data + 13, size - 13);

    const auto image = packd::drivers::frame_to_image(layout, frame);
    const auto layout_ok = packd::drivers::check_frame_layout(layout);
    if (!image) {
        check(!image.error().message.empty(), "a refused frame says why");
        return 0;
    }
    check(layout_ok.ok(), "a frame converts only when its layout checks out");
    if (layout.format == CameraPixelFormat::mjpeg) {
        check(image->size() == frame.size() && std::equal(frame.begin(), frame.end(), image->begin()),
              "an MJPEG frame is passed on unchanged");
        return 0;
    }
    const std::string header =
        "P5\n" + std::to_string(layout.width) + " " + std::to_string(layout.height) + "\n255\n";
    const auto pixels = static_cast<std::size_t>(layout.width) * static_cast<std::size_t>(layout.height);
    check(image->size() == header.size() + pixels, "a PGM holds one byte per pixel after its header");
    check(std::equal(header.begin(), header.end(), image->begin()), "the PGM header names the frame's size");
    // The last pixel is the luma of the last row, wherever the stride puts it.
    const std::size_t per_pixel =
        layout.format == CameraPixelFormat::yuyv || layout.format == CameraPixelFormat::uyvy ? 2 : 1;
    const std::size_t row = static_cast<std::size_t>(layout.width) * per_pixel;
    const std::size_t stride = layout.bytes_per_line == 0 ? row : layout.bytes_per_line;
    const std::size_t last = stride * static_cast<std::size_t>(layout.height - 1) +
                             (static_cast<std::size_t>(layout.width) - 1) * per_pixel +
                             (layout.format == CameraPixelFormat::uyvy ? 1 : 0);
    check(last < frame.size() && image->back() == frame[last], "the last pixel is the last row's luma");
    return 0;
}
