#pragma once
// Keyboard-wedge USB scanners through Linux evdev (/dev/input/event*): the device is taken for packd
// alone (EVIOCGRAB), so scans never reach a console or a desktop, and its key events go through the
// keyboard-wedge codec. An unplugged scanner is retried on a timer until it comes back.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

struct EvdevScannerSettings {
    /// /dev/input/by-id/usb-...-event-kbd, /dev/input/eventN, or empty to find the device by USB ids.
    std::string device;
    std::optional<uint16_t> usb_vendor;
    std::optional<uint16_t> usb_product;
    KeyboardWedgeSettings wedge;
    std::chrono::milliseconds reconnect{2000};
};

/// The first /dev/input/event* whose EVIOCGID ids match; an error naming the ids when none does.
Result<std::string> find_input_device(uint16_t vendor, uint16_t product,
                                      const std::string& dir = "/dev/input");

class EvdevScanner final : public Scanner {
  public:
    EvdevScanner(boost::asio::io_context& io, std::string name, EvdevScannerSettings settings);
    ~EvdevScanner() override;

    /// Opens and grabs the device; when that fails the status says why and retries run on the timer.
    Status open();
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }

  private:
    Status open_once();
    void read_more();
    void lost(const std::string& why);
    void arm_idle_timer();
    void deliver(KeyedScan scan);
    int64_t event_clock_now() const;

    boost::asio::io_context& io_;
    std::string name_;
    EvdevScannerSettings settings_;
    KeyboardWedgeCodec codec_;
    InputEventReader reader_;
    boost::asio::posix::stream_descriptor device_;
    boost::asio::steady_timer reconnect_timer_;
    boost::asio::steady_timer idle_timer_;
    std::array<uint8_t, 24 * 64> buffer_{};
    DeviceStatus status_;
    ScanHandler handler_;
    // The event clock (the kernel's timestamps) against ours, to end scans by a pause in event time.
    int64_t last_event_us_ = 0;
    std::chrono::steady_clock::time_point last_event_at_{};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::drivers
