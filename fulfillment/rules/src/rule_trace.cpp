// The rule engine's rows: a trace per run (rule_runs), the marks of its modes (rule_marks), pruning; and what
// packctl sees: the rules loaded, the latest runs, a dry run.

#include <algorithm>
#include <chrono>

#include "packd/fulfillment/rules/rule_engine.hpp"

namespace packd::fulfillment {
namespace {

constexpr int kPruneSlice = 2000;

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The mark of a cool-down, shared by every subject of the rule.
const std::string kCooldown = "*";

}  // namespace

bool RuleEngine::allowed(const RuleSpec& rule, const std::string& subject, int64_t now) {
    auto fired_at = [&](const std::string& key) -> std::optional<int64_t> {
        auto& st = store_.db().cached("SELECT fired_ms FROM rule_marks WHERE rule = ? AND subject = ?");
        st.bind(1, rule.name).bind(2, key);
        std::optional<int64_t> out;
        if (st.step()) {
            out = st.int64(0);
        }
        st.reset();
        return out;
    };
    if (rule.cooldown_ms > 0) {
        if (auto at = fired_at(kCooldown); at && now - *at < rule.cooldown_ms) {
            return false;
        }
    }
    if (rule.once_per != RuleSubject::event && !subject.empty()) {
        if (auto at = fired_at(subject); at && (rule.period_ms == 0 || now - *at < rule.period_ms)) {
            return false;
        }
    }
    return true;
}

void RuleEngine::mark_fired(const RuleSpec& rule, const std::string& subject, int64_t now) {
    auto& st = store_.db().cached(
        "INSERT INTO rule_marks (rule, subject, fired_ms) VALUES (?, ?, ?) "
        "ON CONFLICT (rule, subject) DO UPDATE SET fired_ms = excluded.fired_ms");
    if (rule.cooldown_ms > 0) {
        st.bind(1, rule.name).bind(2, kCooldown).bind(3, now).run();
    }
    if (rule.once_per != RuleSubject::event && !subject.empty()) {
        st.bind(1, rule.name).bind(2, subject).bind(3, now).run();
    }
}

void RuleEngine::trace(const CompiledRule& rule, const DomainEvent& event, const std::string& subject,
                       bool matched, const std::string& outcome, const nlohmann::json& actions,
                       const std::string& reason, int64_t micros) {
    std::string who = subject;
    if (who.empty()) {
        who = !event.order_id.empty() ? event.order_id
              : !event.sku.empty()    ? event.sku
              : !event.rma.empty()    ? event.rma
              : !event.device.empty() ? event.device
                                      : event.station;
    }
    store_.db()
        .cached(
            "INSERT INTO rule_runs (at_ms, rule, trig, event_id, subject, matched, outcome, actions, reason, "
            "micros) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, now_ms())
        .bind(2, rule.spec.name)
        .bind(3, event.trigger)
        .bind(4, event.event_id)
        .bind(5, who)
        .bind(6, matched ? 1 : 0)
        .bind(7, outcome)
        .bind(8, actions.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .bind(9, reason)
        .bind(10, micros)
        .run();
}

void RuleEngine::prune() {
    const int64_t keep_ms = set_ ? set_->settings.keep_ms : RuleSettings{}.keep_ms;
    const int64_t keep_runs = set_ ? set_->settings.keep_runs : RuleSettings{}.keep_runs;
    try {
        store_.commit_without_flush([&] {
            store_.db()
                .cached(
                    "DELETE FROM rule_runs WHERE id IN (SELECT id FROM rule_runs WHERE at_ms < ? ORDER BY id "
                    "LIMIT ?)")
                .bind(1, now_ms() - keep_ms)
                .bind(2, kPruneSlice)
                .run();
            store_.db()
                .cached(
                    "DELETE FROM rule_runs WHERE id IN (SELECT id FROM rule_runs WHERE id <= (SELECT max(id) "
                    "FROM "
                    "rule_runs) - ? ORDER BY id LIMIT ?)")
                .bind(1, keep_runs)
                .bind(2, kPruneSlice)
                .run();
        });
    } catch (const SqliteError&) {
        // Traces wait for the next tick; nothing depends on their removal.
    }
}

Result<nlohmann::json> RuleEngine::log(const std::string& rule, int limit) {
    try {
        auto st = store_.db().prepare(
            "SELECT id, at_ms, rule, trig, event_id, subject, matched, outcome, actions, reason, micros FROM "
            "rule_runs "
            "WHERE ?1 = '' OR rule = ?1 ORDER BY id DESC LIMIT ?2");
        st.bind(1, rule).bind(2, limit);
        nlohmann::json out = nlohmann::json::array();
        while (st.step()) {
            out.push_back({{"id", st.int64(0)},
                           {"at_ms", st.int64(1)},
                           {"rule", st.text(2)},
                           {"trigger", st.text(3)},
                           {"event_id", st.text(4)},
                           {"subject", st.text(5)},
                           {"matched", st.int64(6) != 0},
                           {"outcome", st.text(7)},
                           {"actions", nlohmann::json::parse(st.text(8), nullptr, false)},
                           {"reason", st.text(9)},
                           {"micros", st.int64(10)}});
        }
        return out;
    } catch (const SqliteError& e) {
        return fail(std::string("rule runs: ") + e.what());
    }
}

Result<nlohmann::json> RuleEngine::test(const std::string& name, const DomainEvent& event) {
    if (!set_) {
        return fail("no rules are loaded");
    }
    auto it = std::find_if(set_->rules.begin(), set_->rules.end(),
                           [&](const CompiledRule& r) { return r.spec.name == name; });
    if (it == set_->rules.end()) {
        return fail("no rule \"" + name + "\" is loaded");
    }
    const bool listens = std::count(it->spec.triggers.begin(), it->spec.triggers.end(), event.trigger) > 0;
    nlohmann::json out{{"rule", name}, {"trigger", event.trigger}, {"listens", listens}};
    try {
        if (auto entered = enter(event, std::chrono::system_clock::now()); !entered) {
            out["error"] = "the event's names: " + entered.error().message;
            out["matches"] = false;
            return out;
        }
        Verdict v = evaluate(*it);
        if (!v.error.empty()) {
            out["error"] = v.error;
            out["matches"] = false;
            return out;
        }
        out["matches"] = v.matched;
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
        out["limited"] = v.matched && !allowed(it->spec, subject_of(it->spec, event), now_ms);
        nlohmann::json would = nlohmann::json::array();
        for (const auto& a : v.actions) {
            would.push_back({{"action", a.kind}, {"args", a.args}});
        }
        out["would"] = would;
    } catch (const SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }
    return out;
}

nlohmann::json RuleEngine::list() const {
    nlohmann::json out = nlohmann::json::array();
    if (!set_) {
        return out;
    }
    for (const auto& rule : set_->rules) {
        const RuleSpec& s = rule.spec;
        const RuleCounts& c = rule.counts;
        out.push_back({{"name", s.name},
                       {"file", s.file},
                       {"line", s.place.line},
                       {"triggers", s.triggers},
                       {"once_per", to_string(s.once_per)},
                       {"period_ms", s.period_ms},
                       {"cooldown_ms", s.cooldown_ms},
                       {"runs", c.runs},
                       {"matched", c.matched},
                       {"fired", c.fired},
                       {"limited", c.limited},
                       {"failed", c.failed},
                       {"micros", c.micros}});
    }
    return out;
}

}  // namespace packd::fulfillment
