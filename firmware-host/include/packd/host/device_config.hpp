#pragma once
// The device sections of the config ([printers.NAME], [scales.NAME], [scanners.NAME]): one struct per
// device type holding only the keys that type takes, and per device a std::variant of its kind's types.
// A new type is one struct here, one reader entry in config_devices_<kind>.cpp and one factory entry in
// <kind>_wiring.cpp; config_reader.hpp turns the keys of another type into a message that names them.

#include <string>
#include <string_view>
#include <variant>

namespace packd::host {

// ---- printers ----

/// type = "file": each label written to a folder (and a PNG preview beside it).
struct FilePrinterConfig {
    std::string directory;
    bool operator==(const FilePrinterConfig&) const = default;
};

/// How a ZPL printer on TCP or USB is asked for its state, and how long a job may take.
struct ZplJobConfig {
    int status_timeout_ms = 2000;
    int job_timeout_ms = 60000;
    std::string status = "hs";  ///< "hs", "hqes" or "both", the status command asked
    int batch = 8;              ///< labels sent between two status checks
    bool operator==(const ZplJobConfig&) const = default;
};

/// type = "tcp": a ZPL printer on raw TCP.
struct TcpPrinterConfig {
    std::string host;
    int port = 9100;
    int connect_timeout_ms = 3000;
    ZplJobConfig job;
    bool operator==(const TcpPrinterConfig&) const = default;
};

/// type = "usb": a USB printer class device through libusb; without ids, the first printer interface.
struct UsbPrinterConfig {
    std::string vendor_id;    ///< 4 hex digits, e.g. "0a5f" (Zebra)
    std::string product_id;   ///< 4 hex digits
    std::string serial;       ///< the USB serial number, to tell two identical printers apart
    int reconnect_ms = 1000;  ///< how often an absent printer is looked for besides hotplug
    ZplJobConfig job;
    bool operator==(const UsbPrinterConfig&) const = default;
};

using PrinterSettings = std::variant<FilePrinterConfig, TcpPrinterConfig, UsbPrinterConfig>;

struct PrinterConfig {
    std::string name;
    int dpi = 203;
    PrinterSettings settings;

    /// "file", "tcp" or "usb": the type as the config spells it.
    std::string_view type() const;
    bool operator==(const PrinterConfig&) const = default;
};

// ---- scales ----

/// type = "sim": weights written as lines to a FIFO.
struct SimScaleConfig {
    std::string fifo;
    bool operator==(const SimScaleConfig&) const = default;
};

/// A serial scale's line: the only device packd opens for this scale.
struct SerialLineConfig {
    std::string port;  ///< absolute device path, e.g. /dev/serial/by-id/usb-FTDI_..-if00-port0
    int baud = 9600;
    std::string parity = "none";  ///< "none", "even", "odd"
    int data_bits = 8;            ///< 7 or 8
    int stop_bits = 1;
    std::string flow_control = "none";  ///< "none", "rts-cts", "xon-xoff"
    int reconnect_ms = 1000;            ///< wait before opening a lost port again
    bool operator==(const SerialLineConfig&) const = default;
};

/// type = "mt-sics": METTLER TOLEDO's standard command set, polled.
struct MtSicsScaleConfig {
    SerialLineConfig line;
    int poll_ms = 200;  ///< how often the weight is asked for
    bool operator==(const MtSicsScaleConfig&) const = default;
};

/// type = "toledo-8217": the 8217 protocol, 7 data bits, even parity (Transcell PC-150, B.1.4).
struct Toledo8217ScaleConfig {
    SerialLineConfig line{.port = {},
                          .baud = 9600,
                          .parity = "even",
                          .data_bits = 7,
                          .stop_bits = 1,
                          .flow_control = "none",
                          .reconnect_ms = 1000};
    int poll_ms = 200;
    std::string unit = "lb";  ///< the unit the scale shows
    bool operator==(const Toledo8217ScaleConfig&) const = default;
};

/// type = "ascii": a scale that streams lines, read by a regular expression with numbered groups or by
/// fixed columns "FIRST-LAST" (1-based).
struct AsciiScaleConfig {
    SerialLineConfig line;
    std::string unit = "g";  ///< the unit when the line carries none
    std::string pattern;
    int value_group = 0;
    int sign_group = 0;
    int unit_group = 0;
    int stability_group = 0;
    std::string value_columns;
    std::string sign_columns;
    std::string unit_columns;
    std::string stability_columns;
    std::string stable_text = "ST";    ///< the stability field when the weight is stable
    std::string overload_text = "OL";  ///< the stability field when overloaded
    bool operator==(const AsciiScaleConfig&) const = default;
};

/// type = "hid": a USB HID POS scale through libusb.
struct HidScaleConfig {
    std::string usb_id;       ///< "0922:8003"; empty: the first scale by HID usage page 0x8D
    int reconnect_ms = 1000;  ///< how often an absent scale is looked for besides hotplug
    bool operator==(const HidScaleConfig&) const = default;
};

/// When a weight counts as stable (fulfillment/weighing/stable_weight.hpp); every scale type has these.
struct StableWeightConfig {
    int readings = 3;
    int ms = 0;
    int tolerance_mg = 2000;
    bool operator==(const StableWeightConfig&) const = default;
};

using ScaleSettings =
    std::variant<SimScaleConfig, MtSicsScaleConfig, Toledo8217ScaleConfig, AsciiScaleConfig, HidScaleConfig>;

struct ScaleConfig {
    std::string name;
    ScaleSettings settings;
    StableWeightConfig stable;

