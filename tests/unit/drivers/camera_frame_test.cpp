// Camera frames in every V4L2 format packd takes, drawn from a ZXing-written EAN-13, converted and
// decoded back; layouts and frames that do not add up are refused with the reason. Then the feed:
// one frame per interval to the real decoder helper, a code in view is one scan.

#include "packd/drivers/camera_frame.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <iterator>

#include "packd/drivers/camera_feed.hpp"
#include "packd/fulfillment/scanning/image_decoder.hpp"
#include "packd/fulfillment/scanning/image_scan.hpp"
#include "test_env.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

constexpr int kWidth = 480;
constexpr int kHeight = 160;

// Grey pixels: white, with the EAN-13 of 400638133393 (check digit 1), 3 pixels a module, 120 rows tall.
std::vector<std::uint8_t> ean13_grey(const std::string& digits = "400638133393") {
    std::vector<std::uint8_t> grey(kWidth * kHeight, 255);
    const ZXing::BitMatrix m =
        ZXing::MultiFormatWriter(ZXing::BarcodeFormat::EAN13).setMargin(0).encode(digits, 0, 0);
    const int x0 = (kWidth - m.width() * 3) / 2;
    for (int y = 20; y < 140; ++y) {
        for (int px = 0; px < m.width() * 3; ++px) {
            if (m.get(px / 3, 0)) {
                grey[static_cast<std::size_t>(y * kWidth + x0 + px)] = 0;
            }
        }
    }
    return grey;
}

// The grey pixels laid out as a driver would hand them over, rows padded to `stride` bytes; chroma is
// a colour cast (not neutral 128) so a converter that reads it instead of luma breaks the barcode.
std::vector<std::uint8_t> frame_of(CameraPixelFormat format, const std::vector<std::uint8_t>& grey,
                                   std::size_t stride) {
    const auto w = static_cast<std::size_t>(kWidth);
    const auto h = static_cast<std::size_t>(kHeight);
    std::vector<std::uint8_t> frame;
    switch (format) {
        case CameraPixelFormat::grey:
        case CameraPixelFormat::nv12:
            frame.assign(stride * h + (format == CameraPixelFormat::nv12 ? stride * h / 2 : 0), 40);
            for (std::size_t y = 0; y < h; ++y) {
                std::copy_n(grey.begin() + static_cast<std::ptrdiff_t>(y * w), w,
                            frame.begin() + static_cast<std::ptrdiff_t>(y * stride));
            }
            break;
        case CameraPixelFormat::yuyv:
        case CameraPixelFormat::uyvy: {
            frame.assign(stride * h, 40);
            const std::size_t luma = format == CameraPixelFormat::yuyv ? 0 : 1;
            for (std::size_t y = 0; y < h; ++y) {
                for (std::size_t x = 0; x < w; ++x) {
                    frame[y * stride + 2 * x + luma] = grey[y * w + x];
                    frame[y * stride + 2 * x + 1 - luma] = x % 2 == 0 ? 20 : 230;  // Cb, Cr
                }
            }
            break;
        }
        case CameraPixelFormat::mjpeg:
            break;
    }
    return frame;
}

std::vector<std::uint8_t> data_file(const std::string& name) {
    std::ifstream in(test::source_dir() + "/tests/data/scanner/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct FormatCase {
    CameraPixelFormat format;
    std::size_t bytes_per_pixel;
};

class CameraFrameFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(CameraFrameFormats, EanInTheFrameDecodesAfterConversion) {
    const FormatCase c = GetParam();
    const std::size_t stride = kWidth * c.bytes_per_pixel + 64;  // padded rows, as many drivers have
    const std::vector<std::uint8_t> frame = frame_of(c.format, ean13_grey(), stride);
    const CameraFrameLayout layout{c.format, kWidth, kHeight, static_cast<std::uint32_t>(stride),
                                   static_cast<std::uint32_t>(frame.size())};
    auto image = frame_to_image(layout, frame);
    ASSERT_TRUE(image) << image.error().message;
    const std::string header = "P5\n480 160\n255\n";
    ASSERT_EQ(image->size(), header.size() + kWidth * kHeight);
    EXPECT_EQ(std::string(image->begin(), image->begin() + static_cast<std::ptrdiff_t>(header.size())),
              header);
    EXPECT_TRUE(std::equal(image->begin() + static_cast<std::ptrdiff_t>(header.size()), image->end(),
                           ean13_grey().begin()));
    auto found = fulfillment::decode_image_here(*image, {}, false);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].text, "4006381333931");
    EXPECT_EQ((*found)[0].symbology, "]E0");
}

