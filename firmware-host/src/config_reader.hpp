#pragma once
// The machinery every config section is read with: problems collected with file, line and key, a reader
// per TOML table that checks each key and reports the ones nobody asked for, and the small checks the
// sections share. Private to firmware-host/src; config.hpp is what the rest of packd sees.

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "packd/host/config.hpp"

namespace packd::host::config_detail {

/// How a value found in the file is named in a message: "the string \"x\"", "the integer 3", "a table".
std::string describe(const toml::node& node);
int line_of(const toml::node& node);
/// Letters, digits, '-' and '_', 1 to 64 of them: device, station and site names.
bool is_name(std::string_view s);
/// A topic segment may not hold MQTT wildcards or separators.
bool is_topic_prefix(std::string_view s);

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
    const toml::table* raw() const { return table_; }
    const std::string& path() const { return path_; }
    /// The keys asked for so far, present or not.
    const std::set<std::string>& keys_read() const { return read_; }
    /// Counts `key` as read: its caller reports it (or nothing) itself.
    void accept(const std::string& key) { read_.insert(key); }

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

/// "" when `value` is one of `allowed`, else "one of \"a\" \"b\"" for the message.
std::string one_of(const std::string& value, std::initializer_list<std::string_view> allowed);
std::string absolute_path(const std::string& value);
std::string optional_absolute_path(const std::string& value);
/// Printed on labels and sheets and typed by scanners: visible ASCII, no spaces.
std::string scan_word(const std::string& v);

/// The top-level table `name`, or nullptr when absent (or not a table, which is a problem).
const toml::table* section(const toml::table& root, std::string_view name, Problems& problems);
/// Calls `read` for each named sub-table of a device section such as [printers.label1].
void each_named(const toml::table& root, std::string_view name, Problems& problems,
                const std::function<void(const std::string&, TableReader&)>& read);

// The sections, one file each, in the order parse_config reads them (the order of the messages).
void read_site(const toml::table& root, Config& cfg, Problems& problems);            // config_site.cpp
void read_daemon(const toml::table& root, Config& cfg, Problems& problems);          // config_site.cpp
void read_broker(const toml::table& root, Config& cfg, Problems& problems);          // config_site.cpp
void read_scanning(const toml::table& root, ScanningConfig& s, Problems& problems);  // config_labels.cpp
/// [labels], [inventory] and [import].
void read_labels(const toml::table& root, ReloadableSections& dev, Problems& problems);  // config_labels.cpp
/// [labels.routes] or a station's printers = { ... }: label kind -> printer name.
void read_label_routes(const toml::table* table, const std::string& path,
                       std::map<std::string, std::string>& out, Problems& problems);  // config_labels.cpp
PrinterConfig read_printer(const std::string& name, TableReader& r, Problems& problems);
ScaleConfig read_scale(const std::string& name, TableReader& r, Problems& problems);
ScannerConfig read_scanner(const std::string& name, TableReader& r, Problems& problems);
/// Needs the devices read before it: a station names its printer, scale and scanner.
StationConfig read_station(const std::string& name, TableReader& r, const ReloadableSections& dev,
                           Problems& problems);
/// What stations and label routes name must exist; no two devices share a FIFO or a port.
void check_devices(ReloadableSections& dev, Problems& problems);                   // config_stations.cpp
void read_rules(const toml::table& root, RulesConfig& rules, Problems& problems);  // config_rules.cpp
void read_web(const toml::table& root, WebConfig& web, Problems& problems);        // config_web.cpp
TrackingRangeConfig read_tracking(const std::string& name, TableReader& r, Problems& problems);

}  // namespace packd::host::config_detail
