#include "packd/drivers/evdev_scanner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "packd/common/log.hpp"

namespace packd::drivers {
namespace {

std::string hex4(uint16_t v) {
    char out[8];
    std::snprintf(out, sizeof out, "%04x", v);
    return out;
}

}  // namespace

Result<std::string> find_input_device(uint16_t vendor, uint16_t product, const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        return fail("cannot list " + dir + ": " + std::strerror(errno));
    }
    std::string found;
    while (dirent* entry = ::readdir(d)) {
        const std::string name = entry->d_name;
        if (name.rfind("event", 0) != 0) {
            continue;
        }
        const std::string path = dir + "/" + name;
        const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        input_id id{};
        const bool matches = ::ioctl(fd, EVIOCGID, &id) == 0 && id.vendor == vendor && id.product == product;
        ::close(fd);
        if (matches && (found.empty() || path < found)) {
            found = path;
        }
    }
    ::closedir(d);
    if (found.empty()) {
        return fail("no input device with USB ids " + hex4(vendor) + ":" + hex4(product) + " in " + dir +
                    " (plugged in? packd in group input?)");
    }
    return found;
}

EvdevScanner::EvdevScanner(boost::asio::io_context& io, std::string name, EvdevScannerSettings settings)
    : StreamScanner(io, std::move(name), settings.reconnect),
      settings_(std::move(settings)),
      codec_(settings_.wedge),
      idle_timer_(io) {}

Status EvdevScanner::open_stream() {
    std::string path = settings_.device;
    if (path.empty()) {
        if (!settings_.usb_vendor || !settings_.usb_product) {
            return fail("no device and no USB ids configured");
        }
        auto found = find_input_device(*settings_.usb_vendor, *settings_.usb_product);
        if (!found) {
            return found.error();
        }
        path = *found;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return fail("cannot open " + path + ": " + std::strerror(errno));
    }
    struct stat st {};
    const bool input_device = ::fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
    if (input_device) {
        // EVIOCGRAB: every event goes to us alone, so a scan is not typed into a console or a desktop too
        // (linux/input.h; Documentation/input/input.rst). Timestamps on the monotonic clock do not jump.
        if (::ioctl(fd, EVIOCGRAB, 1) != 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            return fail("cannot take " + path + " for packd alone (EVIOCGRAB): " + why +
                        (errno == EBUSY ? "; another program holds it" : ""));
        }
        int clock = CLOCK_MONOTONIC;
        ::ioctl(fd, EVIOCSCLOCKID, &clock);
    }
    boost::system::error_code ec;
    stream_.assign(fd, ec);
    if (ec) {
        ::close(fd);
        return fail("cannot watch " + path + ": " + ec.message());
    }
    connected(std::string(input_device ? "grabbed " : "replaying ") + path + ", layout " +
              to_string(settings_.wedge.layout));
    return {};
}

void EvdevScanner::decode(std::span<const std::uint8_t> bytes) {
    reader_.feed(bytes, [this](const InputEvent& e) {
        last_event_us_ = e.time_us;
        last_event_at_ = std::chrono::steady_clock::now();
        codec_.feed(e, [this](KeyedScan scan) { emit(std::move(scan)); });
    });
    arm_idle_timer();
}

std::string EvdevScanner::gone(const boost::system::error_code& ec) const {
    // ENODEV when the scanner is unplugged; end of file when a replayed stream ends.
    return ec ? "scanner unplugged or gone (" + ec.message() + ")" : "the device closed";
}

int64_t EvdevScanner::event_clock_now() const {
    const auto since = std::chrono::steady_clock::now() - last_event_at_;
    return last_event_us_ + std::chrono::duration_cast<std::chrono::microseconds>(since).count();
}

void EvdevScanner::arm_idle_timer() {
    const auto deadline = codec_.idle_deadline_us();
    if (!deadline) {
        idle_timer_.cancel();
        return;
    }
    idle_timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(0, *deadline - event_clock_now())));
    idle_timer_.async_wait([this, alive = alive()](const boost::system::error_code& ec) {
        if (!alive || ec) {
            return;
        }
        codec_.idle(event_clock_now(), [this](KeyedScan scan) { emit(std::move(scan)); });
        arm_idle_timer();
    });
}

void EvdevScanner::abandon(const std::string& why) {
    codec_.abandon(why, [this](KeyedScan scan) { emit(std::move(scan)); });
    idle_timer_.cancel();
}

void EvdevScanner::emit(KeyedScan scan) {
    if (!scan.warning.empty()) {
        log::warning("scanner " + name() + ": " + scan.warning);
    }
    deliver(ScanReading{std::move(scan.text), {}, std::move(scan.rejected), std::move(scan.warning)});
}

}  // namespace packd::drivers
