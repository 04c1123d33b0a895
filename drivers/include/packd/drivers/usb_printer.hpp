#pragma once
// A ZPL label printer on USB (printer class), through libusb: found by vendor:product id (and serial) or as
// the first printer-class interface; followed across unplugging with hotplug events and a search timer.
// Each job goes through zpl_job.hpp like the TCP printer's: status before and after when the interface has a
// bulk IN endpoint (Zebra printers do), the bytes alone when it has none.
//
// libusb's event thread (the shared UsbContext's) only copies transfer results and posts them; opening,
// claiming, submitting and closing happen on the io_context.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/usb_context.hpp"
#include "packd/drivers/usb_printer_match.hpp"
#include "packd/drivers/zpl_job.hpp"

namespace packd::drivers {

struct UsbPrinterSettings {
    UsbPrinterMatch match;
    ZplJobSettings job;
    std::chrono::milliseconds reconnect{1000};          ///< between searches while the printer is absent
    std::chrono::milliseconds transfer_timeout{10000};  ///< for one bulk OUT transfer
    std::size_t chunk_bytes = 16384;                    ///< bytes per bulk OUT transfer (whole packets)
    std::size_t batch = 8;  ///< labels sent between two status checks; 1: one label per check
};

class UsbPrinter final : public LabelPrinter {
  public:
    /// Uses `usb`; without one, the process-wide context of UsbContext::process_wide, taken at open().
    UsbPrinter(boost::asio::io_context& io, std::string name, UsbPrinterSettings settings,
               std::shared_ptr<UsbContext> usb = nullptr);
    ~UsbPrinter() override;
    UsbPrinter(const UsbPrinter&) = delete;
    UsbPrinter& operator=(const UsbPrinter&) = delete;

    /// Starts libusb and looks for the printer. An absent printer, or a system without USB, is not an
    /// error here: the status says so and hotplug or the search timer finds it later.
    Status open() override;
    void close() override;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }
    /// Sends the job when the printer is there; otherwise fails at once with the reason, and the print
    /// queue retries.
    void print(const PrintJob& job, std::function<void(Status)> done) override;
    std::size_t batch_limit() const override { return settings_.batch; }
    using LabelPrinter::print_batch;
    void print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                     std::function<void(PrintOutcome)> done) override;

    struct Usb;      // the claimed device (usb_printer.cpp)
    struct Channel;  // one job's transfers

  private:
    Status start_usb();
    void search();
    /// Lets go of the device; returns the reason the status gives.
    std::string release(const std::string& why);

    boost::asio::io_context& io_;
    std::string name_;
    UsbPrinterSettings settings_;
    std::shared_ptr<UsbContext> context_;
    ReconnectingDevice link_;
    std::unique_ptr<Usb> usb_;
    std::weak_ptr<ZplCheckedJob> current_;
    bool closed_ = true;
    UsbContext::Watch arrivals_;
    Liveness alive_;
};

}  // namespace packd::drivers
