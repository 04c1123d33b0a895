// The V4L2 camera transport without a camera: this machine has no /dev/video* and no vivid module to
// load (drivers/README.md), so what runs is what the transport does before streaming: a missing
// device and a file that is not a V4L2 device leave the camera offline with the reason, and the
// reconnect timer tries again. Streaming itself (REQBUFS, mmap, DQBUF) has not run here.

#include "packd/drivers/v4l2_camera.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "test_env.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(10ms);
        io.restart();
    }
    return done();
}

CameraFrameDecoder never_called(int& calls) {
    return [&calls](std::vector<std::uint8_t>, std::function<void(Result<std::vector<ScanReading>>)>) {
        ++calls;
    };
}

V4l2CameraSettings settings_for(const std::string& device) {
    V4l2CameraSettings s;
    s.device = device;
    s.reconnect = 20ms;
    return s;
}

TEST(V4l2Camera, AMissingCameraIsOfflineAndRetriedUntilSomethingIsThere) {
    test::TempDir dir;
    const std::string path = dir.file("video0");
    boost::asio::io_context io;
    int decodes = 0;
    V4l2Camera camera(io, "dock-camera", settings_for(path), never_called(decodes));
    auto st = camera.open();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message, "no camera at " + path);
    EXPECT_EQ(camera.status().state, DeviceState::offline);
    EXPECT_EQ(camera.status().detail, "no camera at " + path);
    EXPECT_EQ(camera.open_attempts(), 1U);

    // Something appears at the path, but it is a plain file: the retry finds it and says what it is.
    test::write_file(path, "not a camera");
    ASSERT_TRUE(run_until(io, [&] { return camera.status().detail != "no camera at " + path; }));
    EXPECT_GE(camera.open_attempts(), 2U) << "found by the reconnect timer, not by the first open";
    EXPECT_EQ(camera.status().state, DeviceState::offline);
    EXPECT_EQ(camera.status().detail,
              path + " is not a video capture device (VIDIOC_QUERYCAP: Inappropriate ioctl for device)");
    EXPECT_EQ(decodes, 0);
}

TEST(V4l2Camera, ANonVideoDeviceIsRefusedByQueryCap) {
    boost::asio::io_context io;
    int decodes = 0;
    V4l2Camera camera(io, "dock-camera", settings_for("/dev/null"), never_called(decodes));
    auto st = camera.open();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().message,
              "/dev/null is not a video capture device (VIDIOC_QUERYCAP: Inappropriate ioctl for device)");
    EXPECT_EQ(camera.status().state, DeviceState::offline);
    EXPECT_EQ(camera.open_attempts(), 1U);
    // The reconnect timer opens it again (twice at least, so the retry re-arms itself); each retry keeps it
    // offline with the same reason, and the camera goes away cleanly with a timer armed.
    ASSERT_TRUE(run_until(io, [&] { return camera.open_attempts() >= 3; })) << camera.open_attempts();
    EXPECT_EQ(camera.status().state, DeviceState::offline);
    EXPECT_EQ(camera.status().detail, st.error().message);
    EXPECT_EQ(decodes, 0);
}

}  // namespace
}  // namespace packd::drivers
