#pragma once
// Which USB device and interface is the configured label printer, and how a job is cut into bulk OUT
// transfers. Pure: descriptors in (as plain values, copied out of libusb by usb_printer.cpp), a decision out.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::drivers {

struct UsbEndpointInfo {
    uint8_t address = 0;     ///< bEndpointAddress: bit 7 set for IN
    uint8_t attributes = 0;  ///< bmAttributes: bits 1..0 are the transfer type, 2 = bulk
    uint16_t max_packet = 0;
};

/// One alternate setting of one interface.
struct UsbInterfaceInfo {
    uint8_t number = 0;
    uint8_t alternate = 0;
    uint8_t interface_class = 0;
    uint8_t subclass = 0;
    uint8_t protocol = 0;
    std::vector<UsbEndpointInfo> endpoints;
};

struct UsbDeviceInfo {
    uint16_t vendor_id = 0;
    uint16_t product_id = 0;
    std::string serial;  ///< the iSerialNumber string; empty when the device has none or it was not read
    std::vector<UsbInterfaceInfo> interfaces;
};

/// What the config asks for: vendor_id and product_id (both 0: any printer-class device), and a serial to
/// tell identical printers apart (empty: any).
struct UsbPrinterMatch {
    uint16_t vendor_id = 0;
    uint16_t product_id = 0;
    std::string serial;
};

/// The interface packd claims and its endpoints.
struct UsbPrinterInterface {
    uint8_t number = 0;
    uint8_t alternate = 0;
    uint8_t out_endpoint = 0;
    uint16_t out_packet = 0;
    uint8_t in_endpoint = 0;  ///< 0 when the printer only takes bytes (no status)
    uint16_t in_packet = 0;
    bool bidirectional() const { return in_endpoint != 0; }
};

/// "0a5f:0166"
std::string usb_ids(uint16_t vendor_id, uint16_t product_id);

/// Whether a device with these ids may be the printer, before it is opened (the serial needs it open).
bool may_be_printer(const UsbPrinterMatch& match, uint16_t vendor_id, uint16_t product_id);

/// Whether the device has an interface of the printer class at all (USB Printer Class 1.1, 4.2: class 7,
/// subclass 1); a device without one is only taken when the config names its ids.
bool has_printer_interface(const UsbDeviceInfo& device);

/// The configured printer's interface on this device, or why this device is not it. A printer-class
/// interface wins, bi-directional (protocol 2) before unidirectional (protocol 1); IEEE 1284.4 (protocol
/// 3) frames its data in a packet protocol packd does not speak and is passed over. A device named by its
/// ids that has no printer-class interface (some vendor-class models) is taken at its first interface with
/// a bulk OUT endpoint.
Result<UsbPrinterInterface> find_printer_interface(const UsbDeviceInfo& device, const UsbPrinterMatch& match);

/// How many bytes each bulk OUT transfer carries: `wanted` rounded down to whole packets of the endpoint
/// (at least one), so every transfer but a job's last fills its packets.
std::size_t usb_chunk_size(std::size_t wanted, uint16_t max_packet);

/// The (offset, length) of each transfer that sends `total` bytes in chunks of `chunk`.
std::vector<std::pair<std::size_t, std::size_t>> usb_chunks(std::size_t total, std::size_t chunk);

}  // namespace packd::drivers
