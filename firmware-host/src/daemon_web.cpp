// The daemon's side of the web UI: what a station's screen shows, the device page's data, the scales
// followed for the screens, and the UI's start.

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/weighing/parcel_weight.hpp"
#include "packd/host/daemon.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

Status Daemon::open_web() {
    if (!config_.web.enabled) {
        return {};
    }
    WebUi::Parts parts;
    parts.run_verb = [this](const json& request) {
        LoopMonitor::Scope timed(&loop_monitor_, "web request");
        AdminReply reply = router_.route(request);
        follow_up(reply.then);
        return reply.answer;
    };
    parts.station_screen = [this](const std::string& station) {
        LoopMonitor::Scope timed(&loop_monitor_, "station screen");
        return station_screen(station);
    };
    parts.devices = [this] {
        LoopMonitor::Scope timed(&loop_monitor_, "device page");
        return status_json();
    };
    parts.preview = [this](int64_t job, std::function<void(Result<std::string>)> done) {
        auto stored = store_->print_job(job);
        if (!stored) {
            done(stored.error());
            return;
        }
        previews_->draw(*stored, [done](std::string png) {
            if (png.empty()) {
                done(fail("this label has no preview (a label the shop sent as ZPL)"));
            } else {
                done(std::move(png));
            }
        });
    };
    web_ = std::make_unique<WebUi>(io_, config_.web, std::move(parts));
    if (auto st = web_->open(); !st) {
        return st;
    }
    web_->start();
    log::notice("web UI on http://" +
                (config_.web.address.find(':') != std::string::npos ? "[" + config_.web.address + "]"
                                                                    : config_.web.address) +
                ":" + std::to_string(web_->port()) +
                (config_.web.credentials_file.empty() ? "" : " (credentials required)"));
    return {};
}

std::optional<json> Daemon::station_screen(const std::string& station) {
    const auto config = config_.devices.stations.find(station);
    if (config == config_.devices.stations.end()) {
        return std::nullopt;
    }
    json answer = desk_->station_command({{"station", station}});
    if (!answer.value("ok", false) || answer["stations"].empty()) {
        return std::nullopt;
    }
    json screen = std::move(answer["stations"][0]);
    if (const json& recent = screen["recent"]; recent.is_array() && !recent.empty()) {
        screen["last"] = recent.back();
    }
    const std::string order_id = screen.value("order_id", "");
    if (!order_id.empty()) {
        if (auto d = orders_->detail(order_id)) {
            const json ship_to = json::parse(d->ship_to_json, nullptr, false);
            screen["order"] = {{"id", order_id},
                               {"state", to_string(d->row.state)},
                               {"hold_reason", d->hold_reason},
                               {"carrier", d->row.carrier},
                               {"service", d->row.service},
                               {"ship_to_name", ship_to.is_object() ? ship_to.value("name", "") : ""}};
            if (const int64_t items_g = orders_->items_weight_g(order_id); items_g > 0) {
                drivers::WeightReading expected;
                expected.milligrams = items_g * 1000;
                expected.stable = true;
                const ful::ParcelWeightCheck check = ful::check_parcel_weight(items_g, expected);
                screen["expected_weight"] = {{"expected_g", check.expected_g},
                                             {"min_g", check.expected_g - check.allowed_g},
                                             {"max_g", check.expected_g + check.allowed_g}};
            }
            if (auto label = store_->latest_print_job(order_id, "shipping"); label && *label) {
                screen["label"] = {{"job", (*label)->id},
                                   {"printer", (*label)->printer},
                                   {"state", (*label)->state},
                                   {"done_at", (*label)->done_at}};
            }
        }
    }
    json devices = json::object();
    for (const auto& d : snapshot_devices(*devices_).devices) {
        const StationConfig& sc = config->second;
        if ((d.role == "printer" && d.name == sc.printer) || (d.role == "scale" && d.name == sc.scale) ||
            (d.role == "scanner" && d.name == sc.scanner)) {
            devices[d.role] = {
                {"name", d.name}, {"state", drivers::to_string(d.status.state)}, {"detail", d.status.detail}};
        }
    }
    screen["devices"] = devices;
    screen["broker_connected"] = link_ && link_->connected();
    return screen;
}

void Daemon::watch_scales() {
    const auto& services = devices_->weights();
    for (auto it = watched_scales_.begin(); it != watched_scales_.end();) {
        it = services.count(it->first) ? std::next(it) : watched_scales_.erase(it);
    }
    for (const auto& [name, service] : services) {
        auto& watched = watched_scales_[name];
        if (watched.first.lock() == service) {
            continue;  // followed already; a replaced service took its subscription with it
        }
        watched.first = service;
        watched.second = service->subscribe([this, name = name](const drivers::WeightReading& r) {
            activity_.note("scale", name,
                           {{"milligrams", r.milligrams}, {"stable", r.stable}, {"valid", r.valid}});
            if (!web_) {
                return;
            }
            for (const auto& [station, sc] : config_.devices.stations) {
                if (sc.scale == name) {
                    web_->weight_changed(station);
                }
            }
        });
    }
}

}  // namespace packd::host
