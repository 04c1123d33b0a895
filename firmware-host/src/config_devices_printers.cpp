// [printers.NAME]: label printers, a folder of files, ZPL on raw TCP or a USB printer class device.

#include "config_device_types.hpp"

namespace packd::host {
namespace config_detail {
namespace {

std::string hex4(const std::string& v) {
    return v.size() == 4 && v.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos
               ? ""
               : "4 hex digits such as \"0a5f\"";
}

/// What a ZPL printer on TCP or USB shares: the status command and the time a job may take.
ZplJobConfig read_zpl_job(TableReader& r) {
    ZplJobConfig job;
    r.integer("status_timeout_ms", job.status_timeout_ms, 100, 60000);
    r.integer("job_timeout_ms", job.job_timeout_ms, 1000, 600000);
    r.text("status", job.status, false, [](const std::string& v) {
        return one_of(v, {"hs", "hqes", "both"});
    });
    r.integer("batch", job.batch, 1, 64);
    return job;
}

PrinterSettings read_file(const std::string&, TableReader& r, Problems&) {
    FilePrinterConfig file;
    r.text("directory", file.directory, true, absolute_path);
    return file;
}

PrinterSettings read_tcp(const std::string&, TableReader& r, Problems&) {
    TcpPrinterConfig tcp;
    r.text("host", tcp.host, true, [](const std::string& v) {
        return !v.empty() && v.size() <= 253 && v.find_first_of(" /") == std::string::npos
                   ? ""
                   : "a host name or address of the printer";
    });
    r.integer("port", tcp.port, 1, 65535);
    r.integer("connect_timeout_ms", tcp.connect_timeout_ms, 100, 60000);
    tcp.job = read_zpl_job(r);
    return tcp;
}

PrinterSettings read_usb(const std::string& key, TableReader& r, Problems& problems) {
    UsbPrinterConfig usb;
    bool bad_id = false;  // reported already: no second message about the pair
    const auto id = [&bad_id](const std::string& v) {
        std::string why = hex4(v);
        bad_id = bad_id || !why.empty();
        return why;
    };
    r.text("vendor_id", usb.vendor_id, false, id);
    r.text("product_id", usb.product_id, false, id);
    r.text("serial", usb.serial, false, [](const std::string& v) {
        return !v.empty() && v.size() <= 126 ? "" : "a USB serial number of 1 to 126 characters";
    });
    r.integer("reconnect_ms", usb.reconnect_ms, 100, 600000);
    usb.job = read_zpl_job(r);
    if (!bad_id && usb.vendor_id.empty() != usb.product_id.empty()) {
        problems.add(r.line(), key + (usb.vendor_id.empty() ? ".vendor_id" : ".product_id"),
                     "expected vendor_id and product_id together (4 hex digits each, e.g. \"0a5f\" and "
                     "\"0166\"), or neither to take the first USB printer, found only one of them");
    }
    return usb;
}

// The printer types, in the order of PrinterSettings; printer_wiring.cpp has the factory of each.
constexpr DeviceTypes<PrinterSettings, 3> kPrinterTypes = {{
    {"file", read_file},
    {"tcp", read_tcp},
    {"usb", read_usb},
}};

}  // namespace

PrinterConfig read_printer(const std::string& name, TableReader& r, Problems& problems) {
    PrinterConfig p;
    p.name = name;
    const std::string key = "printers." + name;
    p.settings = read_typed(key, r, problems, kPrinterTypes);
    r.integer("dpi", p.dpi, 100, 600);
    if (p.dpi != 203 && p.dpi != 300 && p.dpi != 600) {
        problems.add(r.line(), key + ".dpi", "expected 203, 300 or 600, found " + std::to_string(p.dpi));
    }
    return p;
}

}  // namespace config_detail

std::string_view PrinterConfig::type() const {
    return config_detail::type_name(config_detail::kPrinterTypes, settings);
}

}  // namespace packd::host
