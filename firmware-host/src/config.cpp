#include "packd/host/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/tracking.hpp"

namespace packd::host {
namespace {

std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "the string \"" + node.value<std::string>().value_or("") + "\"";
        case toml::node_type::integer:
            return "the integer " + std::to_string(node.value<int64_t>().value_or(0));
        case toml::node_type::floating_point:
            return "a decimal number";
        case toml::node_type::boolean:
            return node.value<bool>().value_or(false) ? "true" : "false";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time:
            return "a date or time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

bool is_name(std::string_view s) {
    if (s.empty() || s.size() > 64) {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

// A topic segment may not hold MQTT wildcards or separators.
bool is_topic_prefix(std::string_view s) {
    if (s.empty() || s.front() == '/' || s.back() == '/' || s.size() > 128) {
        return false;
    }
    for (char c : s) {
        if (c == '+' || c == '#' || c == '\0' || static_cast<unsigned char>(c) < 0x20) {
            return false;
        }
    }
    return s.find("//") == std::string_view::npos;
}

/// Collects problems while the config is read, so one run reports all of them.
class Problems {
  public:
    explicit Problems(std::string file) : file_(std::move(file)) {}
    void add(int line, std::string key, std::string message) {
        items_.push_back({file_, line, std::move(key), std::move(message)});
    }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    /// Where `key` was read (or, absent, the line of its table), for checks made after reading.
    void note(const std::string& key, int line) { lines_.emplace(key, line); }
    std::map<std::string, int> take_lines() { return std::move(lines_); }
    std::string joined() const {
        std::string out;
        for (const auto& p : items_) {
            if (!out.empty()) {
                out += '\n';
            }
            out += p.to_string();
        }
        return out;
    }

  private:
    std::string file_;
    std::vector<ConfigProblem> items_;
    std::map<std::string, int> lines_;
};

/// Reads the keys of one table, checking each against what it may hold; keys nobody asked
/// for are reported as unknown by finish().
class TableReader {
  public:
    TableReader(const toml::table* table, std::string path, int fallback_line, Problems& problems)
        : table_(table), path_(std::move(path)), line_(fallback_line), problems_(problems) {
        if (table_ != nullptr && line_of(*table_) > 0) {
            line_ = line_of(*table_);
        }
    }

    void text(std::string_view key, std::string& out, bool required,
              const std::function<std::string(const std::string&)>& check = {}) {
        const toml::node* node = get(key, required);
        if (node == nullptr) {
            return;
        }
        if (!node->is_string()) {
            problems_.add(line_of(*node), full(key), "expected a string, found " + describe(*node));
            return;
        }
        std::string value = node->value<std::string>().value_or("");
        if (required && value.empty()) {
            problems_.add(line_of(*node), full(key), "expected a non-empty string, found \"\"");
            return;
        }
        if (check) {
            if (std::string why = check(value); !why.empty()) {
                problems_.add(line_of(*node), full(key), "expected " + why + ", found \"" + value + "\"");
                return;
            }
        }
        out = std::move(value);
    }

    template <class Int>
    void integer(std::string_view key, Int& out, int64_t min, int64_t max, bool required = false) {
        const toml::node* node = get(key, required);
        if (node == nullptr) {
            return;
        }
        std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
        if (!node->is_integer()) {
            problems_.add(line_of(*node), full(key), "expected " + range + ", found " + describe(*node));
            return;
        }
        const int64_t v = node->value<int64_t>().value_or(0);
        if (v < min || v > max) {
            problems_.add(line_of(*node), full(key), "expected " + range + ", found " + std::to_string(v));
            return;
        }
        out = static_cast<Int>(v);
    }

    void boolean(std::string_view key, bool& out) {
        const toml::node* node = get(key, false);
        if (node == nullptr) {
            return;
        }
        if (!node->is_boolean()) {
            problems_.add(line_of(*node), full(key), "expected true or false, found " + describe(*node));
            return;
        }
        out = node->value<bool>().value_or(false);
    }

    /// A table under `key` ([labels.routes], or printers = { ... }), or nullptr when absent or not a table.
    const toml::table* table(std::string_view key) {
        const toml::node* node = get(key, false);
        if (node != nullptr && !node->is_table()) {
            problems_.add(line_of(*node), full(key), "expected a table, found " + describe(*node));
            return nullptr;
        }
        return node != nullptr ? node->as_table() : nullptr;
    }

    /// An array of strings, each checked by `check` (empty: fine), duplicates refused.
    void words(std::string_view key, std::vector<std::string>& out,
               const std::function<std::string(const std::string&)>& check) {
        const toml::node* node = get(key, false);
        if (node == nullptr) {
            return;
        }
        const toml::array* array = node->as_array();
        if (array == nullptr) {
            problems_.add(line_of(*node), full(key),
                          "expected an array of strings, found " + describe(*node));
            return;
        }
        std::vector<std::string> values;
        for (const toml::node& item : *array) {
            if (!item.is_string()) {
                problems_.add(line_of(item), full(key), "expected strings only, found " + describe(item));
                return;
            }
            std::string value = item.value<std::string>().value_or("");
            if (std::string why = check(value); !why.empty()) {
                problems_.add(line_of(item), full(key), "expected " + why + ", found \"" + value + "\"");
                return;
            }
            if (std::find(values.begin(), values.end(), value) != values.end()) {
                problems_.add(line_of(item), full(key),
                              "expected each word once, found \"" + value + "\" twice");
                return;
            }
            values.push_back(std::move(value));
        }
        out = std::move(values);
    }

    void finish() {
        if (table_ == nullptr) {
            return;
        }
        for (auto&& [key, node] : *table_) {
            if (!read_.count(std::string(key.str()))) {
                problems_.add(line_of(node), full(key.str()), "unknown key (check its spelling and section)");
            }
        }
    }

    int line() const { return line_; }

  private:
    const toml::node* get(std::string_view key, bool required) {
        read_.insert(std::string(key));
        const toml::node* node = table_ != nullptr ? table_->get(key) : nullptr;
        problems_.note(full(key), node != nullptr ? line_of(*node) : line_);
        if (node == nullptr && required) {
            problems_.add(line_, full(key), "expected this key, found nothing (it is required)");
        }
        return node;
    }
    std::string full(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const toml::table* table_;
    std::string path_;
    int line_;
    Problems& problems_;
    std::set<std::string> read_;
};

/// The range as packd would take it at start (prefix length and characters per scheme, serials that fit):
/// refused here already, with the line, so that --check-config finds what start would refuse.
void check_tracking_range(const TrackingRangeConfig& t, int line, Problems& problems) {
    auto scheme = fulfillment::parse_tracking_scheme(t.scheme);
    if (!scheme || t.carrier.empty()) {
        return;  // reported by its own key
    }
    const fulfillment::TrackingRange range{t.carrier, *scheme, t.prefix, t.first, t.last, t.low_water};
    if (auto valid = fulfillment::validate(range); !valid) {
        const std::string& why = valid.error().message;
        const std::string key = why.find("prefix") != std::string::npos    ? ".prefix"
                                : why.find("serials") != std::string::npos ? ".last"
                                                                           : ".low_water";
        problems.add(line, "tracking." + t.name + key, why);
    }
}

std::string one_of(const std::string& value, std::initializer_list<std::string_view> allowed) {
    for (auto a : allowed) {
        if (value == a) {
            return {};
        }
    }
    std::string out = "one of";
    for (auto a : allowed) {
        out += " \"" + std::string(a) + "\"";
    }
    return out;
}

std::string absolute_path(const std::string& value) {
    if (value.empty() || value.front() != '/') {
        return "an absolute path";
    }
    return {};
}

std::string optional_absolute_path(const std::string& value) {
    return value.empty() ? "" : absolute_path(value);
}

const toml::table* section(const toml::table& root, std::string_view name, Problems& problems) {
    const toml::node* node = root.get(name);
    if (node == nullptr) {
        return nullptr;
    }
    if (!node->is_table()) {
        problems.add(line_of(*node), std::string(name),
                     "expected a table [" + std::string(name) + "], found " + describe(*node));
        return nullptr;
    }
    return node->as_table();
}

/// Calls `read` for each named sub-table of a device section such as [printers.label1].
void each_named(const toml::table& root, std::string_view name, Problems& problems,
                const std::function<void(const std::string&, TableReader&)>& read) {
    const toml::table* table = section(root, name, problems);
    if (table == nullptr) {
        return;
    }
    for (auto&& [key, node] : *table) {
        const std::string item(key.str());
        const std::string path = std::string(name) + "." + item;
        if (!node.is_table()) {
            problems.add(line_of(node), path, "expected a table [" + path + "], found " + describe(node));
            continue;
        }
        if (!is_name(item)) {
            problems.add(line_of(node), path,
                         "expected a name of letters, digits, '-' and '_', found \"" + item + "\"");
            continue;
        }
        TableReader reader(node.as_table(), path, line_of(node), problems);
        read(item, reader);
        reader.finish();
    }
}

void read_site(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "site", problems), "site", 1, problems);
    auto& s = cfg.site;
    r.text("id", s.id, true, [](const std::string& v) {
        return is_name(v) ? "" : "a site id of letters, digits, '-' and '_' (it becomes part of MQTT topics)";
    });
    r.text("name", s.name, false);
    r.text("company", s.company, false);
    r.text("street1", s.street1, false);
    r.text("street2", s.street2, false);
    r.text("city", s.city, false);
    r.text("region", s.region, false);
    r.text("postal_code", s.postal_code, false);
    r.text("country", s.country, false);
    r.finish();
}

void read_daemon(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "daemon", problems), "daemon", 1, problems);
    auto& d = cfg.daemon;
    r.text("state_dir", d.state_dir, false, absolute_path);
    r.text("admin_socket", d.admin_socket, false, [](const std::string& v) {
        if (!absolute_path(v).empty()) {
            return std::string("an absolute path");
        }
        // sockaddr_un holds 108 bytes including the terminating zero.
        return v.size() < 108 ? std::string() : std::string("a path shorter than 108 bytes");
    });
    r.text("admin_group", d.admin_group, false);
    r.text("log_level", d.log_level, false, [](const std::string& v) {
        return one_of(v, {"error", "warning", "notice", "info", "debug"});
    });
    r.finish();
}

void read_broker(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "broker", problems), "broker", 1, problems);
    auto& b = cfg.broker;
    r.text("host", b.host, false);
    r.integer("port", b.port, 1, 65535);
    r.text("client_id", b.client_id, false,
           [](const std::string& v) { return v.size() <= 128 ? "" : "a client id of at most 128 bytes"; });
    r.text("topic_prefix", b.topic_prefix, false, [](const std::string& v) {
        return is_topic_prefix(v) ? ""
                                  : "a topic prefix without '+', '#', empty levels or a leading/trailing '/'";
    });
    r.text("username", b.username, false);
    r.text("password_file", b.password_file, false, optional_absolute_path);
    r.boolean("tls", b.tls);
    r.text("ca_file", b.ca_file, false, optional_absolute_path);
    r.text("cert_file", b.cert_file, false, optional_absolute_path);
    r.text("key_file", b.key_file, false, optional_absolute_path);
    r.integer("keepalive_s", b.keepalive_s, 5, 3600);
    r.integer("max_payload_bytes", b.max_payload_bytes, 1024, 64 * 1024 * 1024);
    r.integer("reconnect_min_ms", b.reconnect_min_ms, 100, 600000);
    r.integer("reconnect_max_ms", b.reconnect_max_ms, 100, 3600000);
    r.text("shared_group", b.shared_group, false, [](const std::string& v) {
        return v.empty() || is_name(v) ? "" : "a group name of letters, digits, '-' and '_'";
    });
    if (b.reconnect_max_ms < b.reconnect_min_ms) {
        problems.add(r.line(), "broker.reconnect_max_ms",
                     "expected a value at least reconnect_min_ms (" + std::to_string(b.reconnect_min_ms) +
                         "), found " + std::to_string(b.reconnect_max_ms));
    }
    if (b.host.empty()) {
        problems.add(r.line(), "broker.host", "expected a host name or address, found \"\"");
    }
    if (b.cert_file.empty() != b.key_file.empty()) {
        problems.add(r.line(), "broker.cert_file",
                     "expected cert_file and key_file together, found only one of them");
    }
    if (!b.tls && (!b.ca_file.empty() || !b.cert_file.empty())) {
        problems.add(r.line(), "broker.tls",
                     "expected tls = true when ca_file or cert_file is set, found false");
    }
    r.finish();
}

