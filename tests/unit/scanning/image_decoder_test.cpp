// Image scans decoded in helper processes watched by the io_context: the loop keeps running while a
// helper decodes, hangs or crashes, and every image gets one answer.

#include "packd/fulfillment/scanning/image_decoder.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <optional>

#include "packd/fulfillment/labels/label.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;
using Found = Result<std::vector<ImageBarcode>>;

// A 1280x720 white frame with a Code 128 symbol `bar_height` pixels tall at (x, y), 3 pixels a module.
std::vector<std::uint8_t> code128_frame(const std::string& text, int x, int y, int bar_height) {
    Bitmap frame{1280, 720, std::vector<std::uint8_t>(1280 * 720, 255)};
    const ZXing::BitMatrix m =
        ZXing::MultiFormatWriter(ZXing::BarcodeFormat::Code128).setMargin(0).encode(text, 0, 0);
    for (int py = y; py < y + bar_height; ++py) {
        for (int px = 0; px < m.width() * 3; ++px) {
            if (m.get(px / 3, 0)) {
                frame.pixels[static_cast<std::size_t>(py * 1280 + x + px)] = 0;
            }
        }
    }
    auto png = encode_png(frame);
    EXPECT_TRUE(png) << png.error().message;
    return {png->begin(), png->end()};
}

// A frame the tryHarder pass of Debian's libzxing 1.4.0 aborts on (image_scan_test.cpp says why).
std::vector<std::uint8_t> aborting_frame() {
    return code128_frame("ORD-1001", 100, 100, 8);
}

// A stand-in decoder: a shell script with this body.
std::string decoder_script(const test::TempDir& dir, const std::string& body) {
    const std::string path = dir.file("decoder.sh");
    test::write_file(path, "#!/bin/sh\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
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

// A timer that counts its ticks until stopped: the io_context's pulse.
struct Ticker {
    explicit Ticker(boost::asio::io_context& io) : timer(io) { arm(); }
    void arm() {
        timer.expires_after(5ms);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) {
                ++ticks;
                if (on_tick) {
                    on_tick(ticks);
                }
                arm();
            }
        });
    }
    boost::asio::steady_timer timer;
    int ticks = 0;
    std::function<void(int)> on_tick;
};

TEST(ImageDecoder, DecodesACameraFrameInAHelper) {
    boost::asio::io_context io;
    ImageDecoder decoder(io, {PACKD_IMAGE_DECODER, {}, 2, 8});
    std::optional<Found> found;
    decoder.decode(code128_frame("ORD-1001", 400, 300, 120), [&](Found r) { found = std::move(r); });
    EXPECT_FALSE(found) << "the answer comes on the io_context, not inside decode()";
    ASSERT_TRUE(run_until(io, [&] { return found.has_value(); }));
    ASSERT_TRUE(*found) << found->error().message;
    ASSERT_EQ((*found)->size(), 1u);
    EXPECT_EQ((**found)[0].text, "ORD-1001");
    EXPECT_EQ((**found)[0].symbology, "]C0");
    EXPECT_EQ(decoder.running(), 0u);
}

TEST(ImageDecoder, TheLoopRunsOnWhileAHelperWorks) {
    // The helper finishes only once the loop has ticked three times: a decode that blocked the loop
    // would never see the flag, and this test would end on its deadline.
    test::TempDir dir;
    const std::string flag = dir.file("ticked");
    const std::string script = decoder_script(
        dir, "while [ ! -e " + flag + " ]; do sleep 0.01; done\necho 'error released by the ticker'");
    boost::asio::io_context io;
    ImageDecodeLimits limits;
    limits.timeout = 60s;
    ImageDecoder decoder(io, {script, limits, 2, 8});
    Ticker ticker(io);
    ticker.on_tick = [&](int ticks) {
        if (ticks == 3) {
            test::write_file(flag, "");
        }
    };
    std::optional<Found> found;
    decoder.decode({1, 2, 3}, [&](Found r) { found = std::move(r); });
    ASSERT_TRUE(run_until(io, [&] { return found.has_value(); }));
    ASSERT_FALSE(*found);
    EXPECT_EQ(found->error().message, "released by the ticker");
    EXPECT_GE(ticker.ticks, 3);
}

