#pragma once
// USB HID POS scanners (usage page 0x8C) through libusb: the scanner's HID interface is taken from the
// kernel's usbhid driver, its interrupt IN endpoint read with asynchronous transfers. libusb's events run
// on the thread of the shared UsbContext, which only copies each report and posts it to the io_context.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "packd/drivers/hid_pos_codec.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scanner.hpp"
#include "packd/drivers/usb_context.hpp"

struct libusb_device_handle;
struct libusb_transfer;

namespace packd::drivers {

struct HidPosScannerSettings {
    uint16_t usb_vendor = 0;
    uint16_t usb_product = 0;
    std::chrono::milliseconds reconnect{2000};
};

class HidPosScanner final : public Scanner {
  public:
    /// Uses `usb`; without one, the process-wide context of UsbContext::process_wide, taken at open().
    HidPosScanner(boost::asio::io_context& io, std::string name, HidPosScannerSettings settings,
                  std::shared_ptr<UsbContext> usb = nullptr);
    ~HidPosScanner() override;
    HidPosScanner(const HidPosScanner&) = delete;
    HidPosScanner& operator=(const HidPosScanner&) = delete;

    /// Looks for the scanner; absent, it is offline with the reason and retried on the timer. A system
    /// where libusb cannot start is a fault, returned.
    Status open() override;
    void close() override;
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }

  private:
    Status open_once();
    void close_device();
    void lost(const std::string& why);
    static void on_transfer(libusb_transfer* transfer);

    boost::asio::io_context& io_;
    std::string name_;
    HidPosScannerSettings settings_;
    HidPosScanCodec codec_;
    std::shared_ptr<UsbContext> usb_;
    ReconnectingDevice link_;
    ScanHandler handler_;
    libusb_device_handle* device_ = nullptr;
    libusb_transfer* transfer_ = nullptr;
    int interface_ = -1;
    unsigned char buffer_[64] = {};
    std::atomic<bool> transfer_active_{false};
    UsbContext::Watch arrivals_;
    Liveness alive_;
};

}  // namespace packd::drivers