/// [labels.routes] or a station's printers = { ... }: label kind -> printer name.
void read_label_routes(const toml::table* table, const std::string& path,
                       std::map<std::string, std::string>& out, Problems& problems) {
    if (table == nullptr) {
        return;
    }
    TableReader r(table, path, line_of(*table), problems);
    for (const char* kind : {"shipping", "return", "pick_list", "sscc"}) {
        std::string printer;
        r.text(kind, printer, false);
        if (!printer.empty()) {
            out[kind] = printer;
        }
    }
    r.finish();
}

// The [scales.NAME] section: its own file, as it is the largest device section.
#include "config_scales.inc"
// The keys of [printers.NAME] for status queries and USB printers.
#include "config_cameras.inc"
#include "config_printers.inc"

// Printed on labels and sheets and typed by scanners: visible ASCII, no spaces.
std::string scan_word(const std::string& v) {
    const bool printable_ascii = std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7F; });
    return !v.empty() && v.size() <= 32 && printable_ascii ? ""
                                                           : "1 to 32 visible ASCII characters, no spaces";
}

void read_scanning(const toml::table& root, ScanningConfig& s, Problems& problems) {
    TableReader r(section(root, "scanning", problems), "scanning", 1, problems);
    r.text("image_decoder", s.image_decoder, false, optional_absolute_path);
    r.integer("image_decoders", s.image_decoders, 1, 16);
    r.integer("image_queue", s.image_queue, 1, 1000);
    r.integer("image_timeout_ms", s.image_timeout_ms, 1000, 120000);
    r.text("order_prefix", s.order_prefix, false, scan_word);
    r.text("tote_prefix", s.tote_prefix, false, scan_word);
    r.text("rma_prefix", s.rma_prefix, false, scan_word);
    r.words("commands", s.commands, scan_word);
    // A prefix that starts another would make every code of the longer one ambiguous.
    const std::pair<const char*, const std::string*> prefixes[] = {
        {"order_prefix", &s.order_prefix}, {"tote_prefix", &s.tote_prefix}, {"rma_prefix", &s.rma_prefix}};
    for (const auto& [key, value] : prefixes) {
        for (const auto& [other_key, other] : prefixes) {
            if (key != other_key && other->rfind(*value, 0) == 0) {
                problems.add(r.line(), std::string("scanning.") + key,
                             "expected a prefix that does not start " + std::string(other_key) + " (\"" +
                                 *other + "\"), found \"" + *value + "\"");
            }
        }
    }
    r.finish();
}