TEST(ImageDecoder, AHangingHelperIsKilledAtItsDeadline) {
    test::TempDir dir;
    const std::string script = decoder_script(dir, "exec sleep 600");
    boost::asio::io_context io;
    ImageDecodeLimits limits;
    limits.timeout = 300ms;
    ImageDecoder decoder(io, {script, limits, 2, 8});
    Ticker ticker(io);
    int ticks_when_answered = -1;
    std::optional<Found> found;
    decoder.decode({1, 2, 3}, [&](Found r) {
        found = std::move(r);
        ticks_when_answered = ticker.ticks;
    });
    ASSERT_TRUE(run_until(io, [&] { return found.has_value(); }));
    ASSERT_FALSE(*found);
    EXPECT_NE(found->error().message.find("took longer than 300 ms"), std::string::npos)
        << found->error().message;
    // Our timer ran while the helper hung (a blocking wait would have held it at zero).
    EXPECT_GT(ticks_when_answered, 0);
    EXPECT_EQ(decoder.running(), 0u);
}

TEST(ImageDecoder, ACrashIsOneFailedScanAndTheQueueGoesOn) {
    boost::asio::io_context io;
    ImageDecoder decoder(io, {PACKD_IMAGE_DECODER, {}, 1, 8});
    std::vector<Found> answers;
    decoder.decode(aborting_frame(), [&](Found r) { answers.push_back(std::move(r)); });
    decoder.decode(code128_frame("TOTE-17", 400, 300, 120),
                   [&](Found r) { answers.push_back(std::move(r)); });
    decoder.decode({'n', 'o', 'p', 'e'}, [&](Found r) { answers.push_back(std::move(r)); });
    EXPECT_EQ(decoder.running(), 1u);
    EXPECT_EQ(decoder.waiting(), 2u);
    ASSERT_TRUE(run_until(io, [&] { return answers.size() == 3; }));
    ASSERT_FALSE(answers[0]);
    EXPECT_NE(answers[0].error().message.find("SIGABRT"), std::string::npos) << answers[0].error().message;
    ASSERT_TRUE(answers[1]) << answers[1].error().message;
    EXPECT_EQ((*answers[1])[0].text, "TOTE-17");
    ASSERT_FALSE(answers[2]);
    EXPECT_NE(answers[2].error().message.find("not an image"), std::string::npos)
        << answers[2].error().message;
}

TEST(ImageDecoder, AFullQueueAndAMissingHelperAreRefusedWithAReason) {
    test::TempDir dir;
    const std::string script = decoder_script(dir, "exec sleep 600");
    boost::asio::io_context io;
    ImageDecodeLimits limits;
    limits.timeout = 60s;
    limits.max_bytes = 1000;
    auto decoder = std::make_unique<ImageDecoder>(io, ImageDecoderSettings{script, limits, 1, 1});
    std::vector<std::string> reasons;
    auto keep = [&](Found r) { reasons.push_back(r ? "decoded" : r.error().message); };
    decoder->decode({1}, keep);                                 // runs (and hangs)
    decoder->decode({2}, keep);                                 // waits
    decoder->decode({3}, keep);                                 // one too many
    decoder->decode(std::vector<std::uint8_t>(1001, 0), keep);  // too large
    ASSERT_TRUE(run_until(io, [&] { return reasons.size() == 2; }));
    EXPECT_NE(reasons[0].find("already waiting"), std::string::npos) << reasons[0];
    EXPECT_NE(reasons[1].find("larger than allowed"), std::string::npos) << reasons[1];
    // Destroying the decoder kills and reaps its hanging helper; its callbacks are not called.
    decoder.reset();
    io.run_for(50ms);
    EXPECT_EQ(reasons.size(), 2u);

    ImageDecoder missing(io, {"/nonexistent/packd-image-decoder", {}, 1, 1});
    std::optional<Found> found;
    missing.decode({1}, [&](Found r) { found = std::move(r); });
    io.restart();
    ASSERT_TRUE(run_until(io, [&] { return found.has_value(); }));
    ASSERT_FALSE(*found);
    EXPECT_NE(found->error().message.find("cannot start"), std::string::npos) << found->error().message;
}

}  // namespace
}  // namespace packd::fulfillment