INSTANTIATE_TEST_SUITE_P(
    Formats, CameraFrameFormats,
    ::testing::Values(FormatCase{CameraPixelFormat::grey, 1}, FormatCase{CameraPixelFormat::yuyv, 2},
                      FormatCase{CameraPixelFormat::uyvy, 2}, FormatCase{CameraPixelFormat::nv12, 1}),
    [](const ::testing::TestParamInfo<FormatCase>& p) { return std::string(to_string(p.param.format)); });

TEST(CameraFrame, PackedRowsNeedNoBytesPerLine) {
    const std::vector<std::uint8_t> frame = frame_of(CameraPixelFormat::yuyv, ean13_grey(), kWidth * 2);
    auto image = frame_to_image({CameraPixelFormat::yuyv, kWidth, kHeight, 0, kWidth * kHeight * 2}, frame);
    ASSERT_TRUE(image) << image.error().message;
    auto found = fulfillment::decode_image_here(*image, {}, false);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ((*found)[0].text, "4006381333931");
}

TEST(CameraFrame, MjpegFramesPassThroughAsJpeg) {
    const std::vector<std::uint8_t> jpeg = data_file("ean13_frame.jpg");
    ASSERT_FALSE(jpeg.empty());
    auto image = frame_to_image({CameraPixelFormat::mjpeg, 1280, 720, 0, 1280 * 720}, jpeg);
    ASSERT_TRUE(image) << image.error().message;
    EXPECT_EQ(*image, jpeg);
    auto found = fulfillment::decode_image_here(*image, {}, false);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ((*found)[0].text, "4006381333931");
}

TEST(CameraFrame, BadLayoutsAndFramesSayWhy) {
    const std::vector<std::uint8_t> frame(kWidth * kHeight * 2, 0);
    const auto reason = [&](CameraFrameLayout layout, std::size_t bytes) {
        auto image = frame_to_image(layout, std::span<const std::uint8_t>(frame).first(bytes));
        return image ? std::string("converted") : image.error().message;
    };
    using F = CameraPixelFormat;
    EXPECT_EQ(reason({F::yuyv, kWidth, kHeight, 0, kWidth * kHeight * 2}, frame.size() - 1),
              "camera frame of 153599 bytes is shorter than 480x160 YUYV needs (153600 bytes)");
    EXPECT_EQ(reason({F::yuyv, kWidth, kHeight, kWidth, kWidth * kHeight * 2}, frame.size()),
              "camera frame of 480x160 YUYV: bytesperline 480 is less than one row (960 bytes)");
    EXPECT_EQ(reason({F::grey, kWidth, kHeight, kWidth, kWidth * kHeight - 1}, frame.size()),
              "camera frame of 480x160 GREY: sizeimage 76799 is less than the 76800 bytes its rows need");
    EXPECT_EQ(reason({F::nv12, kWidth, kHeight, 0, kWidth * kHeight}, frame.size()),
              "camera frame of 480x160 NV12: sizeimage 76800 is less than the 115200 bytes its rows need");
    EXPECT_EQ(reason({F::uyvy, 481, kHeight, 0, 481 * kHeight * 2}, frame.size()),
              "camera frame of 481x160 UYVY: packed 4:2:2 needs an even width");
    EXPECT_EQ(reason({F::grey, 0, kHeight, 0, 0}, frame.size()), "camera frame of 0x160 has no pixels");
    EXPECT_EQ(reason({F::grey, 8192, 8192, 0, 8192u * 8192u}, frame.size()),
              "camera frame of 8192x8192 GREY is larger than packd decodes (8192 pixels a side, 40000000 "
              "pixels)");
    EXPECT_EQ(reason({F::mjpeg, kWidth, kHeight, 0, 0}, 100),
              "MJPEG camera frame of 100 bytes is not a JPEG");
    // A stride so large that its rows do not fit in 32 bits of sizeimage: refused, not wrapped.
    EXPECT_NE(reason({F::grey, 4000, 8000, 0xFFFFFFFFu, 0xFFFFFFFFu}, frame.size()), "converted");
}

