// Reads a config file: the TOML parse, the sections in a fixed order (each in its config_*.cpp), and
// the checks across sections. Every problem is collected, so one run reports all of them.

#include "packd/host/config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "config_reader.hpp"
#include "packd/common/text.hpp"

namespace packd::host {

using namespace config_detail;

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
    static const std::set<std::string> kSections = {"site",     "daemon",   "broker", "labels",   "inventory",
                                                    "import",   "printers", "scales", "scanners", "scanning",
                                                    "stations", "tracking", "rules",  "web"};
    for (auto&& [key, node] : root) {
        if (!kSections.count(std::string(key.str()))) {
            problems.add(
                line_of(node), std::string(key.str()),
                "unknown section (known: site, daemon, broker, labels, inventory, import, printers, scales, "
                "scanners, scanning, stations, tracking, rules, web)");
        }
    }
    read_site(root, cfg, problems);
    read_daemon(root, cfg, problems);
    read_broker(root, cfg, problems);
    read_web(root, cfg.web, problems);
    auto& dev = cfg.devices;
    read_scanning(root, dev.scanning, problems);
    read_labels(root, dev, problems);
    each_named(root, "printers", problems, [&](const std::string& name, TableReader& r) {
        dev.printers[name] = read_printer(name, r, problems);
    });
    each_named(root, "scales", problems, [&](const std::string& name, TableReader& r) {
        dev.scales[name] = read_scale(name, r, problems);
    });
    each_named(root, "scanners", problems, [&](const std::string& name, TableReader& r) {
        dev.scanners[name] = read_scanner(name, r, problems);
    });
    each_named(root, "stations", problems, [&](const std::string& name, TableReader& r) {
        dev.stations[name] = read_station(name, r, dev, problems);
    });
    check_devices(dev, problems);
    read_rules(root, dev.rules, problems);
    each_named(root, "tracking", problems, [&](const std::string& name, TableReader& r) {
        cfg.tracking[name] = read_tracking(name, r, problems);
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
