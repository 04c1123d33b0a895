#include "packd/host/device_watch.hpp"

#include "packd/common/log.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::host {

using nlohmann::json;

namespace {

const char* plural(const std::string& role) {
    return role == "printer" ? "printers" : role == "scale" ? "scales" : "scanners";
}

}  // namespace

DeviceSnapshot snapshot_devices(const DeviceRegistry& registry) {
    DeviceSnapshot out;
    // Every configured printer has a queue; a queue without a printer holds labels of one that went.
    for (const auto& [name, queue] : registry.queues()) {
        // Field by field: g++ 12 at -O3 takes the braced form's empty DeviceStatus for uninitialised.
        DeviceSnapshot::Device d;
        d.role = "printer";
        d.name = name;
        d.configured = false;
        d.last_error = queue->last_error();
        if (auto it = registry.printers().find(name); it != registry.printers().end()) {
            d.configured = true;
            d.status = it->second->status();
        }
        out.devices.push_back(std::move(d));
    }
    for (const auto& [name, scale] : registry.scales()) {
        out.devices.push_back({"scale", name, true, scale->status(), "", scale->last_reading()});
    }
    for (const auto& [name, scanner] : registry.scanners()) {
        out.devices.push_back({"scanner", name, true, scanner->status(), "", std::nullopt});
    }
    return out;
}

json retained_status_devices(const DeviceSnapshot& snapshot) {
    json devices = json::object();
    for (const auto& d : snapshot.devices) {
        if (d.configured) {
            devices[plural(d.role)][d.name] = drivers::to_string(d.status.state);
        }
    }
    return devices;
}

std::string status_line_devices(const DeviceSnapshot& snapshot) {
    std::string line;
    for (const auto& d : snapshot.devices) {
        if (d.configured && d.status.state != drivers::DeviceState::ready) {
            line += ", " + d.role + " " + d.name + " " + drivers::to_string(d.status.state);
        }
    }
    return line;
}

json status_json_devices(const DeviceSnapshot& snapshot) {
    json out{{"printers", json::array()}, {"scales", json::array()}, {"scanners", json::array()}};
    for (const auto& d : snapshot.devices) {
        json j{{"name", d.name},
               {"state", d.configured ? drivers::to_string(d.status.state) : "not configured"},
               {"detail", d.configured ? d.status.detail : ""}};
        if (d.role == "printer") {
            j["last_error"] = d.last_error;
        }
        if (d.reading) {
            j["reading"] = {{"milligrams", d.reading->milligrams},
                            {"stable", d.reading->stable},
                            {"valid", d.reading->valid},
                            {"reason", d.reading->reason}};
        }
        out[plural(d.role)].push_back(std::move(j));
    }
    return out;
}

std::optional<DeviceAlert> DeviceWatch::change(const std::string& role, const std::string& name,
                                               const drivers::DeviceStatus& status) {
    auto [it, inserted] = last_.emplace(role + " " + name, drivers::DeviceState::ready);
    if (it->second == status.state) {
        return std::nullopt;
    }
    it->second = status.state;
    return DeviceAlert{role, name, status};
}

std::vector<DeviceAlert> DeviceWatch::changes(const DeviceSnapshot& snapshot) {
    std::vector<DeviceAlert> out;
    for (const auto& d : snapshot.devices) {
        if (!d.configured) {
            continue;
        }
        if (auto alert = change(d.role, d.name, d.status)) {
            out.push_back(std::move(*alert));
        }
    }
    return out;
}

std::string DeviceWatch::alert_json(const DeviceAlert& alert) {
    const auto state = alert.status.state;
    return json{{"kind", state == drivers::DeviceState::ready     ? "device_ready"
                         : state == drivers::DeviceState::offline ? "device_offline"
                                                                  : "device_fault"},
                {"device", alert.name},
                {"role", alert.role},
                {"state", drivers::to_string(state)},
                {"detail", alert.status.detail}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

bool DeviceWatch::record(const DeviceSnapshot& snapshot, fulfillment::Store& store,
                         const std::string& topic) {
    return record(changes(snapshot), store, topic);
}

bool DeviceWatch::record(const std::vector<DeviceAlert>& alerts, fulfillment::Store& store,
                         const std::string& topic) {
    if (alerts.empty()) {
        return false;
    }
    try {
        fulfillment::Transaction tx(store.db());
        for (const auto& alert : alerts) {
            store.outbox_add(topic, alert_json(alert), false);
            const bool back = alert.status.state == drivers::DeviceState::ready;
            fulfillment::DomainEvent e;
            e.trigger = back                                                  ? "device.ready"
                        : alert.status.state == drivers::DeviceState::offline ? "device.offline"
                                                                              : "device.fault";
            e.device = alert.name;
            e.state = drivers::to_string(alert.status.state);
            e.reason = alert.status.detail;
            e.data = alert.role;
            store.emit(std::move(e));
            (back ? log::notice : log::warning)(
                alert.role + " " + alert.name + " " + drivers::to_string(alert.status.state) +
                (alert.status.detail.empty() ? "" : ": " + alert.status.detail));
        }
        tx.commit();
    } catch (const fulfillment::SqliteError& e) {
        log::error(std::string("device alerts: ") + e.what());
        return false;
    }
    return true;
}

}  // namespace packd::host