TEST(CameraFrame, PixelFormatNamesAndFourccs) {
    EXPECT_EQ(parse_camera_pixel_format("yuyv"), CameraPixelFormat::yuyv);
    EXPECT_EQ(parse_camera_pixel_format("MJPEG"), CameraPixelFormat::mjpeg);
    EXPECT_EQ(parse_camera_pixel_format("RGB3"), std::nullopt);
    // v4l2_fourcc('Y','U','Y','V') from linux/videodev2.h, written out.
    EXPECT_EQ(camera_fourcc(CameraPixelFormat::yuyv), 0x56595559u);
    EXPECT_EQ(camera_pixel_format_of(0x47504A4Du), CameraPixelFormat::mjpeg);  // "MJPG"
    EXPECT_EQ(camera_pixel_format_of(0x33424752u), std::nullopt);              // "RGB3"
}

ScanReading ean(const std::string& data) {
    return {data, "]E0", {}, {}};
}

TEST(CameraScanDebounce, ACodeInViewIsOneScanUntilItLeavesForRepeatAfter) {
    CameraScanDebounce d(1000ms);
    EXPECT_EQ(d.frame(0ms, {ean("4006381333931")}).size(), 1u);
    EXPECT_TRUE(d.frame(200ms, {ean("4006381333931")}).empty());
    // Still in view long after repeat_after: the same scan, as the frames keep seeing it.
    EXPECT_TRUE(d.frame(1100ms, {ean("4006381333931")}).empty());
    EXPECT_TRUE(d.frame(2000ms, {ean("4006381333931")}).empty());
    // Gone for less than repeat_after, then back: still the same scan.
    EXPECT_TRUE(d.frame(2500ms, {}).empty());
    EXPECT_TRUE(d.frame(2900ms, {ean("4006381333931")}).empty());
    // Gone for more than repeat_after: a new scan.
    EXPECT_TRUE(d.frame(3500ms, {}).empty());
    const auto again = d.frame(4000ms, {ean("4006381333931"), ean("5012345678900")});
    ASSERT_EQ(again.size(), 2u);
    EXPECT_EQ(again[1].data, "5012345678900");
    // The same data in another symbology is another code.
    EXPECT_EQ(d.frame(4100ms, {{"4006381333931", "]C0", {}, {}}}).size(), 1u);
}

// Runs the loop until `done` or a generous deadline.
template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(10ms);
        io.restart();
    }
    return done();
}

