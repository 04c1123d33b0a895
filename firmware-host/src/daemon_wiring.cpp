// The daemon's wiring of devices and labels: the devices a config section asks for, each printer's queue,
// the label templates and the route of shipping labels.

#include "daemon_setup.hpp"
#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/host/daemon.hpp"
#include "packd/host/scan_wiring.hpp"

namespace packd::host {

namespace ful = packd::fulfillment;

Status Daemon::open_devices(const ReloadableSections& wanted) {
    DeviceRegistry::ScannerHooks hooks;
    hooks.verifiable = [this](std::string_view text) { return desk_->verifiable(text); };
    hooks.camera_decoder = image_frame_decoder([this] { return desk_->image_decoder(); });
    hooks.on_scan = [this](const std::string& scanner, const drivers::ScanReading& scan) {
        activity_.note("scanner", scanner,
                       {{"data", printable(scan.data.substr(0, 128))},
                        {"rejected", scan.rejected},
                        {"station", desk_->station_of_scanner(scanner)}});
        desk_->take_scanner_scan(scanner, scan);
    };
    devices_->reconcile(config_.devices, wanted, hooks);
    watch_scales();
    auto waiting = store_->printers_with_pending_jobs();
    if (!waiting) {
        return waiting.error();
    }
    for (const auto& name : devices_->keep_queues_for(*waiting)) {
        log::warning("labels are waiting for printer " + name + ", which is not configured");
    }
    return {};
}

std::unique_ptr<ful::PrintQueue> Daemon::make_print_queue(const std::string& printer) {
    auto queue = std::make_unique<ful::PrintQueue>(io_, *store_, printer);
    queue->set_alerts(topics_.alerts(), [this] {
        if (pump_) {
            pump_->kick();  // nothing yet at start: the pump sends the outbox once it
                            // exists
        }
    });
    // Only printers that keep a preview beside each label (the file printer) make
    // the queue ask for one.
    queue->set_preview_source([this](const ful::StoredPrintJob& job, std::function<void(std::string)> done) {
        previews_->draw(job, std::move(done));
    });
    return queue;
}

Status Daemon::load_label_templates(const LabelsConfig& labels) {
    const std::string directory = label_templates_dir(labels);
    auto loaded = ful::load_label_templates(directory);
    if (!loaded) {
        return fail("label templates: " + loaded.error().message);
    }
    label_templates_ = std::make_shared<const ful::LabelTemplates>(std::move(*loaded));
    log::info("label templates loaded from " + directory);
    return {};
}

void Daemon::apply_label_route() {
    ful::LabelRoute route;
    route.printer = config_.devices.labels.printer_for("shipping", nullptr);
    route.size = label_size_for(config_.devices, route.printer);
    route.ship_from = ship_from(config_.site);
    route.templates = label_templates_;
    intake_->set_label_route(route);
    LabelSetup setup;
    setup.devices = config_.devices;
    setup.templates = label_templates_;
    setup.ship_from = route.ship_from;
    setup.max_payload_bytes = static_cast<size_t>(config_.broker.max_payload_bytes);
    for (const auto& [name, range] : config_.tracking) {
        if (range.scheme == "sscc" && setup.sscc_carrier.empty()) {
            setup.sscc_carrier = range.carrier;
        }
    }
    label_commands_->set_setup(std::move(setup));
}

}  // namespace packd::host
