// [scanners.NAME]: simulated, keyboard-wedge (evdev), serial, TCP, HID POS scanners and cameras.

#include <cctype>

#include "config_reader.hpp"

namespace packd::host::config_detail {
namespace {

// type = "camera": checked here so a bad size or format is named before any /dev/video* is opened. The
// limits are those of drivers/camera_frame.hpp, written out because the config parser is built without the
// drivers (the libFuzzer build of fuzz_config).
constexpr int kCameraMaxSide = 8192;
constexpr int64_t kCameraMaxPixels = 40'000'000;

void read_camera(const std::string& name, TableReader& r, ScannerConfig& s, Problems& problems) {
    const bool camera = s.type == "camera";
    r.integer("width", s.width, 16, kCameraMaxSide);
    r.integer("height", s.height, 16, kCameraMaxSide);
    r.text("pixel_format", s.pixel_format, false, [](const std::string& v) {
        return one_of(v, {"GREY", "YUYV", "UYVY", "NV12", "MJPG"});
    });
    r.integer("interval_ms", s.interval_ms, 20, 60000);
    r.integer("repeat_after_ms", s.repeat_after_ms, 0, 600000);
    if (!camera) {
        return;
    }
    if (s.device.empty()) {
        problems.add(r.line(), "scanners." + name + ".device",
                     "expected the camera (/dev/v4l/by-id/usb-...-video-index0 or /dev/videoN), found none");
    }
    if (int64_t{s.width} * s.height > kCameraMaxPixels) {
        problems.add(r.line(), "scanners." + name + ".width",
                     "expected at most " + std::to_string(kCameraMaxPixels) + " pixels, found " +
                         std::to_string(s.width) + "x" + std::to_string(s.height));
    }
    if ((s.pixel_format == "YUYV" || s.pixel_format == "UYVY") && s.width % 2 != 0) {
        problems.add(r.line(), "scanners." + name + ".width",
                     "expected an even width for " + s.pixel_format +
                         " (two pixels share their colour), found " + std::to_string(s.width));
    }
}

}  // namespace

ScannerConfig read_scanner(const std::string& name, TableReader& r, Problems& problems) {
    ScannerConfig s;
    s.name = name;
    r.text("type", s.type, true, [](const std::string& v) {
        return one_of(v, {"sim", "evdev", "serial", "tcp", "hid", "camera"});
    });
    r.text("fifo", s.fifo, s.type == "sim", absolute_path);
    const auto usb_id = [](const std::string& v) -> std::string {
        const bool hex = v.size() == 4 && std::all_of(v.begin(), v.end(), [](char c) {
                             return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                         });
        return v.empty() || hex ? "" : "4 hex digits such as \"05e0\"";
    };
    r.text("device", s.device, false, [](const std::string& v) {
        return v.empty() || v.front() == '/' ? ""
                                             : "an absolute path such as /dev/input/by-id/usb-...-event-kbd";
    });
    r.text("usb_vendor", s.usb_vendor, false, usb_id);
    r.text("usb_product", s.usb_product, false, usb_id);
    r.text("layout", s.layout, false, [](const std::string& v) {
        return one_of(v, {"us", "uk", "de", "fr", "be", "es", "it", "nordic"});
    });
    r.text("terminator", s.terminator, false, [](const std::string& v) {
        return one_of(v, {"enter", "tab", "none"});
    });
    r.integer("gap_ms", s.gap_ms, 5, 5000);
    r.integer("max_key_interval_ms", s.max_key_interval_ms, 1, 1000);
    r.boolean("layout_proof", s.layout_proof);
    r.integer("reconnect_ms", s.reconnect_ms, 100, 600000);
    r.integer("baud", s.baud, 1200, 921600);
    r.text("suffix", s.suffix, false, [](const std::string& v) {
        return one_of(v, {"cr", "lf", "crlf", "tab"});
    });
    r.text("host", s.host, s.type == "tcp");
    r.integer("port", s.port, 1, 65535, s.type == "tcp");
    if (s.type == "hid" && (s.usb_vendor.empty() || s.usb_product.empty())) {
        problems.add(r.line(), "scanners." + name + ".usb_vendor",
                     "expected usb_vendor and usb_product (4 hex digits each) for a HID POS scanner");
    }
    if (s.type == "serial" && s.device.empty()) {
        problems.add(r.line(), "scanners." + name + ".device",
                     "expected the serial port (/dev/ttyACM0, /dev/serial/by-id/...), found none");
    }
    if (s.type == "evdev" && s.device.empty() && (s.usb_vendor.empty() || s.usb_product.empty())) {
        problems.add(r.line(), "scanners." + name + ".device",
                     "expected device (a /dev/input path) or both usb_vendor and usb_product, found neither");
    }
    read_camera(name, r, s, problems);
    if (s.type == "evdev" && s.max_key_interval_ms >= s.gap_ms) {
        problems.add(r.line(), "scanners." + name + ".max_key_interval_ms",
                     "expected less than gap_ms (" + std::to_string(s.gap_ms) + "), found " +
                         std::to_string(s.max_key_interval_ms));
    }
    return s;
}

}  // namespace packd::host::config_detail
