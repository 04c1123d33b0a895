#pragma once
// A device section's types as one table: each type's name and the reader of its own keys. The table gives
// the `type` key its allowed values, the variant alternative its name, and a key that only other types
// take its message. Private to firmware-host/src.

#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config_reader.hpp"

namespace packd::host::config_detail {

template <class Settings>
struct DeviceType {
    std::string_view name;
    /// Reads this type's keys from `r` (whose path is `key`, e.g. "scales.bench").
    Settings (*read)(const std::string& key, TableReader& r, Problems& problems);
};

/// The types of a kind, in the order of the alternatives of `Settings` (a std::variant).
template <class Settings, std::size_t N>
using DeviceTypes = std::array<DeviceType<Settings>, N>;

/// The config's name of the alternative `settings` holds.
template <class Settings, std::size_t N>
std::string_view type_name(const DeviceTypes<Settings, N>& types, const Settings& settings) {
    static_assert(N == std::variant_size_v<Settings>, "one table entry per alternative");
    return types.at(settings.index()).name;
}

std::string quoted_list(const std::vector<std::string_view>& names);

/// Reads `type` (required, one of the table's names) and then that type's keys. A key present in the
/// table that only other types read is reported as "expected KEY only with type = ..., found type = ...",
/// which says more than "unknown key". With no valid type, the other types' keys pass unremarked: the
/// type is the one problem.
template <class Settings, std::size_t N>
Settings read_typed(const std::string& key, TableReader& r, Problems& problems,
                    const DeviceTypes<Settings, N>& types) {
    std::vector<std::string_view> names;
    for (const auto& t : types) {
        names.push_back(t.name);
    }
    std::string type;
    r.text("type", type, true, [&names](const std::string& v) {
        std::string out = "one of";
        for (const auto name : names) {
            if (v == name) {
                return std::string();
            }
            out += " \"" + std::string(name) + "\"";
        }
        return out;
    });
    Settings settings;
    const DeviceType<Settings>* chosen = nullptr;
    for (const auto& t : types) {
        if (t.name == type) {
            chosen = &t;
        }
    }
    if (chosen != nullptr) {
        settings = chosen->read(key, r, problems);
    }
    // Which other types take each key, read by each reader against a scratch list of problems.
    std::map<std::string, std::vector<std::string_view>> others;
    for (const auto& t : types) {
        if (&t == chosen) {
            continue;
        }
        Problems scratch("");
        TableReader probe(r.raw(), r.path(), r.line(), scratch);
        (void)t.read(key, probe, scratch);
        for (const std::string& k : probe.keys_read()) {
            if (!r.keys_read().count(k)) {
                others[k].push_back(t.name);
            }
        }
    }
    // Reported in the order of the file, after what the chosen type found.
    std::vector<std::pair<int, std::string>> misplaced;
    for (const auto& [k, owners] : others) {
        const toml::node* node = r.raw() != nullptr ? r.raw()->get(k) : nullptr;
        r.accept(k);
        if (node != nullptr && chosen != nullptr) {
            misplaced.emplace_back(line_of(*node), k);
        }
    }
    std::stable_sort(misplaced.begin(), misplaced.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, k] : misplaced) {
        problems.add(line, key + "." + k,
                     "expected " + k + " only with type = " + quoted_list(others.at(k)) +
                         ", found type = \"" + type + "\"");
    }
    return settings;
}

}  // namespace packd::host::config_detail
