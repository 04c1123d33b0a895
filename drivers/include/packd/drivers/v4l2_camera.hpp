#pragma once
// A camera as a barcode scanner, through Video4Linux2 (/dev/video*, best by its /dev/v4l/by-id path):
// VIDIOC_QUERYCAP, VIDIOC_S_FMT with the configured size and pixel format, memory-mapped streaming
// (REQBUFS, QUERYBUF, QBUF, STREAMON), and the device's fd watched by Asio for readable (a filled
// buffer) to DQBUF, convert (a copy) and QBUF again. Frames go to a CameraFeed (camera_feed.hpp), which
// decodes one per interval and turns the codes into scans. An unplugged camera (ENODEV) is offline with the
// reason and opened again on a reconnect timer.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/drivers/camera_feed.hpp"
#include "packd/drivers/camera_frame.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

struct V4l2CameraSettings {
    std::string device;  ///< /dev/v4l/by-id/usb-...-video-index0 or /dev/videoN
    int width = 1280;
    int height = 720;
    CameraPixelFormat pixel_format = CameraPixelFormat::yuyv;
    CameraFeedSettings feed;
    std::chrono::milliseconds reconnect{2000};
    unsigned buffers = 4;  ///< mmap buffers asked for with VIDIOC_REQBUFS
};

class V4l2Camera final : public Scanner {
  public:
    V4l2Camera(boost::asio::io_context& io, std::string name, V4l2CameraSettings settings,
               CameraFrameDecoder decoder);
    ~V4l2Camera() override;
    V4l2Camera(const V4l2Camera&) = delete;
    V4l2Camera& operator=(const V4l2Camera&) = delete;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }

    /// Opens the camera and starts streaming; when that fails the status says why and retries run on
    /// the timer.
    Status open() override;
    void close() override;

    /// How many times the camera was opened, first open and reconnect timer together (for tests).
    unsigned open_attempts() const { return open_attempts_; }

    /// The format the driver set (valid while streaming).
    const CameraFrameLayout& layout() const { return layout_; }

  private:
    struct MappedBuffer {
        void* start = nullptr;
        std::size_t length = 0;
    };

    Status open_once();
    Status start_streaming(int fd);
    void wait_for_frame();
    void take_frames();
    void lost(const std::string& why);
    void close_device();

    std::string name_;
    V4l2CameraSettings settings_;
    CameraFeed feed_;
    boost::asio::posix::stream_descriptor device_;
    ReconnectingDevice link_;
    std::vector<MappedBuffer> buffers_;
    CameraFrameLayout layout_;
    bool streaming_ = false;
    unsigned open_attempts_ = 0;
    ScanHandler handler_;
    Liveness alive_;
};

}  // namespace packd::drivers
