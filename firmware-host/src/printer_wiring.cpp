#include "packd/host/printer_wiring.hpp"

#include <functional>
#include <map>

#include "packd/common/log.hpp"
#include "packd/drivers/file_printer.hpp"
#include "packd/drivers/tcp_zpl_printer.hpp"

namespace packd::host {
namespace {

using Factory =
    std::function<std::shared_ptr<drivers::LabelPrinter>(boost::asio::io_context&, const PrinterConfig&)>;

std::shared_ptr<drivers::LabelPrinter> file_printer(boost::asio::io_context& io, const PrinterConfig& pc) {
    auto file = std::make_shared<drivers::FilePrinter>(io, pc.name, pc.directory);
    if (auto st = file->open(); !st) {
        log::warning("printer " + pc.name + ": " + st.error().message);
    }
    return file;
}

std::shared_ptr<drivers::LabelPrinter> tcp_printer(boost::asio::io_context& io, const PrinterConfig& pc) {
    drivers::TcpPrinterSettings tcp;
    tcp.host = pc.host;
    tcp.port = static_cast<std::uint16_t>(pc.port);
    tcp.connect_timeout = std::chrono::milliseconds(pc.connect_timeout_ms);
    tcp.status_timeout = std::chrono::milliseconds(pc.status_timeout_ms);
    tcp.job_timeout = std::chrono::milliseconds(pc.job_timeout_ms);
    tcp.query = drivers::zpl_status_query(pc.status).value_or(drivers::ZplStatusQuery::hs);
    tcp.batch = static_cast<std::size_t>(pc.batch);
    return std::make_shared<drivers::TcpZplPrinter>(io, pc.name, tcp);
}

std::shared_ptr<drivers::LabelPrinter> usb_printer(boost::asio::io_context& io, const PrinterConfig& pc) {
    auto usb = std::make_shared<drivers::UsbPrinter>(io, pc.name, usb_printer_settings(pc));
    (void)usb->open();  // an absent printer is offline with the reason; hotplug finds it later
    return usb;
}

// The printer types: config_devices_printers.cpp reads the same names.
const std::map<std::string, Factory, std::less<>>& factories() {
    static const std::map<std::string, Factory, std::less<>> table = {
        {"file", file_printer},
        {"tcp", tcp_printer},
        {"usb", usb_printer},
    };
    return table;
}

}  // namespace

std::shared_ptr<drivers::LabelPrinter> make_printer(boost::asio::io_context& io,
                                                    const PrinterConfig& config) {
    const auto it = factories().find(config.type);
    return it == factories().end() ? nullptr : it->second(io, config);
}

drivers::UsbPrinterSettings usb_printer_settings(const PrinterConfig& pc) {
    drivers::UsbPrinterSettings usb;
    // Validated as 4 hex digits each (or both empty) before any device is opened.
    if (!pc.vendor_id.empty()) {
        usb.match.vendor_id = static_cast<uint16_t>(std::stoul(pc.vendor_id, nullptr, 16));
        usb.match.product_id = static_cast<uint16_t>(std::stoul(pc.product_id, nullptr, 16));
    }
    usb.match.serial = pc.serial;
    usb.job.status_timeout = std::chrono::milliseconds(pc.status_timeout_ms);
    usb.job.job_timeout = std::chrono::milliseconds(pc.job_timeout_ms);
    usb.job.query = drivers::zpl_status_query(pc.status).value_or(drivers::ZplStatusQuery::hs);
    usb.reconnect = std::chrono::milliseconds(pc.reconnect_ms);
    usb.batch = static_cast<std::size_t>(pc.batch);
    return usb;
}

}  // namespace packd::host
