// What packd reports about itself (the retained status message, the systemd status line, `packctl status`)
// and the admin verb table.

#include <unistd.h>

#include <stdexcept>

#include "packd/common/log.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/host/daemon.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

void Daemon::publish_status() {
    link_->publish_status(json{{"state", "online"},
                               {"version", PACKD_VERSION},
                               {"site", config_.site.id},
                               {"devices", retained_status_devices(snapshot_devices(*devices_))}}
                              .dump());
}

std::string Daemon::status_line() {
    std::string line;
    if (auto counts = store_->counts()) {
        line = std::to_string(counts->orders_open) + " orders open, " +
               std::to_string(counts->print_jobs_pending) + " labels queued";
        if (counts->print_jobs_uncertain > 0) {
            line += ", " + std::to_string(counts->print_jobs_uncertain) + " may have printed";
        }
    } else {
        line = "store error";
    }
    line += link_ && link_->connected() ? ", broker connected" : ", broker offline";
    line += status_line_devices(snapshot_devices(*devices_));
    return line;
}

json Daemon::status_json() {
    json out{{"version", PACKD_VERSION},
             {"pid", static_cast<int64_t>(::getpid())},
             {"site", config_.site.id},
             {"config", config_.path},
             {"uptime_s",
              std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
                  .count()},
             {"summary", status_line()},
             {"broker",
              {{"connected", link_ && link_->connected()}, {"state", link_ ? link_->state_text() : ""}}}};
    const ful::IntakeTotals& intake = intake_->totals();
    out["intake"] = {{"stored", intake.stored},         {"applied", intake.applied},
                     {"duplicates", intake.duplicates}, {"rejected", intake.rejected},
                     {"batches", intake.batches},       {"largest_batch", intake.largest_batch}};
    out["loop"] = loop_json();
    if (auto counts = store_->counts()) {
        out["store"] = {{"path", store_->db().path()},
                        {"orders", counts->orders},
                        {"orders_open", counts->orders_open},
                        {"labels_queued", counts->print_jobs_pending},
                        {"labels_uncertain", counts->print_jobs_uncertain},
                        {"outbox", counts->outbox},
                        {"inbox", counts->inbox}};
        auto oldest_ms = store_->outbox_oldest_ms();
        if (!oldest_ms) {
            log::warning("status: outbox age: " + oldest_ms.error().message);
        }
        out["store"]["outbox_oldest_ms"] = oldest_ms ? *oldest_ms : 0;
    }
    const json devices = status_json_devices(snapshot_devices(*devices_));
    json stations = json::array();
    for (const auto& [name, s] : config_.devices.stations) {
        stations.push_back(
            {{"name", name}, {"printer", s.printer}, {"scale", s.scale}, {"scanner", s.scanner}});
    }
    out["printers"] = devices["printers"];
    out["scales"] = devices["scales"];
    out["scanners"] = devices["scanners"];
    add_device_activity(out);
    out["stations"] = stations;
    return out;
}

void Daemon::add_device_activity(json& status) {
    std::vector<std::string> printers;
    for (const json& p : status["printers"]) {
        printers.push_back(p.value("name", ""));
    }
    auto queues = store_->printer_queues(printers);
    if (!queues) {
        log::warning("status: printer queues: " + queues.error().message);
    }
    for (json& p : status["printers"]) {
        const std::string name = p.value("name", "");
        if (const auto c = config_.devices.printers.find(name); c != config_.devices.printers.end()) {
            p["type"] = c->second.type();
        }
        for (const auto& q : queues ? *queues : std::vector<ful::PrinterQueueSummary>{}) {
            if (q.printer == name) {
                p["queued"] = q.queued;
                p["uncertain"] = q.uncertain;
                p["last_printed_at"] = q.last_printed_at;
            }
        }
    }
    for (json& s : status["scales"]) {
        const std::string name = s.value("name", "");
        if (const auto c = config_.devices.scales.find(name); c != config_.devices.scales.end()) {
            s["type"] = c->second.type();
        }
        s["last_reading"] = activity_.of("scale", name);
    }
    for (json& s : status["scanners"]) {
        const std::string name = s.value("name", "");
        if (const auto c = config_.devices.scanners.find(name); c != config_.devices.scanners.end()) {
            s["type"] = c->second.type();
        }
        s["last_scan"] = activity_.of("scanner", name);
    }
}

json Daemon::loop_json() const {
    const LoopMonitor::Figures f = loop_monitor_.figures();
    return {{"lag_max_ms", f.lag_max_ms},
            {"lag_p50_ms", f.lag_p50_ms},
            {"lag_p99_ms", f.lag_p99_ms},
            {"samples", f.samples},
            {"longest_handler_ms", f.longest_handler_ms},
            {"longest_handler", f.longest_handler},
            {"over_budget", f.over_budget}};
}

json Daemon::orders_json() {
    json list = json::array();
    auto orders = store_->orders(100);
    if (!orders) {
        return {{"ok", false}, {"error", orders.error().message}};
    }
    for (const auto& o : *orders) {
        list.push_back({{"id", o.id},
                        {"state", to_string(o.state)},
                        {"carrier", o.carrier},
                        {"service", o.service},
                        {"created_at", o.created_at},
                        {"lines", o.lines}});
    }
    return {{"ok", true}, {"orders", list}};
}

void Daemon::add_admin_verbs() {
    router_.add("status", [this](const json&) { return json{{"ok", true}, {"status", status_json()}}; });
    router_.add("loop", [this](const json& request) {
        json figures = loop_json();
        if (request.value("reset", false)) {
            loop_monitor_.reset();
        }
        return json{{"ok", true}, {"loop", figures}};
    });
    router_.add("scan", [this](const json& request) { return desk_->scan_command(request); });
    router_.add("scans", [this](const json& request) { return desk_->scans_command(request); });
    router_.add("station", [this](const json& request) { return desk_->station_command(request); });
    router_.add("orders", [this](const json&) { return orders_json(); });
    add_rule_verbs();
    router_.add_module(AdminModule::store, [this](const std::string& verb, const json& request) {
        return store_commands_->handle(verb, request);
    });
    router_.add_module(AdminModule::scales, [this](const std::string& verb, const json& request) {
        return scale_commands_->handle(verb, request);
    });
    router_.add_module(AdminModule::labels, [this](const std::string& verb, const json& request) {
        return label_commands_->handle(verb, request);
    });
    router_.add_module(AdminModule::print_jobs, [this](const std::string& verb, const json& request) {
        return print_job_commands_->handle(verb, request);
    });
    if (const auto missing = router_.missing(); !missing.empty()) {
        throw std::logic_error("admin verb \"" + missing.front() + "\" has no handler");
    }
}

}  // namespace packd::host
