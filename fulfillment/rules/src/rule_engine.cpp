// Queueing the events rules listen to, running the rules before the transaction commits, and the time
// triggers. Loading is in rule_loading.cpp, the traces and what packctl sees in rule_trace.cpp.

#include "packd/fulfillment/rules/rule_engine.hpp"

#include <lua.hpp>

#include <algorithm>
#include <cstdio>

#include "packd/common/log.hpp"
#include "rule_facts.hpp"

namespace packd::fulfillment {
namespace {

constexpr size_t kMaxArgument = 4096;

/// A float as Lua's tostring writes it ("%.14g", and ".0" after what would read as an integer).
std::string number_text(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.14g", value);
    std::string out = text;
    if (out.find_first_not_of("-0123456789") == std::string::npos) {
        out += ".0";
    }
    return out;
}

/// Clears `settling` however the pass ends.
struct Settling {
    explicit Settling(bool& flag) : flag_(flag) { flag_ = true; }
    ~Settling() { flag_ = false; }
    bool& flag_;
};

}  // namespace

RuleEngine::RuleEngine(Store& store, OrderBook& orders, Inventory& inventory, Topics topics)
    : store_(store),
      orders_(orders),
      inventory_(inventory),
      topics_(std::move(topics)),
      facts_(std::make_unique<RuleFacts>(store, orders, inventory)) {}

RuleEngine::~RuleEngine() = default;

bool RuleEngine::wants(const std::string& trigger) const {
    return set_ && set_->by_trigger.count(trigger) > 0;
}

void RuleEngine::take(DomainEvent event) {
    if (!wants(event.trigger)) {
        return;
    }
    if (sqlite3_get_autocommit(store_.db().handle()) == 0) {
        queue_.emplace_back(next_seq_++, std::move(event));
        return;
    }
    // Emitted outside a transaction (after a station's step, from a timer): the rules run in one of their
    // own.
    try {
        Transaction tx(store_.db());
        queue_.emplace_back(next_seq_++, std::move(event));
        tx.commit();
    } catch (const SqliteError& e) {
        log::error(std::string("rules: store: ") + e.what());
    }
}

void RuleEngine::undo_to(std::uint64_t mark) {
    while (!queue_.empty() && queue_.back().first >= mark) {
        queue_.pop_back();
    }
}

void RuleEngine::before_commit() {
    if (settling_ || queue_.empty()) {
        return;
    }
    Settling pass(settling_);
    int handled = 0;
    while (!queue_.empty()) {
        if (++handled > kMaxEventsPerPass) {
            log::warning("rules: more than " + std::to_string(kMaxEventsPerPass) +
                         " events in one pass (rules "
                         "triggering each other?); " +
                         std::to_string(queue_.size()) + " left without rules");
            queue_.clear();
            break;
        }
        DomainEvent event = std::move(queue_.front().second);
        queue_.pop_front();
        handle(event);
    }
}

void RuleEngine::handle(const DomainEvent& event) {
    auto it = set_->by_trigger.find(event.trigger);
    if (it == set_->by_trigger.end()) {
        return;
    }
    const Status entered = enter(event, std::chrono::system_clock::now());
    for (const size_t index : it->second) {
        CompiledRule& rule = set_->rules[index];
        if (event.trigger == "time" && rule.spec.at_minute != event.quantity) {
            continue;
        }
        if (event.trigger == "interval" && rule.spec.name != event.data) {
            continue;
        }
        if (!entered) {
            // The state is at its memory cap (a rule keeps what it builds in a global): no rule can see the
            // event, each is skipped for it with the reason, and the event goes on without them.
            ++rule.counts.runs;
            record_failure(rule, event, subject_of(rule.spec, event), false, nlohmann::json::array(),
                           "the event's names: " + entered.error().message, 0);
            continue;
        }
        run_rule(rule, event);
    }
}

Status RuleEngine::enter(const DomainEvent& event, std::chrono::system_clock::time_point now) {
    LuaSandbox& lua = *set_->lua;
    const int context = lua.context();
    return lua.protect([&](lua_State* L) { facts_->enter(L, context, event, now); });
}

std::string RuleEngine::render(const std::vector<Piece>& pieces, std::string& error) {
    std::string out;
    lua_State* L = set_->lua->state();
    for (const auto& piece : pieces) {
        if (piece.ref == 0) {
            out += piece.literal;
            continue;
        }
        if (auto called = set_->lua->call(piece.ref, 1); !called) {
            error = called.error().message;
            return {};
        }
        const int type = lua_type(L, -1);
        if (type == LUA_TSTRING) {
            size_t n = 0;
            const char* s = lua_tolstring(L, -1, &n);
            out.append(s, n);
        } else if (type == LUA_TNUMBER) {
            // Written here rather than by lua_tolstring, which turns the value into a string in the state:
            // an allocation outside protected mode.
            out += lua_isinteger(L, -1) ? std::to_string(lua_tointeger(L, -1))
                                        : number_text(lua_tonumber(L, -1));
        } else if (type == LUA_TBOOLEAN) {
            out += lua_toboolean(L, -1) ? "true" : "false";
        } else if (type != LUA_TNIL) {
            error = std::string("a {{ }} value is a ") + lua_typename(L, type) + ", not text or a number";
            lua_pop(L, 1);
            return {};
        }
        lua_pop(L, 1);
        if (out.size() > kMaxArgument) {
            error = "an argument is longer than " + std::to_string(kMaxArgument) + " bytes";
            return {};
        }
    }
    return out;
}

RuleEngine::Verdict RuleEngine::evaluate(CompiledRule& rule) {
    Verdict v;
    lua_State* L = set_->lua->state();
    if (rule.condition != 0) {
        if (auto called = set_->lua->call(rule.condition, 1); !called) {
            v.error = "condition: " + called.error().message;
            return v;
        }
        v.matched = lua_toboolean(L, -1) != 0;
        lua_pop(L, 1);
    } else {
        v.matched = true;
    }
    if (!v.matched) {
        return v;
    }
    for (const auto& action : rule.actions) {
        RenderedAction rendered;
        rendered.kind = action.kind;
        for (const auto& [name, pieces] : action.args) {
            std::string error;
            std::string value = render(pieces, error);
            if (!error.empty()) {
                v.error = action.kind + "." + name + ": " + error;
                return v;
            }
            rendered.args[name] = std::move(value);
        }
        v.actions.push_back(std::move(rendered));
    }
    return v;
}

std::string RuleEngine::subject_of(const RuleSpec& rule, const DomainEvent& event) const {
    switch (rule.once_per) {
        case RuleSubject::event:
            return {};
        case RuleSubject::order:
            return event.order_id;
        case RuleSubject::sku:
            return event.sku;
        case RuleSubject::rma:
            return event.rma;
        case RuleSubject::device:
            return event.device;
        case RuleSubject::station:
            return event.station;
    }
    return {};
}

void RuleEngine::run_rule(CompiledRule& rule, const DomainEvent& event) {
    const auto started = std::chrono::steady_clock::now();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    auto micros = [&] {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                     started)
            .count();
    };
    ++rule.counts.runs;
    Verdict v = evaluate(rule);
    const std::string subject = subject_of(rule.spec, event);
    if (!v.error.empty()) {
        record_failure(rule, event, subject, false, nlohmann::json::array(), v.error, micros());
        return;
    }
    if (!v.matched) {
        const auto took = micros();
        rule.counts.micros += took;
        trace(rule, event, subject, false, "skipped", nlohmann::json::array(), "", took);
        return;
    }
    ++rule.counts.matched;
    if (!allowed(rule.spec, subject, now_ms)) {
        ++rule.counts.limited;
        trace(rule, event, subject, true, "limited", nlohmann::json::array(),
              rule.spec.cooldown_ms > 0 && rule.spec.once_per == RuleSubject::event
                  ? "in its cool-down"
                  : "fired for " + std::string(to_string(rule.spec.once_per)) + " " + subject + " already",
              micros());
        return;
    }
    nlohmann::json done = nlohmann::json::array();
    std::string failure;
    {
        // The rule's actions as a part of the event's transaction: all of them, or none.
        Transaction part(store_.db());
        for (const auto& action : v.actions) {
            nlohmann::json entry{{"action", action.kind}, {"args", action.args}};
            auto result = actions_ != nullptr ? actions_->run(rule.spec.name, action, event)
                                              : Result<std::string>(fail("no actions are wired"));
            if (!result) {
                entry["error"] = result.error().message;
                done.push_back(std::move(entry));
                failure = action.kind + ": " + result.error().message;
                break;
            }
            entry["result"] = *result;
            done.push_back(std::move(entry));
        }
        if (failure.empty()) {
            mark_fired(rule.spec, subject, now_ms);
            part.commit();
        } else {
            part.rollback();
        }
    }
    const auto took = micros();
    rule.counts.micros += took;
    if (!failure.empty()) {
        record_failure(rule, event, subject, true, done, failure, took);
        return;
    }
    ++rule.counts.fired;
    trace(rule, event, subject, true, "done", done, "", took);
    log::info("rule " + rule.spec.name + " fired on " + event.trigger +
              (event.order_id.empty() ? "" : " of order " + event.order_id) +
              (event.sku.empty() ? "" : " for " + event.sku) +
              (event.rma.empty() ? "" : " for return " + event.rma));
}

