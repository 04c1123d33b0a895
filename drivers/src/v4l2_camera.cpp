#include "packd/drivers/v4l2_camera.hpp"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "packd/common/log.hpp"

namespace packd::drivers {
namespace {

// ioctl, again when a signal interrupted it.
int xioctl(int fd, unsigned long request, void* arg) {
    int r = 0;
    do {
        r = ::ioctl(fd, request, arg);
    } while (r == -1 && errno == EINTR);
    return r;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

std::chrono::milliseconds now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace

V4l2Camera::V4l2Camera(boost::asio::io_context& io, std::string name, V4l2CameraSettings settings,
                       CameraFrameDecoder decoder)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      feed_(settings_.feed, std::move(decoder),
            [this](const ScanReading& reading) {
                if (handler_) {
                    handler_(reading);
                }
            }),
      device_(io),
      link_(io, "scanner " + name_, settings_.reconnect) {
    link_.retry_with([this] { (void)open_once(); });
}

V4l2Camera::~V4l2Camera() {
    alive_.end();
    close_device();
}

Status V4l2Camera::open() {
    link_.resume();
    return open_once();
}

void V4l2Camera::close() {
    link_.halt();
    close_device();
}

Status V4l2Camera::open_once() {
    ++open_attempts_;
    close_device();
    const int fd = ::open(settings_.device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        const std::string why = err == ENOENT ? "no camera at " + settings_.device
                                              : "cannot open " + settings_.device + ": " + errno_text(err);
        lost(why);
        return fail(why);
    }
    if (auto st = start_streaming(fd); !st) {
        lost(st.error().message);
        return st;
    }
    link_.online("streaming " + std::to_string(layout_.width) + "x" + std::to_string(layout_.height) + " " +
                 to_string(layout_.format) + " from " + settings_.device);
    wait_for_frame();
    return {};
}

Status V4l2Camera::start_streaming(int fd) {
    // Capabilities: V4L2 API, VIDIOC_QUERYCAP. Asked before Asio watches the fd, so that any file that
    // is not a V4L2 device is refused for what it is.
    v4l2_capability cap{};
    if (xioctl(fd, VIDIOC_QUERYCAP, &cap) == -1) {
        const int err = errno;
        ::close(fd);
        return fail(settings_.device + " is not a video capture device (VIDIOC_QUERYCAP: " + errno_text(err) +
                    ")");
    }
    boost::system::error_code ec;
    device_.assign(fd, ec);
    if (ec) {
        ::close(fd);
        return fail("cannot watch " + settings_.device + ": " + ec.message());
    }
    // device_caps describes this node when V4L2_CAP_DEVICE_CAPS is set; capabilities the whole device.
    const std::uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) {
        return fail(settings_.device + " is not a video capture device (" +
                    reinterpret_cast<const char*>(cap.card) + " has no single-planar capture)");
    }
    if (!(caps & V4L2_CAP_STREAMING)) {
        return fail(settings_.device + " cannot stream (no V4L2_CAP_STREAMING)");
    }
    // Format: VIDIOC_S_FMT may adjust width and height to what the sensor offers, and changes the pixel
    // format when it does not have ours; the answer is what frames will be.
    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = static_cast<std::uint32_t>(settings_.width);
    fmt.fmt.pix.height = static_cast<std::uint32_t>(settings_.height);
    fmt.fmt.pix.pixelformat = camera_fourcc(settings_.pixel_format);
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(fd, VIDIOC_S_FMT, &fmt) == -1) {
        return fail(settings_.device + ": VIDIOC_S_FMT " + std::to_string(settings_.width) + "x" +
                    std::to_string(settings_.height) + " " + to_string(settings_.pixel_format) +
                    " refused: " + errno_text(errno));
    }
    const auto set = camera_pixel_format_of(fmt.fmt.pix.pixelformat);
    if (!set || *set != settings_.pixel_format) {
        return fail(settings_.device + " does not offer pixel format " +
                    std::string(to_string(settings_.pixel_format)));
    }
    layout_ = {*set, static_cast<int>(fmt.fmt.pix.width), static_cast<int>(fmt.fmt.pix.height),
               fmt.fmt.pix.bytesperline, fmt.fmt.pix.sizeimage};
    if (auto st = check_frame_layout(layout_); !st) {
        return fail(settings_.device + ": " + st.error().message);
    }
    if (layout_.width != settings_.width || layout_.height != settings_.height) {
        log::warning("scanner " + name_ + ": " + settings_.device + " gives " +
                     std::to_string(layout_.width) + "x" + std::to_string(layout_.height) +
                     " instead of the configured " + std::to_string(settings_.width) + "x" +
                     std::to_string(settings_.height));
    }
    // Streaming I/O with memory mapping: V4L2 API, 3.2 "Streaming I/O (Memory Mapping)".
    v4l2_requestbuffers req{};
    req.count = settings_.buffers;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (xioctl(fd, VIDIOC_REQBUFS, &req) == -1 || req.count == 0) {
        return fail(settings_.device + ": no mmap capture buffers (VIDIOC_REQBUFS: " + errno_text(errno) +
                    ")");
    }
    for (std::uint32_t i = 0; i < req.count; ++i) {
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        buf.index = i;
        if (xioctl(fd, VIDIOC_QUERYBUF, &buf) == -1) {
            return fail(settings_.device + ": VIDIOC_QUERYBUF: " + errno_text(errno));
        }
        void* start = ::mmap(nullptr, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, buf.m.offset);
        if (start == MAP_FAILED) {
            return fail(settings_.device + ": cannot map capture buffer: " + errno_text(errno));
        }
        buffers_.push_back({start, buf.length});
        if (xioctl(fd, VIDIOC_QBUF, &buf) == -1) {
            return fail(settings_.device + ": VIDIOC_QBUF: " + errno_text(errno));
        }
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(fd, VIDIOC_STREAMON, &type) == -1) {
        return fail(settings_.device + ": VIDIOC_STREAMON: " + errno_text(errno));
    }
    streaming_ = true;
    return {};
}

void V4l2Camera::wait_for_frame() {
    device_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this, alive = alive_.token()](const boost::system::error_code& ec) {
                           if (!alive || ec == boost::asio::error::operation_aborted) {
                               return;
                           }
                           if (ec) {
                               lost("camera " + settings_.device + " lost: " + ec.message());
                               return;
                           }
                           take_frames();
                       });
}

