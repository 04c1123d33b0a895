#include "packd/drivers/camera_frame.hpp"

#include <cctype>
#include <cstddef>
#include <string>

namespace packd::drivers {
namespace {

constexpr std::uint32_t fourcc(char a, char b, char c, char d) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(a)) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(c)) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(d)) << 24;
}

// Bytes of one row of the first plane without padding.
std::uint64_t row_bytes(const CameraFrameLayout& layout) {
    const auto width = static_cast<std::uint64_t>(layout.width);
    switch (layout.format) {
        case CameraPixelFormat::yuyv:
        case CameraPixelFormat::uyvy:
            return 2 * width;
        case CameraPixelFormat::grey:
        case CameraPixelFormat::nv12:
        case CameraPixelFormat::mjpeg:
            return width;
    }
    return width;
}

std::uint64_t stride(const CameraFrameLayout& layout) {
    return layout.bytes_per_line == 0 ? row_bytes(layout) : layout.bytes_per_line;
}

// The whole frame as the driver lays it out: every row padded to the stride, plus NV12's chroma rows.
std::uint64_t full_frame_bytes(const CameraFrameLayout& layout) {
    const auto height = static_cast<std::uint64_t>(layout.height);
    const std::uint64_t luma = stride(layout) * height;
    return layout.format == CameraPixelFormat::nv12 ? luma + stride(layout) * ((height + 1) / 2) : luma;
}

// What the conversion reads: the luma rows, the last one without its padding.
std::uint64_t luma_bytes(const CameraFrameLayout& layout) {
    return stride(layout) * static_cast<std::uint64_t>(layout.height - 1) + row_bytes(layout);
}

std::string describe(const CameraFrameLayout& layout) {
    return std::to_string(layout.width) + "x" + std::to_string(layout.height) + " " +
           to_string(layout.format);
}

}  // namespace

std::optional<CameraPixelFormat> parse_camera_pixel_format(std::string_view text) {
    std::string upper;
    for (const char c : text) {
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (upper == "GREY" || upper == "GRAY" || upper == "Y8") {
        return CameraPixelFormat::grey;
    }
    if (upper == "YUYV") {
        return CameraPixelFormat::yuyv;
    }
    if (upper == "UYVY") {
        return CameraPixelFormat::uyvy;
    }
    if (upper == "NV12") {
        return CameraPixelFormat::nv12;
    }
    if (upper == "MJPG" || upper == "MJPEG") {
        return CameraPixelFormat::mjpeg;
    }
    return std::nullopt;
}

const char* to_string(CameraPixelFormat format) {
    switch (format) {
        case CameraPixelFormat::grey:
            return "GREY";
        case CameraPixelFormat::yuyv:
            return "YUYV";
        case CameraPixelFormat::uyvy:
            return "UYVY";
        case CameraPixelFormat::nv12:
            return "NV12";
        case CameraPixelFormat::mjpeg:
            return "MJPG";
    }
    return "?";
}

std::uint32_t camera_fourcc(CameraPixelFormat format) {
    const char* name = to_string(format);
    return fourcc(name[0], name[1], name[2], name[3]);
}

std::optional<CameraPixelFormat> camera_pixel_format_of(std::uint32_t code) {
    for (const CameraPixelFormat f :
         {CameraPixelFormat::grey, CameraPixelFormat::yuyv, CameraPixelFormat::uyvy, CameraPixelFormat::nv12,
          CameraPixelFormat::mjpeg}) {
        if (camera_fourcc(f) == code) {
            return f;
        }
    }
    return std::nullopt;
}

Status check_frame_layout(const CameraFrameLayout& layout) {
    if (layout.width <= 0 || layout.height <= 0) {
        return fail("camera frame of " + std::to_string(layout.width) + "x" + std::to_string(layout.height) +
                    " has no pixels");
    }
    if (layout.width > kMaxCameraSide || layout.height > kMaxCameraSide ||
        std::int64_t{layout.width} * layout.height > kMaxCameraPixels) {
        return fail("camera frame of " + describe(layout) + " is larger than packd decodes (" +
                    std::to_string(kMaxCameraSide) + " pixels a side, " + std::to_string(kMaxCameraPixels) +
                    " pixels)");
    }
    if (layout.format == CameraPixelFormat::mjpeg) {
        return {};  // compressed: the size of each frame is its bytesused, checked per frame
    }
    if ((layout.format == CameraPixelFormat::yuyv || layout.format == CameraPixelFormat::uyvy) &&
        layout.width % 2 != 0) {
        return fail("camera frame of " + describe(layout) + ": packed 4:2:2 needs an even width");
    }
    if (layout.bytes_per_line != 0 && layout.bytes_per_line < row_bytes(layout)) {
        return fail("camera frame of " + describe(layout) + ": bytesperline " +
                    std::to_string(layout.bytes_per_line) + " is less than one row (" +
                    std::to_string(row_bytes(layout)) + " bytes)");
    }
    if (layout.size_image < full_frame_bytes(layout)) {
        return fail("camera frame of " + describe(layout) + ": sizeimage " +
                    std::to_string(layout.size_image) + " is less than the " +
                    std::to_string(full_frame_bytes(layout)) + " bytes its rows need");
    }
    return {};
}

Result<std::vector<std::uint8_t>> frame_to_image(const CameraFrameLayout& layout,
                                                 std::span<const std::uint8_t> frame) {
    if (auto st = check_frame_layout(layout); !st) {
        return st.error();
    }
    if (layout.format == CameraPixelFormat::mjpeg) {
        // A JPEG starts with SOI (FF D8, ITU-T T.81 B.1.1.3). Motion-JPEG frames from UVC cameras often
        // leave out the Huffman tables; libjpeg-turbo then uses the standard ones (T.81 K.3).
        if (frame.size() < 4 || frame[0] != 0xFF || frame[1] != 0xD8) {
            return fail("MJPEG camera frame of " + std::to_string(frame.size()) + " bytes is not a JPEG");
        }
        return std::vector<std::uint8_t>(frame.begin(), frame.end());
    }
    const std::uint64_t needed = luma_bytes(layout);
    if (frame.size() < needed) {
        return fail("camera frame of " + std::to_string(frame.size()) + " bytes is shorter than " +
                    describe(layout) + " needs (" + std::to_string(needed) + " bytes)");
    }
    const std::string header =
        "P5\n" + std::to_string(layout.width) + " " + std::to_string(layout.height) + "\n255\n";
    const auto width = static_cast<std::size_t>(layout.width);
    const auto height = static_cast<std::size_t>(layout.height);
    std::vector<std::uint8_t> pgm;
    pgm.reserve(header.size() + width * height);
    pgm.insert(pgm.end(), header.begin(), header.end());
    const auto row_stride = static_cast<std::size_t>(stride(layout));
    // Luma is every byte (GREY, NV12's first plane), the even bytes (YUYV) or the odd bytes (UYVY).
    const std::size_t step =
        layout.format == CameraPixelFormat::yuyv || layout.format == CameraPixelFormat::uyvy ? 2 : 1;
    const std::size_t first = layout.format == CameraPixelFormat::uyvy ? 1 : 0;
    for (std::size_t y = 0; y < height; ++y) {
        const std::uint8_t* row = frame.data() + y * row_stride + first;
        if (step == 1) {
            pgm.insert(pgm.end(), row, row + width);
            continue;
        }
        for (std::size_t x = 0; x < width; ++x) {
            pgm.push_back(row[x * step]);
        }
    }
    return pgm;
}

}  // namespace packd::drivers
