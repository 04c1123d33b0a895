// packd.toml (firmware-host/src/config.cpp). Any text gives either a config that is whole and consistent,
// everything checked before a device opens, or a list of problems; never an exception.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.hpp"
#include "packd/host/config.hpp"

namespace {

using packd::fuzz::check;

const std::string kPath = "/etc/packd/packd.toml";

bool is_name(std::string_view s) {
    if (s.empty() || s.size() > 64) {
        return false;
    }
    for (const char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

bool is_absolute(const std::string& path) {
    return !path.empty() && path.front() == '/';
}

void check_config(const packd::host::Config& config) {
    const auto& site = config.site;
    const auto& broker = config.broker;
    const auto& devices = config.devices;
    check(!site.id.empty(), "an accepted config has a site id");
    check(is_name(site.id), "the site id can be part of a topic", site.id);
    check(broker.port >= 1 && broker.port <= 65535, "broker.port is from 1 to 65535",
          std::to_string(broker.port));
    check(!broker.host.empty(), "broker.host is set");
    check(!broker.client_id.empty(), "broker.client_id is set or derived from the site id");
    check(broker.keepalive_s >= 5 && broker.keepalive_s <= 3600, "broker.keepalive_s is from 5 to 3600");
    check(broker.max_payload_bytes >= 1024 && broker.max_payload_bytes <= 64 * 1024 * 1024,
          "broker.max_payload_bytes is from 1 KiB to 64 MiB");
    check(broker.reconnect_min_ms <= broker.reconnect_max_ms, "broker reconnect min <= max");
    check(broker.cert_file.empty() == broker.key_file.empty(), "cert_file and key_file come together");
    check(is_absolute(config.daemon.state_dir), "daemon.state_dir is absolute", config.daemon.state_dir);
    check(is_absolute(config.daemon.admin_socket) && config.daemon.admin_socket.size() < 108,
          "daemon.admin_socket is absolute and fits sockaddr_un", config.daemon.admin_socket);
    check(devices.labels.printer.empty() || devices.printers.count(devices.labels.printer) == 1,
          "labels.printer names a configured printer", devices.labels.printer);
    check(devices.labels.size == "4x6in" || devices.labels.size == "100x150mm", "labels.size is known",
          devices.labels.size);
    for (const auto& [name, printer] : devices.printers) {
        check(is_name(name) && name == printer.name, "a printer is named as its table", name);
        check(printer.dpi == 203 || printer.dpi == 300 || printer.dpi == 600,
              "a printer's dpi is 203, 300 or 600", std::to_string(printer.dpi));
        const auto* file = std::get_if<packd::host::FilePrinterConfig>(&printer.settings);
        check(file != nullptr && is_absolute(file->directory), "a file printer has an absolute directory",
              file != nullptr ? file->directory : std::string(printer.type()));
    }
    std::set<std::string> fifos;
    for (const auto& [name, scale] : devices.scales) {
        check(is_name(name) && name == scale.name, "a scale is named as its table", name);
        const auto* sim = std::get_if<packd::host::SimScaleConfig>(&scale.settings);
        const std::string fifo = sim != nullptr ? sim->fifo : std::string(scale.type());
        check(sim != nullptr && is_absolute(fifo), "a sim scale has an absolute FIFO", fifo);
        check(fifos.insert(fifo).second, "no two devices share a FIFO", fifo);
    }
    for (const auto& [name, scanner] : devices.scanners) {
        check(is_name(name) && name == scanner.name, "a scanner is named as its table", name);
        const auto* sim = std::get_if<packd::host::SimScannerConfig>(&scanner.settings);
        const std::string fifo = sim != nullptr ? sim->fifo : std::string(scanner.type());
        check(sim != nullptr && is_absolute(fifo), "a sim scanner has an absolute FIFO", fifo);
        check(fifos.insert(fifo).second, "no two devices share a FIFO", fifo);
    }
    for (const auto& [name, station] : devices.stations) {
        check(is_name(name) && name == station.name, "a station is named as its table", name);
        check(station.printer.empty() || devices.printers.count(station.printer) == 1,
              "a station's printer is configured", station.printer);
        check(station.scale.empty() || devices.scales.count(station.scale) == 1,
              "a station's scale is configured", station.scale);
        check(station.scanner.empty() || devices.scanners.count(station.scanner) == 1,
              "a station's scanner is configured", station.scanner);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto parsed = packd::host::parse_config(text, kPath);
        if (parsed) {
            check(parsed->path == kPath, "the config remembers its path", parsed->path);
            check_config(*parsed);
        } else {
            const std::string& message = parsed.error().message;
            check(!message.empty(), "a config error lists its problems");
            check(message.rfind(kPath + ":", 0) == 0, "a config error starts with the file name", message);
        }
    } catch (const std::exception& e) {
        check(false, "parse_config never throws", e.what());
    } catch (...) {
        check(false, "parse_config never throws");
    }
    return 0;
}
