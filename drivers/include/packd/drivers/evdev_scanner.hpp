#pragma once
// Keyboard-wedge USB scanners through Linux evdev (/dev/input/event*): the device is taken for packd
// alone (EVIOCGRAB), so scans never reach a console or a desktop, and its key events go through the
// keyboard-wedge codec. An unplugged scanner is retried on a timer until it comes back
// (stream_scanner.hpp).

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/drivers/stream_scanner.hpp"

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

class EvdevScanner final : public StreamScanner<boost::asio::posix::stream_descriptor> {
  public:
    EvdevScanner(boost::asio::io_context& io, std::string name, EvdevScannerSettings settings);

  private:
    Status open_stream() override;
    void decode(std::span<const std::uint8_t> bytes) override;
    void abandon(const std::string& why) override;
    std::string gone(const boost::system::error_code& ec) const override;
    void arm_idle_timer();
    void emit(KeyedScan scan);
    int64_t event_clock_now() const;

    EvdevScannerSettings settings_;
    KeyboardWedgeCodec codec_;
    InputEventReader reader_;
    boost::asio::steady_timer idle_timer_;
    // The event clock (the kernel's timestamps) against ours, to end scans by a pause in event time.
    int64_t last_event_us_ = 0;
    std::chrono::steady_clock::time_point last_event_at_{};
};

}  // namespace packd::drivers