void read_devices(const toml::table& root, Config& cfg, Problems& problems) {
    auto& dev = cfg.devices;
    read_scanning(root, dev.scanning, problems);
    {
        TableReader r(section(root, "labels", problems), "labels", 1, problems);
        r.text("printer", dev.labels.printer, false);
        r.text("size", dev.labels.size, false, [](const std::string& v) {
            return one_of(v, {"4x6in", "100x150mm"});
        });
        r.text("templates", dev.labels.templates, false, optional_absolute_path);
        read_label_routes(r.table("routes"), "labels.routes", dev.labels.routes, problems);
        r.finish();
    }
    {
        TableReader r(section(root, "inventory", problems), "inventory", 1, problems);
        r.boolean("allow_oversell", dev.inventory.allow_oversell);
        r.finish();
    }
    {
        TableReader r(section(root, "import", problems), "import", 1, problems);
        const auto column = [](const std::string& v) {
            return !v.empty() && v.size() <= 64 ? "" : "a column name of 1 to 64 characters";
        };
        r.text("sku", dev.import.sku, false, column);
        r.text("quantity", dev.import.quantity, false, column);
        r.text("location", dev.import.location, false, column);
        r.text("lot", dev.import.lot, false, column);
        r.text("expiry", dev.import.expiry, false, column);
        r.text("delimiter", dev.import.delimiter, false, [](const std::string& v) {
            return one_of(v, {",", ";", "\t", "|"});
        });
        r.finish();
    }
    each_named(root, "printers", problems, [&](const std::string& name, TableReader& r) {
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
            problems.add(
                r.line(), "printers." + name + ".host",
                "expected type = \"tcp\" for a printer with a host, found type = \"" + p.type + "\"");
        }
        if (p.dpi != 203 && p.dpi != 300 && p.dpi != 600) {
            problems.add(r.line(), "printers." + name + ".dpi",
                         "expected 203, 300 or 600, found " + std::to_string(p.dpi));
        }
        dev.printers[name] = p;
    });
    each_named(root, "scales", problems, [&](const std::string& name, TableReader& r) {
        dev.scales[name] = read_scale(name, r, problems);
    });
    each_named(root, "scanners", problems, [&](const std::string& name, TableReader& r) {
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
            return v.empty() || v.front() == '/'
                       ? ""
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
            problems.add(
                r.line(), "scanners." + name + ".device",
                "expected device (a /dev/input path) or both usb_vendor and usb_product, found neither");
        }
        read_camera(name, r, s, problems);
        if (s.type == "evdev" && s.max_key_interval_ms >= s.gap_ms) {
            problems.add(r.line(), "scanners." + name + ".max_key_interval_ms",
                         "expected less than gap_ms (" + std::to_string(s.gap_ms) + "), found " +
                             std::to_string(s.max_key_interval_ms));
        }
        dev.scanners[name] = s;
    });
    each_named(root, "stations", problems, [&](const std::string& name, TableReader& r) {
        StationConfig s;
        s.name = name;
        const auto known = [](const auto& map, const char* what) {
            return [&map, what](const std::string& v) -> std::string {
                if (v.empty() || map.count(v)) {
                    return {};
                }
                std::string names;
                for (const auto& [n, unused] : map) {
                    names += names.empty() ? "" : ", ";
                    names += n;
                }
                return std::string("the name of a configured ") + what + " (" +
                       (names.empty() ? "none configured" : names) + ")";
            };
        };
        r.text("printer", s.printer, false, known(dev.printers, "printer"));
        r.text("scale", s.scale, false, known(dev.scales, "scale"));
        r.text("scanner", s.scanner, false, known(dev.scanners, "scanner"));
        r.integer("weigh_timeout_ms", s.weigh_timeout_ms, 500, 600000);
        r.integer("packaging_g", s.packaging_g, 0, 100000);
        r.integer("weight_tolerance_g", s.weight_tolerance_g, 0, 100000);
        r.integer("weight_tolerance_percent", s.weight_tolerance_percent, 0, 100);
        read_label_routes(r.table("printers"), "stations." + name + ".printers", s.printers, problems);
        dev.stations[name] = s;
    });
    if (!dev.labels.printer.empty() && !dev.printers.count(dev.labels.printer)) {
        problems.add(
            1, "labels.printer",
            "expected the name of a configured [printers.NAME], found \"" + dev.labels.printer + "\"");
    }
    if (dev.labels.printer.empty() && dev.printers.size() == 1) {
        dev.labels.printer = dev.printers.begin()->first;
    }
    // Every printer a label kind is routed to must exist; the message names the key to fix.
    const auto check_routes = [&](const std::map<std::string, std::string>& routes, const std::string& path) {
        for (const auto& [kind, printer] : routes) {
            if (!dev.printers.count(printer)) {
                problems.add(1, path + "." + kind,
                             "expected the name of a configured [printers.NAME], found \"" + printer + "\"");
            }
        }
    };
    check_routes(dev.labels.routes, "labels.routes");
    for (const auto& [n, s] : dev.stations) {
        check_routes(s.printers, "stations." + n + ".printers");
    }
    // Two devices on one FIFO would steal each other's lines.
    std::map<std::string, std::string> fifo_owner;
    const auto claim = [&](const std::string& fifo, const std::string& who) {
        if (fifo.empty()) {
            return;
        }
        auto [it, fresh] = fifo_owner.emplace(fifo, who);
        if (!fresh) {
            problems.add(1, who + ".fifo", "expected a FIFO of its own, found the one of " + it->second);
        }
    };
    for (const auto& [n, s] : dev.scales) {
        claim(s.fifo, "scales." + n);
    }
    // Two scales on one port would each read half the other's frames.
    std::map<std::string, std::string> port_owner;
    for (const auto& [n, s] : dev.scales) {
        if (s.port.empty()) {
            continue;
        }
        auto [it, fresh] = port_owner.emplace(s.port, "scales." + n);
        if (!fresh) {
            problems.add(1, "scales." + n + ".port",
                         "expected a port of its own, found the one of " + it->second);
        }
    }
    for (const auto& [n, s] : dev.scanners) {
        claim(s.fifo, "scanners." + n);
    }
}

}  // namespace

