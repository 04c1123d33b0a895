// Merchant rules in the daemon: loading them from [rules], what follows their actions, and the admin verbs
// rules, rules_log, rules_test and release.

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/host/daemon.hpp"

namespace packd::host {

namespace ful = packd::fulfillment;
using nlohmann::json;

namespace {

ful::RuleSettings settings_of(const RulesConfig& c) {
    ful::RuleSettings s;
    s.limits.instructions = c.instructions;
    s.limits.memory_bytes = static_cast<size_t>(c.memory_kb) * 1024;
    s.keep_ms = static_cast<int64_t>(c.keep_days) * 86400000;
    s.keep_runs = c.keep_runs;
    // Checked by the config already ([rules] cutoff): "HH:MM" or empty.
    s.cutoff_minute = ful::parse_rule_clock(c.cutoff).value_or(-1);
    return s;
}

}  // namespace

Status check_rules(const Config& config) {
    if (config.devices.rules.dir.empty()) {
        return {};
    }
    auto store = ful::Store::open(":memory:");
    if (!store) {
        return store.error();
    }
    const ful::Topics topics(config.broker.topic_prefix, config.site.id);
    ful::Inventory inventory(**store, topics, ful::InventorySettings{});
    ful::OrderBook orders(**store, inventory, topics);
    ful::RuleEngine engine(**store, orders, inventory, topics);
    if (auto st = engine.load_folder(config.devices.rules.dir, settings_of(config.devices.rules)); !st) {
        return fail("rules: " + st.error().message);
    }
    return {};
}

Status Daemon::apply_rules(const ReloadableSections& devices) {
    if (auto st = rules_->load_folder(devices.rules.dir, settings_of(devices.rules)); !st) {
        return fail("rules: " + st.error().message);
    }
    std::set<std::string> stations;
    std::set<std::string> printers;
    for (const auto& [name, unused] : devices.stations) {
        stations.insert(name);
    }
    for (const auto& [name, unused] : devices.printers) {
        printers.insert(name);
    }
    rule_effects_->set_known(std::move(stations), std::move(printers));
    if (!devices.rules.dir.empty()) {
        log::notice("rules: " + std::to_string(rules_->rule_count()) + " loaded from " + devices.rules.dir);
    }
    return {};
}

void Daemon::after_rules() {
    if (!rule_effects_ || !devices_) {
        return;
    }
    const auto printers = rule_effects_->take_printers();
    if (!printers.empty()) {
        devices_->kick_printers(printers);
    }
    if (pump_) {
        pump_->kick();
    }
}

void Daemon::add_rule_verbs() {
    router_.add("rules", [this](const json&) { return json{{"ok", true}, {"rules", rules_->list()}}; });
    router_.add("rules_log", [this](const json& request) {
        const int limit = request.value("limit", 20);
        auto runs = rules_->log(request.value("rule", ""), std::clamp(limit, 1, 1000));
        if (!runs) {
            return json{{"ok", false}, {"error", runs.error().message}};
        }
        return json{{"ok", true}, {"runs", *runs}};
    });
    router_.add("rules_test", [this](const json& request) {
        auto event = ful::domain_event_of(request.value("event", json()));
        if (!event) {
            return json{{"ok", false}, {"error", "event: " + event.error().message}};
        }
        auto result = rules_->test(request.value("rule", ""), *event);
        if (!result) {
            return json{{"ok", false}, {"error", result.error().message}};
        }
        return json{{"ok", true}, {"test", *result}};
    });
    router_.add("release", [this](const json& request) {
        const std::string order = request.value("order", "");
        try {
            ful::Transaction tx(store_->db());
            auto released = intake_->release(order, {"packctl", request.value("operator", "")});
            if (!released) {
                return json{{"ok", false}, {"error", released.error().message}};
            }
            tx.commit();
            const ful::OrderOutcome& outcome = released->outcome;
            log::notice("order " + order + " released by " + printable(request.value("operator", "")) + ": " +
                        std::string(ful::to_string(outcome.state)));
            return json{{"ok", true},
                        {"order", order},
                        {"state", ful::to_string(outcome.state)},
                        {"reason", outcome.reason},
                        {"printer", released->printer}};
        } catch (const ful::SqliteError& e) {
            return json{{"ok", false}, {"error", std::string("store: ") + e.what()}};
        }
    });
}

}  // namespace packd::host
