#include "packd/host/device_registry.hpp"

#include "packd/common/log.hpp"
#include "packd/host/printer_wiring.hpp"
#include "packd/host/scan_wiring.hpp"

namespace packd::host {

DeviceFactories real_device_factories() {
    return {make_printer, open_scale,
            [](boost::asio::io_context& io, const ScannerConfig& config,
               std::function<bool(std::string_view)> verifiable, drivers::CameraFrameDecoder camera_decoder) {
                return make_scanner(io, config, std::move(verifiable), std::move(camera_decoder));
            }};
}

DeviceRegistry::DeviceRegistry(boost::asio::io_context& io, QueueFactory make_queue,
                               DeviceFactories factories)
    : io_(io), make_queue_(std::move(make_queue)), factories_(std::move(factories)) {}

void DeviceRegistry::reconcile(const ReloadableSections& running, const ReloadableSections& wanted,
                               const ScannerHooks& hooks) {
    const bool first = printers_.empty() && scales_.empty() && scanners_.empty();
    reconcile_printers(running, wanted, first);
    reconcile_scales(running, wanted, first);
    reconcile_scanners(running, wanted, first, hooks);
}

void DeviceRegistry::reconcile_printers(const ReloadableSections& running, const ReloadableSections& wanted,
                                        bool first) {
    for (const auto& [name, pc] : wanted.printers) {
        auto old = running.printers.find(name);
        if (!first && old != running.printers.end() && old->second == pc && printers_.count(name)) {
            continue;
        }
        auto printer = factories_.printer(io_, pc);
        if (!printer) {
            log::warning("printer " + name + ": no driver for type \"" + std::string(pc.type()) + "\"");
            continue;
        }
        listen(*printer, "printer", name);
        printers_[name] = printer;
        auto& queue = queues_[name];
        if (!queue) {
            queue = make_queue_(name);
        }
        queue->attach(printer);
    }
    for (auto it = printers_.begin(); it != printers_.end();) {
        if (!wanted.printers.count(it->first)) {
            log::notice("printer " + it->first +
                        " removed; its pending labels wait until it is configured again");
            queues_[it->first]->attach(nullptr);
            it = printers_.erase(it);
        } else {
            ++it;
        }
    }
}

void DeviceRegistry::on_device_state(StateListener listener) {
    *listener_ = std::move(listener);
}

void DeviceRegistry::listen(drivers::Device& device, const std::string& role, const std::string& name) {
    // The listener is shared, so one set after the first devices were made reaches them too.
    device.on_state_change([listener = listener_, role, name](const drivers::DeviceStatus& status) {
        if (*listener) {
            (*listener)(role, name, status);
        }
    });
}

void DeviceRegistry::reconcile_scales(const ReloadableSections& running, const ReloadableSections& wanted,
                                      bool first) {
    for (const auto& [name, sc] : wanted.scales) {
        auto old = running.scales.find(name);
        if (!first && old != running.scales.end() && old->second == sc && scales_.count(name)) {
            continue;
        }
        weights_.erase(name);
        scales_.erase(name);  // closes the old FIFO or port before the new one opens it
        OpenedScale opened = factories_.scale(io_, sc);
        if (!opened.opened) {
            log::warning("scale " + name + ": " + opened.opened.error().message);
        }
        if (!opened.scale) {
            continue;
        }
        auto scale = opened.scale;
        listen(*scale, "scale", name);
        auto weights = std::make_shared<fulfillment::WeightService>(io_, scale, stable_rules(sc));
        // Captured by copy under its own name: clang 14 cannot capture a structured binding.
        weights->subscribe([name = std::string(name)](const drivers::WeightReading& r) {
            if (r.valid) {
                log::debug("scale " + name + ": " + std::to_string(r.milligrams / 1000) + " g" +
                           (r.stable ? "" : " (in motion)"));
            } else {
                log::warning("scale " + name + ": invalid reading: " + r.reason);
            }
        });
        weights_[name] = std::move(weights);
        scales_[name] = scale;
    }
    std::erase_if(weights_, [&](const auto& kv) { return !wanted.scales.count(kv.first); });
    std::erase_if(scales_, [&](const auto& kv) { return !wanted.scales.count(kv.first); });
}

void DeviceRegistry::reconcile_scanners(const ReloadableSections& running, const ReloadableSections& wanted,
                                        bool first, const ScannerHooks& hooks) {
    for (const auto& [name, sc] : wanted.scanners) {
        auto old = running.scanners.find(name);
        if (!first && old != running.scanners.end() && old->second == sc && scanners_.count(name)) {
            continue;
        }
        scanners_.erase(name);
        auto scanner = factories_.scanner(io_, sc, hooks.verifiable, hooks.camera_decoder);
        if (!scanner) {
            continue;
        }
        scanner->on_scan([on_scan = hooks.on_scan, name = std::string(name)](
                             const drivers::ScanReading& scan) { on_scan(name, scan); });
        listen(*scanner, "scanner", name);
        scanners_[name] = scanner;
    }
    std::erase_if(scanners_, [&](const auto& kv) { return !wanted.scanners.count(kv.first); });
}

std::vector<std::string> DeviceRegistry::keep_queues_for(const std::vector<std::string>& printers) {
    std::vector<std::string> unconfigured;
    for (const auto& name : printers) {
        if (!queues_.count(name)) {
            queues_[name] = make_queue_(name);
            unconfigured.push_back(name);
        }
    }
    return unconfigured;
}

std::shared_ptr<fulfillment::WeightService> DeviceRegistry::weights_of(const std::string& scale) const {
    const auto it = weights_.find(scale);
    return it != weights_.end() ? it->second : nullptr;
}

void DeviceRegistry::kick_printers(const std::set<std::string>& printers) {
    for (const auto& printer : printers) {
        if (auto it = queues_.find(printer); it != queues_.end()) {
            it->second->kick();
        }
    }
}

void DeviceRegistry::kick_all() {
    for (auto& [name, queue] : queues_) {
        queue->kick();
    }
}

}  // namespace packd::host
