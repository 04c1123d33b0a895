// Picking the printer interface (Universal Serial Bus Device Class Definition for Printing Devices 1.1,
// section 4.2 "Interface Descriptor": class 07h, subclass 01h, protocol 01h unidirectional, 02h
// bi-directional, 03h IEEE 1284.4 compatible bi-directional; section 5 "Endpoints": one bulk OUT for data
// to the printer, one bulk IN for status and data back in the bi-directional protocols).

#include "packd/drivers/usb_printer_match.hpp"

#include <algorithm>
#include <cstdio>

namespace packd::drivers {
namespace {

constexpr uint8_t kPrinterClass = 0x07;
constexpr uint8_t kPrinterSubclass = 0x01;
constexpr uint8_t kUnidirectional = 0x01;
constexpr uint8_t kBidirectional = 0x02;
constexpr uint8_t kBulk = 0x02;
constexpr uint8_t kDirectionIn = 0x80;

bool is_printer(const UsbInterfaceInfo& i) {
    return i.interface_class == kPrinterClass && i.subclass == kPrinterSubclass;
}

// The bulk endpoints of an interface; false when it has no bulk OUT.
bool bulk_endpoints(const UsbInterfaceInfo& i, UsbPrinterInterface& out) {
    out = {};
    out.number = i.number;
    out.alternate = i.alternate;
    for (const auto& e : i.endpoints) {
        if ((e.attributes & 0x03) != kBulk) {
            continue;
        }
        if ((e.address & kDirectionIn) != 0) {
            if (out.in_endpoint == 0) {
                out.in_endpoint = e.address;
                out.in_packet = e.max_packet;
            }
        } else if (out.out_endpoint == 0) {
            out.out_endpoint = e.address;
            out.out_packet = e.max_packet;
        }
    }
    return out.out_endpoint != 0;
}

}  // namespace

std::string usb_ids(uint16_t vendor_id, uint16_t product_id) {
    char text[16];
    std::snprintf(text, sizeof text, "%04x:%04x", static_cast<unsigned>(vendor_id),
                  static_cast<unsigned>(product_id));
    return text;
}

bool may_be_printer(const UsbPrinterMatch& match, uint16_t vendor_id, uint16_t product_id) {
    if (match.vendor_id == 0 && match.product_id == 0) {
        return true;
    }
    return vendor_id == match.vendor_id && product_id == match.product_id;
}

bool has_printer_interface(const UsbDeviceInfo& device) {
    for (const auto& i : device.interfaces) {
        if (is_printer(i)) {
            return true;
        }
    }
    return false;
}

Result<UsbPrinterInterface> find_printer_interface(const UsbDeviceInfo& device,
                                                   const UsbPrinterMatch& match) {
    const std::string ids = usb_ids(device.vendor_id, device.product_id);
    if (!may_be_printer(match, device.vendor_id, device.product_id)) {
        return fail(ids + " is not the configured printer " + usb_ids(match.vendor_id, match.product_id));
    }
    if (!match.serial.empty() && device.serial != match.serial) {
        return fail(ids + " has serial \"" + device.serial + "\", not \"" + match.serial + "\"");
    }
    UsbPrinterInterface best;
    int best_rank = 0;
    bool passed_1284_4 = false;
    for (const auto& i : device.interfaces) {
        if (!is_printer(i)) {
            continue;
        }
        UsbPrinterInterface candidate;
        if (!bulk_endpoints(i, candidate)) {
            continue;
        }
        int rank = 0;
        if (i.protocol == kBidirectional && candidate.in_endpoint != 0) {
            rank = 2;
        } else if (i.protocol == kUnidirectional || i.protocol == kBidirectional) {
            rank = 1;
            candidate.in_endpoint = 0;  // a unidirectional interface's IN endpoint, if any, is not status
            candidate.in_packet = 0;
        } else {
            passed_1284_4 = passed_1284_4 || i.protocol == 0x03;
            continue;
        }
        if (rank > best_rank) {
            best = candidate;
            best_rank = rank;
        }
    }
    if (best_rank > 0) {
        return best;
    }
    if (match.vendor_id != 0 || match.product_id != 0) {
        for (const auto& i : device.interfaces) {
            UsbPrinterInterface candidate;
            if (!is_printer(i) && bulk_endpoints(i, candidate)) {
                return candidate;
            }
        }
    }
    return fail(ids + " has no printer interface (class 7) with a bulk OUT endpoint" +
                (passed_1284_4 ? " that packd can use (only IEEE 1284.4)" : ""));
}

std::size_t usb_chunk_size(std::size_t wanted, uint16_t max_packet) {
    const std::size_t packet = max_packet == 0 ? 64 : max_packet;
    const std::size_t whole = wanted / packet * packet;
    return whole == 0 ? packet : whole;
}

std::vector<std::pair<std::size_t, std::size_t>> usb_chunks(std::size_t total, std::size_t chunk) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    if (chunk == 0) {
        chunk = 1;
    }
    for (std::size_t offset = 0; offset < total; offset += chunk) {
        out.emplace_back(offset, std::min(chunk, total - offset));
    }
    return out;
}

}  // namespace packd::drivers
