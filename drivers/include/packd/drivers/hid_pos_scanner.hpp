#pragma once
// USB HID POS scanners (usage page 0x8C) through libusb: the scanner's HID interface is taken from the
// kernel's usbhid driver, its interrupt IN endpoint read with asynchronous transfers. libusb's events run
// on a thread of this class, which only copies each report and posts it to the io_context.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "packd/drivers/hid_pos_codec.hpp"
#include "packd/drivers/scanner.hpp"

struct libusb_context;
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
    HidPosScanner(boost::asio::io_context& io, std::string name, HidPosScannerSettings settings);
    ~HidPosScanner() override;
    HidPosScanner(const HidPosScanner&) = delete;
    HidPosScanner& operator=(const HidPosScanner&) = delete;

    Status open();
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }

  private:
    Status open_once();
    void close_device();
    void lost(const std::string& why);
    static void on_transfer(libusb_transfer* transfer);

    boost::asio::io_context& io_;
    std::string name_;
    HidPosScannerSettings settings_;
    HidPosScanCodec codec_;
    boost::asio::steady_timer reconnect_timer_;
    DeviceStatus status_;
    ScanHandler handler_;
    libusb_context* usb_ = nullptr;
    libusb_device_handle* device_ = nullptr;
    libusb_transfer* transfer_ = nullptr;
    int interface_ = -1;
    unsigned char buffer_[64] = {};
    std::atomic<bool> transfer_active_{false};
    std::atomic<bool> stop_events_{false};
    std::thread events_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::drivers
