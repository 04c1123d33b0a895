// [scales.NAME]: a simulated scale on a FIFO, serial scales (MT-SICS, Toledo 8217, a configurable ASCII
// stream) and USB HID POS scales.

#include <regex>

#include "config_device_types.hpp"

namespace packd::host {
namespace config_detail {
namespace {

// "FIRST-LAST", 1-based and inclusive, as a scale manual numbers the characters of its line.
std::string column_range(const std::string& v) {
    const size_t dash = v.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == v.size() || v.size() > 7) {
        return "columns as \"FIRST-LAST\", e.g. \"4-11\"";
    }
    const auto number = [](std::string_view s) {
        int n = 0;
        for (const char c : s) {
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    };
    const int first = number(std::string_view(v).substr(0, dash));
    const int last = number(std::string_view(v).substr(dash + 1));
    if (first < 1 || last < first || last > 128) {
        return "columns as \"FIRST-LAST\" with 1 <= FIRST <= LAST <= 128";
    }
    return {};
}

std::string weight_unit_name(const std::string& v) {
    return one_of(v, {"g", "kg", "mg", "lb", "oz"});
}

std::string usb_id(const std::string& v) {
    const auto hex4 = [](std::string_view s) {
        return s.size() == 4 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
    };
    if (v.size() == 9 && v[4] == ':' && hex4(std::string_view(v).substr(0, 4)) &&
        hex4(std::string_view(v).substr(5))) {
        return {};
    }
    return "a USB vendor:product id such as \"0922:8003\"";
}

void read_line(TableReader& r, SerialLineConfig& line) {
    // A scale is only ever the device the config names: packd never looks for one on other ports.
    r.text("port", line.port, true, absolute_path);
    r.integer("baud", line.baud, 300, 921600);
    r.text("parity", line.parity, false, [](const std::string& v) {
        return one_of(v, {"none", "even", "odd"});
    });
    r.integer("data_bits", line.data_bits, 7, 8);
    r.integer("stop_bits", line.stop_bits, 1, 2);
    r.text("flow_control", line.flow_control, false, [](const std::string& v) {
        return one_of(v, {"none", "rts-cts", "xon-xoff"});
    });
    r.integer("reconnect_ms", line.reconnect_ms, 50, 600000);
}

ScaleSettings read_sim(const std::string&, TableReader& r, Problems&) {
    SimScaleConfig sim;
    r.text("fifo", sim.fifo, true, absolute_path);
    return sim;
}

ScaleSettings read_mt_sics(const std::string&, TableReader& r, Problems&) {
    MtSicsScaleConfig s;
    read_line(r, s.line);
    r.integer("poll_ms", s.poll_ms, 20, 60000);
    return s;
}

ScaleSettings read_toledo_8217(const std::string&, TableReader& r, Problems&) {
    Toledo8217ScaleConfig s;
    read_line(r, s.line);
    r.integer("poll_ms", s.poll_ms, 20, 60000);
    r.text("unit", s.unit, false, weight_unit_name);
    return s;
}

void check_pattern(const std::string& key, const AsciiScaleConfig& s, TableReader& r, Problems& problems) {
    try {
        const std::regex re(s.pattern, std::regex::ECMAScript);
        const auto groups = static_cast<int>(re.mark_count());
        if (s.value_group == 0) {
            problems.add(r.line(), key + ".value_group",
                         "expected the number of the group that holds the weight (the pattern has " +
                             std::to_string(groups) + ")");
        }
        for (const auto& [field, group] :
             {std::pair{"value_group", s.value_group}, std::pair{"sign_group", s.sign_group},
              std::pair{"unit_group", s.unit_group}, std::pair{"stability_group", s.stability_group}}) {
            if (group > groups) {
                problems.add(r.line(), key + "." + field,
                             "expected a group of the pattern (1 to " + std::to_string(groups) + "), found " +
                                 std::to_string(group));
            }
        }
    } catch (const std::regex_error& e) {
        problems.add(r.line(), key + ".pattern",
                     std::string("expected an ECMAScript regular expression, found one that does not "
                                 "compile: ") +
                         e.what());
    }
}

ScaleSettings read_ascii(const std::string& key, TableReader& r, Problems& problems) {
    AsciiScaleConfig s;
    read_line(r, s.line);
    r.text("unit", s.unit, false, weight_unit_name);
    r.text("pattern", s.pattern, false);
    r.integer("value_group", s.value_group, 1, 32);
    r.integer("sign_group", s.sign_group, 1, 32);
    r.integer("unit_group", s.unit_group, 1, 32);
    r.integer("stability_group", s.stability_group, 1, 32);
    r.text("value_columns", s.value_columns, false, column_range);
    r.text("sign_columns", s.sign_columns, false, column_range);
    r.text("unit_columns", s.unit_columns, false, column_range);
    r.text("stability_columns", s.stability_columns, false, column_range);
    r.text("stable_text", s.stable_text, false);
    r.text("overload_text", s.overload_text, false);
    const bool by_regex = !s.pattern.empty();
    const bool by_columns = !s.value_columns.empty();
    if (by_regex == by_columns) {
        problems.add(r.line(), key + ".pattern",
                     "expected either pattern with value_group, or value_columns, found " +
                         std::string(by_regex ? "both" : "neither"));
    } else if (by_regex) {
        check_pattern(key, s, r, problems);
    }
    return s;
}

ScaleSettings read_hid(const std::string&, TableReader& r, Problems&) {
    HidScaleConfig s;
    r.text("usb_id", s.usb_id, false, usb_id);
    r.integer("reconnect_ms", s.reconnect_ms, 50, 600000);
    return s;
}

// The scale types, in the order of ScaleSettings; scale_wiring.cpp has the factory of each.
constexpr DeviceTypes<ScaleSettings, 5> kScaleTypes = {{
    {"sim", read_sim},
    {"mt-sics", read_mt_sics},
    {"toledo-8217", read_toledo_8217},
    {"ascii", read_ascii},
    {"hid", read_hid},
}};

}  // namespace

ScaleConfig read_scale(const std::string& name, TableReader& r, Problems& problems) {
    ScaleConfig s;
    s.name = name;
    s.settings = read_typed("scales." + name, r, problems, kScaleTypes);
    r.integer("stable_readings", s.stable.readings, 1, 1000);
    r.integer("stable_ms", s.stable.ms, 0, 60000);
    r.integer("stable_tolerance_mg", s.stable.tolerance_mg, 0, 1000000);
    return s;
}

}  // namespace config_detail

std::string_view ScaleConfig::type() const {
    return config_detail::type_name(config_detail::kScaleTypes, settings);
}

}  // namespace packd::host