void RuleEngine::record_failure(CompiledRule& rule, const DomainEvent& event, const std::string& subject,
                                bool matched, const nlohmann::json& actions, const std::string& reason,
                                int64_t micros) {
    ++rule.counts.failed;
    trace(rule, event, subject, matched, "failed", actions, reason, micros);
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    log::warning("rule " + rule.spec.name + " skipped on " + event.trigger + ": " + reason);
    // One alert a minute per rule: a rule that fails on every event of a flash sale says so once a minute.
    if (now_ms - rule.last_alert_ms < 60000) {
        return;
    }
    rule.last_alert_ms = now_ms;
    nlohmann::json alert{
        {"kind", "rule_failed"}, {"rule", rule.spec.name}, {"trigger", event.trigger}, {"reason", reason}};
    if (!event.order_id.empty()) {
        alert["order_id"] = event.order_id;
    }
    store_.outbox_add(topics_.alerts(), alert.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      false);
}

void RuleEngine::tick(std::chrono::system_clock::time_point now) {
    if (!set_) {
        return;
    }
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    const int minute = local.tm_hour * 60 + local.tm_min;
    if (wants("time") && last_minute_ >= 0 && minute != last_minute_) {
        // Every minute since the last tick, across midnight: a busy minute is never skipped.
        for (int m = (last_minute_ + 1) % 1440, n = 0; n < 1440; m = (m + 1) % 1440, ++n) {
            DomainEvent e;
            e.trigger = "time";
            e.quantity = m;
            e.data = rule_clock(m);
            bool any = false;
            for (const size_t index : set_->by_trigger["time"]) {
                any = any || set_->rules[index].spec.at_minute == m;
            }
            if (any) {
                take(std::move(e));
            }
            if (m == minute) {
                break;
            }
        }
    }
    last_minute_ = minute;
    if (!wants("interval")) {
        return;
    }
    for (const size_t index : set_->by_trigger["interval"]) {
        const RuleSpec& spec = set_->rules[index].spec;
        auto [it, fresh] = last_interval_.emplace(spec.name, now);
        if (fresh || now - it->second < std::chrono::milliseconds(spec.every_ms)) {
            continue;
        }
        it->second = now;
        DomainEvent e;
        e.trigger = "interval";
        e.data = spec.name;
        take(std::move(e));
    }
}

}  // namespace packd::fulfillment
