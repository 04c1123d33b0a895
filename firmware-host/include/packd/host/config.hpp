#pragma once
// packd's configuration: one TOML file, read into plain structs and validated as a whole before
// any device is opened or socket bound. Every problem is reported with file, line, key, what
// was expected and what was found; unknown keys are problems too.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/host/device_config.hpp"

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

/// [web]: the station screens, the device page and the JSON API packd serves itself (docs/web.md).
struct WebConfig {
    bool enabled = false;  ///< true when the config has a [web] section
    std::string address = "127.0.0.1";
    int port = 8080;
    /// Tokens and user:password lines (chmod 600); required on any address but loopback.
    std::string credentials_file;
    int max_connections = 64;

    bool operator==(const WebConfig&) const = default;
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
    /// What the station does: "pack" (the default), "pick", "receive", "putaway", "count" or "returns".
    std::string mode = "pack";
    /// The modes a MODE-<mode> command barcode may switch the station to; empty: it stays in `mode`.
    std::vector<std::string> modes;
    /// Receive books into it, put-away takes from it.
    std::string receiving_location = "RECEIVING";
    bool blind_count = true;         ///< count: the expected quantities are not shown
    int recount_threshold = 0;       ///< count: a difference of more units asks for a recount first
    bool pick_scan_location = true;  ///< pick: a stop's location is scanned before its items

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
    std::string badge_prefix = "OP-";  ///< an operator's badge, scanned at the start of a shift
    /// Command codes printed on a sheet at the station. QTY<n>, KEY<d> and MODE-<mode> are always commands.
    std::vector<std::string> commands = {"DONE",  "CANCEL",  "REPRINT",    "UNDO",  "SKIP",
                                         "CLOSE", "RESTOCK", "QUARANTINE", "SCRAP", "SHORT"};
    bool operator==(const ScanningConfig&) const = default;
};
/// The sections SIGHUP may change while orders are in flight: devices, stations and rules.
/// [rules]: merchant rules (docs/rules.md).
struct RulesConfig {
    std::string dir;     ///< the folder of the rules files (*.toml); empty: no rules
    std::string cutoff;  ///< the ship-today cut-off "HH:MM", local time; empty: none
    int keep_days = 7;   ///< how long the traces of rule runs are kept
    int64_t keep_runs = 100000;
    int64_t instructions = 200000;  ///< per condition, action argument or setup: the Lua budget
    int64_t memory_kb = 16384;      ///< all rules together

    bool operator==(const RulesConfig&) const = default;
};

struct ReloadableSections {
    LabelsConfig labels;
    InventoryConfig inventory;
    ImportConfig import;
    ScanningConfig scanning;
    std::map<std::string, PrinterConfig> printers;
    std::map<std::string, ScaleConfig> scales;
    std::map<std::string, ScannerConfig> scanners;
    std::map<std::string, StationConfig> stations;
    RulesConfig rules;

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
    WebConfig web;
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
