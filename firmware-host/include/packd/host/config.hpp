#pragma once
// packd's configuration: one TOML file, read into plain structs and validated as a whole before
// any device is opened or socket bound. Every problem is reported with file, line, key, what
// was expected and what was found; unknown keys are problems too.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::host {

/// The site this box serves; `id` scopes the MQTT topics, the rest is the ship-from address.
struct SiteConfig {
    std::string id;
    std::string name;
    std::string company;
    std::string street1;
    std::string street2;
    std::string city;
    std::string region;
    std::string postal_code;
    std::string country;

    bool operator==(const SiteConfig&) const = default;
};

struct DaemonConfig {
    std::string state_dir = "/var/lib/packd";
    std::string admin_socket = "/run/packd/packd.sock";
    std::string admin_group;  ///< group allowed to use packctl; empty: the daemon's own group
    std::string log_level = "info";

    bool operator==(const DaemonConfig&) const = default;
};

struct BrokerConfig {
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string client_id;  ///< default "packd-<site id>"
    std::string topic_prefix = "packd/v1";
    std::string username;
    std::string password_file;
    bool tls = false;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    int keepalive_s = 30;
    int64_t max_payload_bytes = 256 * 1024;
    int reconnect_min_ms = 500;
    int reconnect_max_ms = 30000;
    /// Several boxes sharing one order stream: each order goes to one member of the group
    /// ("$share/<group>/..." subscription). Empty: this box gets every order.
    std::string shared_group;

    bool operator==(const BrokerConfig&) const = default;
};

struct StationConfig;

struct LabelsConfig {
    std::string printer;         ///< printer for shipping labels of orders that arrive from the shop
    std::string size = "4x6in";  ///< "4x6in" or "100x150mm"
    /// The folder of the label templates (shipping.toml, return.toml, pick_list.toml, sscc.toml). Empty:
    /// the installed config/labels.
    std::string templates;
    /// [labels.routes]: the printer of each label kind ("shipping", "return", "pick_list", "sscc"); a kind
    /// without a route prints on `printer`.
    std::map<std::string, std::string> routes;

    /// The printer for labels of `kind`, printed at `station` when one is named: the station's printer for
    /// that kind, else the station's `printer`, else [labels.routes], else `printer`.
    std::string printer_for(const std::string& kind, const StationConfig* station) const;

    bool operator==(const LabelsConfig&) const = default;
};

struct PrinterConfig {
    std::string name;
    std::string type;  ///< "file", "tcp" or "usb"
    std::string directory;
    int dpi = 203;
    // type = "tcp": a ZPL printer on raw TCP.
    std::string host;
    int port = 9100;
    int connect_timeout_ms = 3000;
    int status_timeout_ms = 2000;
    int job_timeout_ms = 60000;
    std::string status = "hs";  ///< tcp and usb: "hs", "hqes" or "both", the status command asked
    int batch = 8;              ///< tcp and usb: labels sent between two status checks
    // type = "usb": a USB printer class device through libusb; without ids, the first printer interface.
    std::string vendor_id;    ///< 4 hex digits, e.g. "0a5f" (Zebra)
    std::string product_id;   ///< 4 hex digits
    std::string serial;       ///< the USB serial number, to tell two identical printers apart
    int reconnect_ms = 1000;  ///< usb: how often an absent printer is looked for besides hotplug

    bool operator==(const PrinterConfig&) const = default;
};

struct ScaleConfig {
    std::string name;
    std::string type;  ///< "sim", "mt-sics", "toledo-8217", "ascii" or "hid" (USB HID POS, libusb)
    std::string fifo;  ///< sim: the FIFO it reads
    // Serial scales (mt-sics, toledo-8217, ascii): the only device packd opens for this scale.
    std::string port;  ///< absolute device path, e.g. /dev/serial/by-id/usb-FTDI_..-if00-port0
    int baud = 9600;
    std::string parity = "none";  ///< "none", "even", "odd" (toledo-8217 default: even)
    int data_bits = 8;            ///< 7 or 8 (toledo-8217 default: 7)
    int stop_bits = 1;
    std::string flow_control = "none";  ///< "none", "rts-cts", "xon-xoff"
    int poll_ms = 200;                  ///< mt-sics and toledo-8217: how often the weight is asked for
    int reconnect_ms = 1000;            ///< wait before opening a lost port or USB device again
    std::string unit;  ///< toledo-8217 (default "lb") and ascii (default "g"): the unit shown
    // ascii: a regular expression with numbered groups, or fixed columns "FIRST-LAST" (1-based).
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
    // hid: vendor and product id "0922:8003"; empty: the first scale by HID usage page 0x8D.
    std::string usb_id;
    // When a weight counts as stable (fulfillment/stable_weight.hpp).
    int stable_readings = 3;
    int stable_ms = 0;
    int stable_tolerance_mg = 2000;

    bool operator==(const ScaleConfig&) const = default;
};

