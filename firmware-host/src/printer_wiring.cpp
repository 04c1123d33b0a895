#include "packd/host/printer_wiring.hpp"

#include <variant>

#include "packd/common/log.hpp"
#include "packd/drivers/file_printer.hpp"
#include "packd/drivers/tcp_zpl_printer.hpp"

namespace packd::host {
namespace {

drivers::ZplStatusQuery status_query(const ZplJobConfig& job) {
    return drivers::zpl_status_query(job.status).value_or(drivers::ZplStatusQuery::hs);
}

// The factories, one per alternative of PrinterSettings: a type without one does not compile.
std::shared_ptr<drivers::LabelPrinter> make_one(boost::asio::io_context& io, const std::string& name,
                                                const FilePrinterConfig& c) {
    auto file = std::make_shared<drivers::FilePrinter>(io, name, c.directory);
    if (auto st = file->open(); !st) {
        log::warning("printer " + name + ": " + st.error().message);
    }
    return file;
}

std::shared_ptr<drivers::LabelPrinter> make_one(boost::asio::io_context& io, const std::string& name,
                                                const TcpPrinterConfig& c) {
    drivers::TcpPrinterSettings tcp;
    tcp.host = c.host;
    tcp.port = static_cast<std::uint16_t>(c.port);
    tcp.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
    tcp.status_timeout = std::chrono::milliseconds(c.job.status_timeout_ms);
    tcp.job_timeout = std::chrono::milliseconds(c.job.job_timeout_ms);
    tcp.query = status_query(c.job);
    tcp.batch = static_cast<std::size_t>(c.job.batch);
    return std::make_shared<drivers::TcpZplPrinter>(io, name, tcp);
}

std::shared_ptr<drivers::LabelPrinter> make_one(boost::asio::io_context& io, const std::string& name,
                                                const UsbPrinterConfig& c) {
    auto usb = std::make_shared<drivers::UsbPrinter>(io, name, usb_printer_settings(c));
    (void)usb->open();  // an absent printer is offline with the reason; hotplug finds it later
    return usb;
}

}  // namespace

std::shared_ptr<drivers::LabelPrinter> make_printer(boost::asio::io_context& io,
                                                    const PrinterConfig& config) {
    return std::visit([&](const auto& settings) { return make_one(io, config.name, settings); },
                      config.settings);
}

drivers::UsbPrinterSettings usb_printer_settings(const UsbPrinterConfig& c) {
    drivers::UsbPrinterSettings usb;
    // Validated as 4 hex digits each (or both empty) before any device is opened.
    if (!c.vendor_id.empty()) {
        usb.match.vendor_id = static_cast<uint16_t>(std::stoul(c.vendor_id, nullptr, 16));
        usb.match.product_id = static_cast<uint16_t>(std::stoul(c.product_id, nullptr, 16));
    }
    usb.match.serial = c.serial;
    usb.job.status_timeout = std::chrono::milliseconds(c.job.status_timeout_ms);
    usb.job.job_timeout = std::chrono::milliseconds(c.job.job_timeout_ms);
    usb.job.query = status_query(c.job);
    usb.reconnect = std::chrono::milliseconds(c.reconnect_ms);
    usb.batch = static_cast<std::size_t>(c.job.batch);
    return usb;
}

}  // namespace packd::host