std::string LabelsConfig::printer_for(const std::string& kind, const StationConfig* station) const {
    if (station != nullptr) {
        if (const auto it = station->printers.find(kind); it != station->printers.end()) {
            return it->second;
        }
        if (!station->printer.empty()) {
            return station->printer;  // the printer standing at the station takes every kind
        }
    }
    if (const auto it = routes.find(kind); it != routes.end()) {
        return it->second;
    }
    return printer;
}

std::string ConfigProblem::to_string() const {
    // Appends piece by piece: g++ 12 at -O3 warns (-Wrestrict) inside std::string for a + b chains here.
    std::string out = file;
    if (line > 0) {
        out.append(":").append(std::to_string(line));
    }
    out.append(": ");
    if (!key.empty()) {
        out.append(printable(key)).append(": ");
    }
    // Values quoted from the file may hold newlines or control characters; one problem stays one line.
    out.append(printable(message));
    return out;
}

Result<Config> parse_config(std::string_view text, const std::string& path) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        ConfigProblem p{path, static_cast<int>(e.source().begin.line), "",
                        "not valid TOML: " + std::string(e.description())};
        return fail(p.to_string());
    }
    Problems problems(path);
    Config cfg;
    cfg.path = path;
    static const std::set<std::string> kSections = {"site",      "daemon",   "broker",   "labels",
                                                    "inventory", "import",   "printers", "scales",
                                                    "scanners",  "scanning", "stations", "tracking"};
    for (auto&& [key, node] : root) {
        if (!kSections.count(std::string(key.str()))) {
            problems.add(
                line_of(node), std::string(key.str()),
                "unknown section (known: site, daemon, broker, labels, inventory, import, printers, scales, "
                "scanners, scanning, stations, tracking)");
        }
    }
    read_site(root, cfg, problems);
    read_daemon(root, cfg, problems);
    read_broker(root, cfg, problems);
    read_devices(root, cfg, problems);
    each_named(root, "tracking", problems, [&](const std::string& name, TableReader& r) {
        TrackingRangeConfig t;
        t.name = name;
        r.text("carrier", t.carrier, true);
        r.text("scheme", t.scheme, true, [](const std::string& v) {
            return one_of(v, {"sscc", "ups_1z", "generic_mod10", "generic_mod11"});
        });
        r.text("prefix", t.prefix, false);
        r.integer("first", t.first, 0, 999'999'999'999LL, true);
        r.integer("last", t.last, 0, 999'999'999'999LL, true);
        r.integer("low_water", t.low_water, 0, 999'999'999'999LL);
        if (t.last < t.first) {
            problems.add(r.line(), "tracking." + name + ".last",
                         "expected a value at least first (" + std::to_string(t.first) + "), found " +
                             std::to_string(t.last));
        }
        check_tracking_range(t, r.line(), problems);
        cfg.tracking[name] = t;
    });
    if (cfg.broker.client_id.empty() && !cfg.site.id.empty()) {
        cfg.broker.client_id = "packd-" + cfg.site.id;
    }
    if (!problems.empty()) {
        return fail(problems.joined());
    }
    cfg.key_lines = problems.take_lines();
    return cfg;
}

Result<Config> load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(path + ": cannot read the config file: " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    if (text.size() > 1024 * 1024) {
        return fail(path + ": expected a config file of at most 1 MiB, found " + std::to_string(text.size()) +
                    " bytes");
    }
    return parse_config(text, path);
}

}  // namespace packd::host