TEST(CameraFeed, FramesGoToTheDecoderHelperOncePerIntervalAndBecomeOneScan) {
    boost::asio::io_context io;
    fulfillment::ImageDecoder decoder(io, {PACKD_IMAGE_DECODER, {}, 2, 8});
    int decodes = 0;
    std::vector<ScanReading> scans;
    CameraFeed feed(
        {500ms, 2000ms, 30000ms},
        [&](std::vector<std::uint8_t> image, std::function<void(Result<std::vector<ScanReading>>)> done) {
            ++decodes;
            decoder.decode(std::move(image), [done](Result<std::vector<fulfillment::ImageBarcode>> found) {
                if (!found) {
                    done(found.error());
                    return;
                }
                std::vector<ScanReading> readings;
                for (const auto& b : *found) {
                    readings.push_back({b.text, b.symbology, {}, {}});
                }
                done(readings);
            });
        },
        [&](const ScanReading& r) { scans.push_back(r); });
    const std::vector<std::uint8_t> with_code = frame_of(CameraPixelFormat::yuyv, ean13_grey(), kWidth * 2);
    const std::vector<std::uint8_t> empty =
        frame_of(CameraPixelFormat::yuyv, std::vector<std::uint8_t>(kWidth * kHeight, 255), kWidth * 2);
    const CameraFrameLayout layout{CameraPixelFormat::yuyv, kWidth, kHeight, 0, kWidth * kHeight * 2};

    EXPECT_TRUE(feed.offer(0ms, layout, with_code));
    EXPECT_FALSE(feed.offer(100ms, layout, with_code)) << "not due yet";
    ASSERT_TRUE(run_until(io, [&] { return !feed.decoding(); }));
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].data, "4006381333931");
    EXPECT_EQ(scans[0].symbology, "]E0");

    // Frames taken 33 ms apart for 1.5 s with the code still in view: three decoded, no new scan.
    for (int t = 533; t <= 2000; t += 33) {
        (void)feed.offer(std::chrono::milliseconds(t), layout, with_code);
        ASSERT_TRUE(run_until(io, [&] { return !feed.decoding(); }));
    }
    EXPECT_EQ(decodes, 4);
    EXPECT_EQ(scans.size(), 1u);

    // Out of view for 2.5 s, then back: a second scan.
    for (int t = 2500; t <= 4500; t += 500) {
        EXPECT_TRUE(feed.offer(std::chrono::milliseconds(t), layout, empty));
        ASSERT_TRUE(run_until(io, [&] { return !feed.decoding(); }));
    }
    EXPECT_EQ(scans.size(), 1u) << "a frame without a barcode reports nothing";
    EXPECT_TRUE(feed.offer(5000ms, layout, with_code));
    ASSERT_TRUE(run_until(io, [&] { return scans.size() == 2; }));
    EXPECT_EQ(scans[1].data, "4006381333931");
}

TEST(CameraFeed, WhileAFrameIsDecodingTheNextIsDropped) {
    std::function<void(Result<std::vector<ScanReading>>)> pending;
    int decodes = 0;
    CameraFeed feed(
        {100ms, 1000ms, 30000ms},
        [&](std::vector<std::uint8_t>, std::function<void(Result<std::vector<ScanReading>>)> done) {
            ++decodes;
            pending = std::move(done);
        },
        [](const ScanReading&) {});
    const std::vector<std::uint8_t> frame(16 * 16, 255);
    const CameraFrameLayout layout{CameraPixelFormat::grey, 16, 16, 0, 256};
    EXPECT_TRUE(feed.offer(0ms, layout, frame));
    EXPECT_FALSE(feed.offer(200ms, layout, frame));
    EXPECT_FALSE(feed.offer(400ms, layout, frame));
    pending(std::vector<ScanReading>{});
    EXPECT_TRUE(feed.offer(600ms, layout, frame));
    // A decoder that never answers (replaced on reload) is given up after decode_lost.
    EXPECT_FALSE(feed.offer(20'000ms, layout, frame));
    EXPECT_TRUE(feed.offer(31'000ms, layout, frame));
    EXPECT_EQ(decodes, 3);
}

TEST(CameraFeed, AFrameThatDoesNotConvertIsOneRejectedScan) {
    std::vector<ScanReading> scans;
    CameraFeed feed(
        {100ms, 1000ms, 30000ms},
        [](std::vector<std::uint8_t>, std::function<void(Result<std::vector<ScanReading>>)>) {
            FAIL() << "a bad frame must not reach the decoder";
        },
        [&](const ScanReading& r) { scans.push_back(r); });
    const std::vector<std::uint8_t> short_frame(100, 0);
    const CameraFrameLayout layout{CameraPixelFormat::grey, 16, 16, 0, 256};
    EXPECT_FALSE(feed.offer(0ms, layout, short_frame));
    EXPECT_FALSE(feed.offer(200ms, layout, short_frame));
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].rejected, "camera frame of 100 bytes is shorter than 16x16 GREY needs (256 bytes)");
}

}  // namespace
}  // namespace packd::drivers