struct ScannerConfig {
    std::string name;
    std::string type;  ///< "sim", "evdev", "serial", "tcp", "hid" or "camera"
    std::string fifo;
    // evdev (keyboard-wedge USB scanners)
    std::string device;                ///< /dev/input/by-id/... ; or empty and usb_vendor/usb_product
    std::string usb_vendor;            ///< 4 hex digits, e.g. "05e0"
    std::string usb_product;           ///< 4 hex digits
    std::string layout = "us";         ///< keyboard country the scanner is set to
    std::string terminator = "enter";  ///< "enter", "tab" or "none"
    int gap_ms = 50;                   ///< a pause this long ends a scan
    int max_key_interval_ms = 30;      ///< slower keys were typed by a person
    bool layout_proof = false;         ///< pick the layout whose decoding has valid check digits
    int reconnect_ms = 2000;
    // serial (RS-232, CDC-ACM: device) and tcp (host, port)
    int baud = 9600;
    std::string suffix = "cr";  ///< "cr", "lf", "crlf" or "tab"
    std::string host;
    int port = 0;
    // camera (V4L2: device, e.g. /dev/v4l/by-id/usb-...-video-index0)
    int width = 1280;
    int height = 720;
    std::string pixel_format = "YUYV";  ///< "GREY", "YUYV", "UYVY", "NV12" or "MJPG"
    int interval_ms = 200;              ///< one frame decoded per interval (a decode takes ~50 ms)
    int repeat_after_ms = 2000;         ///< a code out of view this long scans again

    bool operator==(const ScannerConfig&) const = default;
};

struct StationConfig {
    std::string name;
    std::string printer;
    std::string scale;
    std::string scanner;
    int weigh_timeout_ms = 10000;      ///< how long DONE waits for the scale to settle
    int packaging_g = 0;               ///< box and filler, added to the items' weight for the weight check
    int weight_tolerance_g = 50;       ///< the weight check allows this much ...
    int weight_tolerance_percent = 5;  ///< ... or this share of the expected weight, whichever is more
    /// printers = { shipping = "desk", pick_list = "office" }: this station's printer per label kind.
    std::map<std::string, std::string> printers;

    bool operator==(const StationConfig&) const = default;
};

/// How stock is kept.
struct InventoryConfig {
    bool allow_oversell = false;  ///< accept orders beyond available stock (on hand may go negative)

    bool operator==(const InventoryConfig&) const = default;
};

/// Column names of supplier stock CSV files (`packctl import stock FILE.csv`).
struct ImportConfig {
    std::string sku = "sku";
    std::string quantity = "qty";
    std::string location = "location";
    std::string lot = "lot";
    std::string expiry = "expiry";
    std::string delimiter = ",";

    bool operator==(const ImportConfig&) const = default;
};

/// [scanning]: how image scans are decoded, and the words and prefixes a scan is read by
/// (fulfillment::ScanRules).
struct ScanningConfig {
    /// The packd-image-decoder helper; empty: the one beside the packd executable, else the installed one.
    std::string image_decoder;
    int image_decoders = 2;        ///< helpers decoding at once
    int image_queue = 32;          ///< images waiting for a helper; more are refused with a reason
    int image_timeout_ms = 10000;  ///< a helper still decoding after this is killed
    std::string order_prefix = "ORD-";
    std::string tote_prefix = "TOTE-";
    std::string rma_prefix = "RMA-";
    /// Command codes printed on a sheet at the station.
    std::vector<std::string> commands = {"DONE", "CANCEL", "REPRINT", "UNDO", "SKIP", "CLOSE"};
    bool operator==(const ScanningConfig&) const = default;
};
/// The sections SIGHUP may change while orders are in flight: devices, stations and rules.
struct ReloadableSections {
    LabelsConfig labels;
    InventoryConfig inventory;
    ImportConfig import;
    ScanningConfig scanning;
    std::map<std::string, PrinterConfig> printers;
    std::map<std::string, ScaleConfig> scales;
    std::map<std::string, ScannerConfig> scanners;
    std::map<std::string, StationConfig> stations;

    bool operator==(const ReloadableSections&) const = default;
};

/// A carrier's range of tracking numbers packd allocates itself ([tracking.NAME]).
struct TrackingRangeConfig {
    std::string name;
    std::string carrier;
    std::string scheme;  ///< "sscc", "ups_1z", "generic_mod10", "generic_mod11"
    std::string prefix;
    int64_t first = 0;
    int64_t last = 0;
    int64_t low_water = 0;

    bool operator==(const TrackingRangeConfig&) const = default;
};

struct Config {
    std::string path;
    SiteConfig site;
    DaemonConfig daemon;
    BrokerConfig broker;
    ReloadableSections devices;
    std::map<std::string, TrackingRangeConfig> tracking;
    /// The line each key was read from ("broker.password_file"), or its table's line when it was absent.
    std::map<std::string, int> key_lines;

    /// 0 when the key is not known.
    int line_of(const std::string& key) const {
        const auto it = key_lines.find(key);
        return it == key_lines.end() ? 0 : it->second;
    }
};

/// One problem in a config file, in the form "FILE:LINE: KEY: expected X, found Y".
struct ConfigProblem {
    std::string file;
    int line = 0;
    std::string key;
    std::string message;

    std::string to_string() const;
};

/// Reads and validates a config file; on failure returns every problem found, one per line.
Result<Config> load_config(const std::string& path);
/// What a valid config names outside itself that packd needs at start, checked without changing anything:
/// the state folder (writable, or creatable), a store packd can open (not damaged, not from a newer packd),
/// the secret and TLS files (readable), the admin socket's folder. Each problem names the file, line and
/// key. `packd --check-config` and packd's start both run it, so a config the check approves starts.
std::vector<ConfigProblem> environment_problems(const Config& config);
/// The same for config text already in memory (tests, fuzzing); `path` names it in messages.
Result<Config> parse_config(std::string_view text, const std::string& path);

}  // namespace packd::host