    /// "sim", "mt-sics", "toledo-8217", "ascii" or "hid".
    std::string_view type() const;
    bool operator==(const ScaleConfig&) const = default;
};

// ---- scanners ----

/// type = "sim": scans written as lines to a FIFO.
struct SimScannerConfig {
    std::string fifo;
    bool operator==(const SimScannerConfig&) const = default;
};

/// How a keyboard-wedge scanner's key strokes become a scan.
struct WedgeConfig {
    std::string layout = "us";         ///< keyboard country the scanner is set to
    std::string terminator = "enter";  ///< "enter", "tab" or "none"
    int gap_ms = 50;                   ///< a pause this long ends a scan
    int max_key_interval_ms = 30;      ///< slower keys were typed by a person
    bool layout_proof = false;         ///< pick the layout whose decoding has valid check digits
    bool operator==(const WedgeConfig&) const = default;
};

/// type = "evdev": a keyboard-wedge USB scanner, grabbed exclusively.
struct EvdevScannerConfig {
    std::string device;       ///< /dev/input/by-id/... ; or empty and usb_vendor/usb_product
    std::string usb_vendor;   ///< 4 hex digits, e.g. "05e0"
    std::string usb_product;  ///< 4 hex digits
    WedgeConfig wedge;
    int reconnect_ms = 2000;
    bool operator==(const EvdevScannerConfig&) const = default;
};

/// type = "serial": RS-232 or CDC-ACM; each scan ends with `suffix`.
struct SerialScannerConfig {
    std::string device;
    int baud = 9600;
    std::string suffix = "cr";  ///< "cr", "lf", "crlf" or "tab"
    int reconnect_ms = 2000;
    bool operator==(const SerialScannerConfig&) const = default;
};

/// type = "tcp": a network scanner that sends each scan as a line.
struct TcpScannerConfig {
    std::string host;
    int port = 0;
    std::string suffix = "cr";
    int reconnect_ms = 2000;
    bool operator==(const TcpScannerConfig&) const = default;
};

/// type = "hid": a USB HID POS scanner through libusb.
struct HidScannerConfig {
    std::string usb_vendor;
    std::string usb_product;
    int reconnect_ms = 2000;
    bool operator==(const HidScannerConfig&) const = default;
};

/// type = "camera": a V4L2 camera whose frames are decoded for barcodes.
struct CameraScannerConfig {
    std::string device;  ///< e.g. /dev/v4l/by-id/usb-...-video-index0
    int width = 1280;
    int height = 720;
    std::string pixel_format = "YUYV";  ///< "GREY", "YUYV", "UYVY", "NV12" or "MJPG"
    int interval_ms = 200;              ///< one frame decoded per interval (a decode takes ~50 ms)
    int repeat_after_ms = 2000;         ///< a code out of view this long scans again
    int reconnect_ms = 2000;
    bool operator==(const CameraScannerConfig&) const = default;
};

using ScannerSettings = std::variant<SimScannerConfig, EvdevScannerConfig, SerialScannerConfig,
                                     TcpScannerConfig, HidScannerConfig, CameraScannerConfig>;

struct ScannerConfig {
    std::string name;
    ScannerSettings settings;

    /// "sim", "evdev", "serial", "tcp", "hid" or "camera".
    std::string_view type() const;
    bool operator==(const ScannerConfig&) const = default;
};

}  // namespace packd::host
