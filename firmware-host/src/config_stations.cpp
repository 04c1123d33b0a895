// [stations.NAME], and the checks across sections: what a station or a label route names must be configured,
// and no two devices share a FIFO or a port.

#include <algorithm>

#include "config_reader.hpp"

namespace packd::host::config_detail {

StationConfig read_station(const std::string& name, TableReader& r, const ReloadableSections& dev,
                           Problems& problems) {
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
    // The words of fulfillment::StationMode that a station can run in (this library links no domain).
    const auto a_mode = [](const std::string& v) -> std::string {
        static const char* const kModes[] = {"pack", "pick", "receive", "putaway", "count", "returns"};
        return std::find(std::begin(kModes), std::end(kModes), v) != std::end(kModes)
                   ? std::string()
                   : std::string("a station mode (pack, pick, receive, putaway, count, returns)");
    };
    r.text("mode", s.mode, false, a_mode);
    r.words("modes", s.modes, a_mode);
    r.text("receiving_location", s.receiving_location, false, [](const std::string& v) -> std::string {
        return v.empty() || v.size() > 64 ? "a location code of 1 to 64 characters" : "";
    });
    r.boolean("blind_count", s.blind_count);
    r.integer("recount_threshold", s.recount_threshold, 0, 1000000);
    r.boolean("pick_scan_location", s.pick_scan_location);
    return s;
}

void check_devices(ReloadableSections& dev, Problems& problems) {
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
        if (const auto* sim = std::get_if<SimScaleConfig>(&s.settings)) {
            claim(sim->fifo, "scales." + n);
        }
    }
    // Two scales on one port would each read half the other's frames.
    std::map<std::string, std::string> port_owner;
    for (const auto& [n, s] : dev.scales) {
        const std::string port = std::visit(
            [](const auto& settings) -> std::string {
                if constexpr (requires { settings.line.port; }) {
                    return settings.line.port;
                } else {
                    return {};
                }
            },
            s.settings);
        if (port.empty()) {
            continue;
        }
        auto [it, fresh] = port_owner.emplace(port, "scales." + n);
        if (!fresh) {
            problems.add(1, "scales." + n + ".port",
                         "expected a port of its own, found the one of " + it->second);
        }
    }
    for (const auto& [n, s] : dev.scanners) {
        if (const auto* sim = std::get_if<SimScannerConfig>(&s.settings)) {
            claim(sim->fifo, "scanners." + n);
        }
    }
}

}  // namespace packd::host::config_detail
