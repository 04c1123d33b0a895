// [printers.NAME]: label printers, a folder of files, ZPL on raw TCP or a USB printer class device.

#include "config_reader.hpp"

namespace packd::host::config_detail {
namespace {

std::string hex4(const std::string& v) {
    return v.size() == 4 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos
               ? ""
               : "4 hex digits such as \"0a5f\"";
}

/// The keys that pick the status command and find a USB printer.
void read_usb_printer(const std::string& name, PrinterConfig& p, TableReader& r, Problems& problems) {
    const std::string key = "printers." + name;
    std::string status;
    r.text("status", status, false, [](const std::string& v) { return one_of(v, {"hs", "hqes", "both"}); });
    bool bad_id = false;  // reported already: no second message about the pair
    const auto id = [&bad_id](const std::string& v) {
        std::string why = hex4(v);
        bad_id = bad_id || !why.empty();
        return why;
    };
    r.text("vendor_id", p.vendor_id, false, id);
    r.text("product_id", p.product_id, false, id);
    r.text("serial", p.serial, false, [](const std::string& v) {
        return !v.empty() && v.size() <= 126 ? "" : "a USB serial number of 1 to 126 characters";
    });
    r.integer("reconnect_ms", p.reconnect_ms, 100, 600000);
    if (!status.empty()) {
        if (p.type != "tcp" && p.type != "usb") {
            problems.add(
                r.line(), key + ".status",
                "expected status only with type = \"tcp\" or \"usb\", found type = \"" + p.type + "\"");
        }
        p.status = status;
    }
    const bool has_usb_keys = !p.vendor_id.empty() || !p.product_id.empty() || !p.serial.empty();
    if (p.type != "usb" && has_usb_keys) {
        problems.add(r.line(), key + ".vendor_id",
                     "expected vendor_id, product_id and serial only with type = \"usb\", found type = \"" +
                         p.type + "\"");
    }
    if (p.type == "usb" && !bad_id && p.vendor_id.empty() != p.product_id.empty()) {
        problems.add(r.line(), key + (p.vendor_id.empty() ? ".vendor_id" : ".product_id"),
                     "expected vendor_id and product_id together (4 hex digits each, e.g. \"0a5f\" and "
                     "\"0166\"), or neither to take the first USB printer, found only one of them");
    }
}

}  // namespace

PrinterConfig read_printer(const std::string& name, TableReader& r, Problems& problems) {
    PrinterConfig p;
    p.name = name;
    r.text("type", p.type, true, [](const std::string& v) { return one_of(v, {"file", "tcp", "usb"}); });
    r.text("directory", p.directory, p.type == "file", absolute_path);
    r.integer("dpi", p.dpi, 100, 600);
    r.text("host", p.host, p.type == "tcp", [](const std::string& v) {
        return !v.empty() && v.size() <= 253 && v.find_first_of(" /") == std::string::npos
                   ? ""
                   : "a host name or address of the printer";
    });
    r.integer("port", p.port, 1, 65535);
    r.integer("connect_timeout_ms", p.connect_timeout_ms, 100, 60000);
    r.integer("status_timeout_ms", p.status_timeout_ms, 100, 60000);
    r.integer("job_timeout_ms", p.job_timeout_ms, 1000, 600000);
    r.integer("batch", p.batch, 1, 64);
    read_usb_printer(name, p, r, problems);
    if (p.type != "tcp" && !p.host.empty()) {
        problems.add(r.line(), "printers." + name + ".host",
                     "expected type = \"tcp\" for a printer with a host, found type = \"" + p.type + "\"");
    }
    if (p.dpi != 203 && p.dpi != 300 && p.dpi != 600) {
        problems.add(r.line(), "printers." + name + ".dpi",
                     "expected 203, 300 or 600, found " + std::to_string(p.dpi));
    }
    return p;
}

}  // namespace packd::host::config_detail
