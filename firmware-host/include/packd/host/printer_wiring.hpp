#pragma once
// Config -> label printer driver: one factory per printer type (one overload per alternative of
// PrinterSettings).

#include <boost/asio/io_context.hpp>
#include <memory>

#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/usb_printer.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

/// Builds and opens the printer a [printers.NAME] section describes; a printer that does not open is
/// returned anyway, offline with the reason.
std::shared_ptr<drivers::LabelPrinter> make_printer(boost::asio::io_context& io, const PrinterConfig& config);

/// The libusb settings of a type = "usb" printer (already validated by load_config).
drivers::UsbPrinterSettings usb_printer_settings(const UsbPrinterConfig& config);

}  // namespace packd::host
