// What the daemon does after something happened: the inbox applied orders, a command or a station answered,
// a device's state changed.

#include "packd/common/log.hpp"
#include "packd/host/daemon.hpp"

namespace packd::host {

namespace ful = packd::fulfillment;

void Daemon::after_intake(const ful::IntakeResult& result) {
    devices_->kick_printers(result.printers_with_new_jobs);
    after_rules();
    if (result.outbox_grew) {
        pump_->kick();
    }
    if (result.stock_changed) {
        retry_held_orders();  // the shop corrected stock: orders waiting for it can
                              // go
    }
}

void Daemon::retry_held_orders() {
    auto result = intake_->retry_held();
    if (!result) {
        log::error(result.error().message);
        return;
    }
    devices_->kick_printers(result->printers_with_new_jobs);
}

void Daemon::follow_up(const FollowUps& then) {
    if (then.retry_held_orders) {
        retry_held_orders();
    }
    devices_->kick_printers(then.kick_printers);
    after_rules();
    if (then.kick_outbox) {
        pump_->kick();
    }
}

void Daemon::after_station_reply(const std::string& station, const ful::StationReply& reply) {
    if (reply.ok) {
        log::info("station " + station + ": " + reply.message);
    } else {
        log::warning("station " + station + ": " + reply.message);
    }
    if (!reply.reprint_printer.empty()) {
        devices_->kick_printers({reply.reprint_printer});
    }
    after_rules();
    pump_->kick();
    if (web_) {
        web_->station_changed(station);
    }
}

void Daemon::after_device_state(const std::string& role, const std::string& name,
                                const drivers::DeviceStatus& status) {
    // Before the shop link exists (at start) or while stopping, the next look records it instead.
    if (stopping_ || !pump_ || !link_) {
        return;
    }
    LoopMonitor::Scope timed(&loop_monitor_, "device state");
    if (web_) {
        web_->devices_changed();
    }
    auto alert = device_watch_.change(role, name, status);
    if (alert && device_watch_.record(std::vector<DeviceAlert>{*alert}, *store_, topics_.alerts())) {
        pump_->kick();
        if (link_->connected()) {
            publish_status();
        }
    }
}

}  // namespace packd::host
