#pragma once
// A USB HID Point of Sale scale read through libusb: found by vendor:product id or, without
// ids, by the weighing-device usage page in its report descriptor; followed across unplugging
// with libusb hotplug events and a reconnect timer. The codec is hid_pos_scale_codec.hpp.
//
// libusb's event thread only copies reports and posts them to the io_context; opening,
// claiming and closing happen on the io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "packd/drivers/hid_pos_scale_codec.hpp"
#include "packd/drivers/scale.hpp"

namespace packd::drivers {

struct HidScaleMatch {
    uint16_t vendor_id = 0;  ///< with product_id: only this device; both 0: any POS scale
    uint16_t product_id = 0;
};

class HidScale final : public Scale {
  public:
    HidScale(boost::asio::io_context& io, std::string name, HidScaleMatch match,
             std::chrono::milliseconds reconnect = std::chrono::seconds(1));
    ~HidScale() override;
    HidScale(const HidScale&) = delete;
    HidScale& operator=(const HidScale&) = delete;

    /// Starts libusb and looks for the scale; a scale not plugged in yet is not an error here:
    /// the status says so and hotplug or the reconnect timer finds it later.
    Status open();
    void close();

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    std::optional<WeightReading> last_reading() const override { return last_; }
    void on_reading(ReadingHandler handler) override { handler_ = std::move(handler); }
    /// Kept by packd, not sent to the device: the HID POS scales we know take zero and tare only
    /// on their buttons. Both subtract the weight now on the pan from later readings.
    Status zero() override;
    Status tare() override;

  private:
    struct Usb;
    void search();
    void schedule_search();
    void on_report(const std::vector<uint8_t>& report);
    void on_gone(const std::string& why);

    boost::asio::io_context& io_;
    std::string name_;
    HidScaleMatch match_;
    std::chrono::milliseconds reconnect_;
    boost::asio::steady_timer search_timer_;
    std::unique_ptr<Usb> usb_;
    DeviceStatus status_;
    std::optional<WeightReading> last_;
    ReadingHandler handler_;
    HidReportStream reports_;
    bool closed_ = true;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::drivers
