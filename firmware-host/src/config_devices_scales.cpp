// [scales.NAME]: a simulated scale on a FIFO, serial scales (MT-SICS, Toledo 8217, a configurable ASCII
// stream) and USB HID POS scales.

#include <regex>

#include "config_reader.hpp"

namespace packd::host::config_detail {
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

}  // namespace

ScaleConfig read_scale(const std::string& name, TableReader& r, Problems& problems) {
    ScaleConfig s;
    s.name = name;
    const std::string key = "scales." + name;
    r.text("type", s.type, true, [](const std::string& v) {
        return one_of(v, {"sim", "mt-sics", "toledo-8217", "ascii", "hid"});
    });
    const bool serial = s.type == "mt-sics" || s.type == "toledo-8217" || s.type == "ascii";
    if (s.type == "toledo-8217") {
        // The 8217 protocol runs at 7 data bits, even parity (Transcell PC-150, B.1.4).
        s.parity = "even";
        s.data_bits = 7;
        s.unit = "lb";
    } else if (s.type == "ascii") {
        s.unit = "g";
    }
    r.text("fifo", s.fifo, s.type == "sim", absolute_path);
    // A scale is only ever the device the config names: packd never looks for one on other ports.
    r.text("port", s.port, serial, absolute_path);
    r.integer("baud", s.baud, 300, 921600);
    r.text("parity", s.parity, false, [](const std::string& v) {
        return one_of(v, {"none", "even", "odd"});
    });
    r.integer("data_bits", s.data_bits, 7, 8);
    r.integer("stop_bits", s.stop_bits, 1, 2);
    r.text("flow_control", s.flow_control, false, [](const std::string& v) {
        return one_of(v, {"none", "rts-cts", "xon-xoff"});
    });
    r.integer("poll_ms", s.poll_ms, 20, 60000);
    r.integer("reconnect_ms", s.reconnect_ms, 50, 600000);
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
    r.text("usb_id", s.usb_id, false, usb_id);
    r.integer("stable_readings", s.stable_readings, 1, 1000);
    r.integer("stable_ms", s.stable_ms, 0, 60000);
    r.integer("stable_tolerance_mg", s.stable_tolerance_mg, 0, 1000000);

    if (s.type == "ascii") {
        const bool by_regex = !s.pattern.empty();
        const bool by_columns = !s.value_columns.empty();
        if (by_regex == by_columns) {
            problems.add(r.line(), key + ".pattern",
                         "expected either pattern with value_group, or value_columns, found " +
                             std::string(by_regex ? "both" : "neither"));
        } else if (by_regex) {
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
                      std::pair{"unit_group", s.unit_group},
                      std::pair{"stability_group", s.stability_group}}) {
                    if (group > groups) {
                        problems.add(r.line(), key + "." + field,
                                     "expected a group of the pattern (1 to " + std::to_string(groups) +
                                         "), found " + std::to_string(group));
                    }
                }
            } catch (const std::regex_error& e) {
                problems.add(r.line(), key + ".pattern",
                             std::string("expected an ECMAScript regular expression, found one that does not "
                                         "compile: ") +
                                 e.what());
            }
        }
    } else if (!s.pattern.empty() || !s.value_columns.empty()) {
        problems.add(r.line(), key + ".pattern", "expected pattern and columns only with type = \"ascii\"");
    }
    if (!s.usb_id.empty() && s.type != "hid") {
        problems.add(r.line(), key + ".usb_id", "expected usb_id only with type = \"hid\"");
    }
    if (!s.port.empty() && !serial) {
        problems.add(r.line(), key + ".port",
                     "expected port only with a serial type (mt-sics, toledo-8217, ascii), found type \"" +
                         s.type + "\"");
    }
    return s;
}

}  // namespace packd::host::config_detail
