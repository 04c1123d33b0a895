#pragma once
// A USB HID Point of Sale scale read through libusb: found by vendor:product id or, without
// ids, by the weighing-device usage page in its report descriptor; followed across unplugging
// with libusb hotplug events and a reconnect timer. The codec is hid_pos_scale_codec.hpp.
//
// libusb's event thread (the shared UsbContext's) only copies reports and posts them to the
// io_context; opening, claiming and closing happen on the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "packd/drivers/hid_pos_scale_codec.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/usb_context.hpp"

namespace packd::drivers {

struct HidScaleMatch {
    uint16_t vendor_id = 0;  ///< with product_id: only this device; both 0: any POS scale
    uint16_t product_id = 0;
};

class HidScale final : public Scale {
  public:
    /// Uses `usb`; without one, the process-wide context of UsbContext::process_wide, taken at open().
    HidScale(boost::asio::io_context& io, std::string name, HidScaleMatch match,
             std::chrono::milliseconds reconnect = std::chrono::seconds(1),
             std::shared_ptr<UsbContext> usb = nullptr);
    ~HidScale() override;
    HidScale(const HidScale&) = delete;
    HidScale& operator=(const HidScale&) = delete;

    /// Starts libusb and looks for the scale; a scale not plugged in yet is not an error here:
    /// the status says so and hotplug or the reconnect timer finds it later.
    Status open() override;
    void close() override;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }
    std::optional<WeightReading> last_reading() const override { return last_; }
    void on_reading(ReadingHandler handler) override { handler_ = std::move(handler); }
    /// Kept by packd, not sent to the device: the HID POS scales we know take zero and tare only
    /// on their buttons. Both subtract the weight now on the pan from later readings.
    Status zero() override;
    Status tare() override;

  private:
    struct Usb;
    void search();
    void on_report(const std::vector<uint8_t>& report);
    void on_gone(const std::string& why);

    boost::asio::io_context& io_;
    std::string name_;
    HidScaleMatch match_;
    std::shared_ptr<UsbContext> context_;
    ReconnectingDevice link_;
    std::unique_ptr<Usb> usb_;
    std::optional<WeightReading> last_;
    ReadingHandler handler_;
    HidReportStream reports_;
    bool closed_ = true;
    UsbContext::Watch arrivals_;
    Liveness alive_;
};

}  // namespace packd::drivers