void V4l2Camera::take_frames() {
    const int fd = device_.native_handle();
    // Every filled buffer is taken now, until EAGAIN, offered to the feed (which converts it, a copy,
    // when a frame is due, and otherwise drops it) and queued again at once. Asio watches the fd
    // edge-triggered: a buffer filled between the last EAGAIN and the next wait is picked up at the
    // next frame's wake-up, one frame period later.
    for (;;) {
        v4l2_buffer buf{};
        buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        buf.memory = V4L2_MEMORY_MMAP;
        if (xioctl(fd, VIDIOC_DQBUF, &buf) == -1) {
            const int err = errno;
            if (err == EAGAIN) {
                break;
            }
            lost(err == ENODEV ? "camera " + settings_.device + " unplugged"
                               : "camera " + settings_.device + ": VIDIOC_DQBUF: " + errno_text(err));
            return;
        }
        if (buf.index < buffers_.size() && !(buf.flags & V4L2_BUF_FLAG_ERROR)) {
            const MappedBuffer& mapped = buffers_[buf.index];
            const std::size_t used = std::min<std::size_t>(buf.bytesused, mapped.length);
            (void)feed_.offer(now_ms(), layout_, {static_cast<const std::uint8_t*>(mapped.start), used});
        }
        if (xioctl(fd, VIDIOC_QBUF, &buf) == -1) {
            const int err = errno;
            lost(err == ENODEV ? "camera " + settings_.device + " unplugged"
                               : "camera " + settings_.device + ": VIDIOC_QBUF: " + errno_text(err));
            return;
        }
    }
    wait_for_frame();
}

void V4l2Camera::lost(const std::string& why) {
    close_device();
    link_.lost(why);
}

void V4l2Camera::close_device() {
    if (device_.is_open()) {
        const int fd = device_.native_handle();
        if (streaming_) {
            int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            (void)xioctl(fd, VIDIOC_STREAMOFF, &type);
        }
        boost::system::error_code ec;
        device_.cancel(ec);
    }
    for (const MappedBuffer& b : buffers_) {
        ::munmap(b.start, b.length);
    }
    buffers_.clear();
    streaming_ = false;
    boost::system::error_code ec;
    device_.close(ec);
}

}  // namespace packd::drivers
