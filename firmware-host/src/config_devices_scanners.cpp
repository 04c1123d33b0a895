// [scanners.NAME]: simulated, keyboard-wedge (evdev), serial, TCP, HID POS scanners and cameras.

#include <algorithm>
#include <cctype>

#include "config_device_types.hpp"

namespace packd::host {
namespace config_detail {
namespace {

// type = "camera": checked here so a bad size or format is named before any /dev/video* is opened. The
// limits are those of drivers/camera_frame.hpp, written out because the config parser is built without the
// drivers (the libFuzzer build of fuzz_config).
constexpr int kCameraMaxSide = 8192;
constexpr int64_t kCameraMaxPixels = 40'000'000;

std::string usb_id(const std::string& v) {
    const bool hex = v.size() == 4 && std::all_of(v.begin(), v.end(), [](char c) {
                         return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                     });
    return v.empty() || hex ? "" : "4 hex digits such as \"05e0\"";
}

std::string suffix(const std::string& v) {
    return one_of(v, {"cr", "lf", "crlf", "tab"});
}

void read_reconnect(TableReader& r, int& reconnect_ms) {
    r.integer("reconnect_ms", reconnect_ms, 100, 600000);
}

ScannerSettings read_sim(const std::string&, TableReader& r, Problems&) {
    SimScannerConfig s;
    r.text("fifo", s.fifo, true, absolute_path);
    return s;
}

ScannerSettings read_evdev(const std::string& key, TableReader& r, Problems& problems) {
    EvdevScannerConfig s;
    r.text("device", s.device, false, [](const std::string& v) {
        return v.empty() || v.front() == '/' ? ""
                                             : "an absolute path such as /dev/input/by-id/usb-...-event-kbd";
    });
    r.text("usb_vendor", s.usb_vendor, false, usb_id);
    r.text("usb_product", s.usb_product, false, usb_id);
    r.text("layout", s.wedge.layout, false, [](const std::string& v) {
        return one_of(v, {"us", "uk", "de", "fr", "be", "es", "it", "nordic"});
    });
    r.text("terminator", s.wedge.terminator, false, [](const std::string& v) {
        return one_of(v, {"enter", "tab", "none"});
    });
    r.integer("gap_ms", s.wedge.gap_ms, 5, 5000);
    r.integer("max_key_interval_ms", s.wedge.max_key_interval_ms, 1, 1000);
    r.boolean("layout_proof", s.wedge.layout_proof);
    read_reconnect(r, s.reconnect_ms);
    if (s.device.empty() && (s.usb_vendor.empty() || s.usb_product.empty())) {
        problems.add(r.line(), key + ".device",
                     "expected device (a /dev/input path) or both usb_vendor and usb_product, found neither");
    }
    if (s.wedge.max_key_interval_ms >= s.wedge.gap_ms) {
        problems.add(r.line(), key + ".max_key_interval_ms",
                     "expected less than gap_ms (" + std::to_string(s.wedge.gap_ms) + "), found " +
                         std::to_string(s.wedge.max_key_interval_ms));
    }
    return s;
}

ScannerSettings read_serial(const std::string& key, TableReader& r, Problems& problems) {
    SerialScannerConfig s;
    r.text("device", s.device, false, optional_absolute_path);
    r.integer("baud", s.baud, 1200, 921600);
    r.text("suffix", s.suffix, false, suffix);
    read_reconnect(r, s.reconnect_ms);
    if (s.device.empty()) {
        problems.add(r.line(), key + ".device",
                     "expected the serial port (/dev/ttyACM0, /dev/serial/by-id/...), found none");
    }
    return s;
}

ScannerSettings read_tcp(const std::string&, TableReader& r, Problems&) {
    TcpScannerConfig s;
    r.text("host", s.host, true);
    r.integer("port", s.port, 1, 65535, true);
    r.text("suffix", s.suffix, false, suffix);
    read_reconnect(r, s.reconnect_ms);
    return s;
}

ScannerSettings read_hid(const std::string& key, TableReader& r, Problems& problems) {
    HidScannerConfig s;
    r.text("usb_vendor", s.usb_vendor, false, usb_id);
    r.text("usb_product", s.usb_product, false, usb_id);
    read_reconnect(r, s.reconnect_ms);
    if (s.usb_vendor.empty() || s.usb_product.empty()) {
        problems.add(r.line(), key + ".usb_vendor",
                     "expected usb_vendor and usb_product (4 hex digits each) for a HID POS scanner");
    }
    return s;
}

ScannerSettings read_camera(const std::string& key, TableReader& r, Problems& problems) {
    CameraScannerConfig s;
    r.text("device", s.device, false, optional_absolute_path);
    r.integer("width", s.width, 16, kCameraMaxSide);
    r.integer("height", s.height, 16, kCameraMaxSide);
    r.text("pixel_format", s.pixel_format, false, [](const std::string& v) {
        return one_of(v, {"GREY", "YUYV", "UYVY", "NV12", "MJPG"});
    });
    r.integer("interval_ms", s.interval_ms, 20, 60000);
    r.integer("repeat_after_ms", s.repeat_after_ms, 0, 600000);
    read_reconnect(r, s.reconnect_ms);
    if (s.device.empty()) {
        problems.add(r.line(), key + ".device",
                     "expected the camera (/dev/v4l/by-id/usb-...-video-index0 or /dev/videoN), found none");
    }
    if (int64_t{s.width} * s.height > kCameraMaxPixels) {
        problems.add(r.line(), key + ".width",
                     "expected at most " + std::to_string(kCameraMaxPixels) + " pixels, found " +
                         std::to_string(s.width) + "x" + std::to_string(s.height));
    }
    if ((s.pixel_format == "YUYV" || s.pixel_format == "UYVY") && s.width % 2 != 0) {
        problems.add(r.line(), key + ".width",
                     "expected an even width for " + s.pixel_format +
                         " (two pixels share their colour), found " + std::to_string(s.width));
    }
    return s;
}

// The scanner types, in the order of ScannerSettings; scan_wiring.cpp has the factory of each.
constexpr DeviceTypes<ScannerSettings, 6> kScannerTypes = {{
    {"sim", read_sim},
    {"evdev", read_evdev},
    {"serial", read_serial},
    {"tcp", read_tcp},
    {"hid", read_hid},
    {"camera", read_camera},
}};

}  // namespace

ScannerConfig read_scanner(const std::string& name, TableReader& r, Problems& problems) {
    ScannerConfig s;
    s.name = name;
    s.settings = read_typed("scanners." + name, r, problems, kScannerTypes);
    return s;
}

}  // namespace config_detail

std::string_view ScannerConfig::type() const {
    return config_detail::type_name(config_detail::kScannerTypes, settings);
}

}  // namespace packd::host
