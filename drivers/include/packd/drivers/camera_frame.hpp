#pragma once
// Camera frames as a V4L2 capture driver hands them out, turned into an image the barcode decoder reads:
// the raw formats become an 8-bit grey binary PGM (only the luma is kept: barcodes are read in grey),
// MJPEG frames are passed on as the JPEG they are. Pure: no I/O, no clock.
//
// Layouts follow the V4L2 API's "Image Formats" chapter (Linux Media Infrastructure userspace API,
// part I, 2.x): `bytesperline` is the stride of one row of the first plane and may be larger than the
// visible width (padding); `sizeimage` is the buffer size the driver needs for one frame.
//   GREY  1 byte per pixel, Y only                               (V4L2_PIX_FMT_GREY, "Y8")
//   YUYV  4 bytes per 2 pixels: Y0 Cb Y1 Cr                      (V4L2_PIX_FMT_YUYV, packed YUV 4:2:2)
//   UYVY  4 bytes per 2 pixels: Cb Y0 Cr Y1                      (V4L2_PIX_FMT_UYVY)
//   NV12  a Y plane of height rows, then interleaved CbCr of height/2 rows (V4L2_PIX_FMT_NV12, 4:2:0)
//   MJPG  one JPEG per frame, length in the buffer's `bytesused` (V4L2_PIX_FMT_MJPEG); bytesperline 0

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::drivers {

enum class CameraPixelFormat { grey, yuyv, uyvy, nv12, mjpeg };

/// "GREY", "YUYV", "UYVY", "NV12", "MJPG" (the fourcc as V4L2 writes it; "MJPEG" is taken too).
std::optional<CameraPixelFormat> parse_camera_pixel_format(std::string_view text);
/// The fourcc as V4L2 writes it, e.g. "YUYV".
const char* to_string(CameraPixelFormat format);
/// The V4L2 fourcc code (v4l2_fourcc of the four letters).
std::uint32_t camera_fourcc(CameraPixelFormat format);
/// The format with this V4L2 fourcc code, if it is one packd converts.
std::optional<CameraPixelFormat> camera_pixel_format_of(std::uint32_t fourcc);

/// What the driver answered to VIDIOC_S_FMT: the format it actually set.
struct CameraFrameLayout {
    CameraPixelFormat format = CameraPixelFormat::grey;
    int width = 0;
    int height = 0;
    std::uint32_t bytes_per_line = 0;  ///< 0: rows are packed (the minimum stride)
    std::uint32_t size_image = 0;      ///< the driver's buffer size for one frame
};

/// The largest frame converted: 8192 pixels a side, 40 million pixels (as the image decoder's limits).
inline constexpr int kMaxCameraSide = 8192;
inline constexpr std::int64_t kMaxCameraPixels = 40'000'000;

/// Checks a layout before streaming starts: sizes within the limits, YUYV/UYVY width even, the stride
/// at least one row's bytes, and `size_image` large enough for the rows that stride implies.
Status check_frame_layout(const CameraFrameLayout& layout);

/// One frame (the buffer's first `bytesused` bytes) as an image the decoder reads: a binary PGM (P5)
/// for the raw formats, the JPEG itself for MJPEG. A frame shorter than its layout needs, or an MJPEG
/// frame that does not start like a JPEG, is refused with the reason.
Result<std::vector<std::uint8_t>> frame_to_image(const CameraFrameLayout& layout,
                                                 std::span<const std::uint8_t> frame);

}  // namespace packd::drivers
