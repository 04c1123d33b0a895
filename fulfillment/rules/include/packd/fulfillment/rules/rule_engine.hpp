#pragma once
// Merchant rules on the box (docs/rules.md). The engine is the store's event sink: the areas emit
// DomainEvents inside their transactions, the engine queues the ones some rule listens to and, just before
// the transaction (or the savepoint) commits, runs each listening rule: its condition in the Lua sandbox,
// its mode (once per subject and period, a cool-down), its actions through RuleActions as a savepoint of
// their own, and a trace row. A rule that fails is skipped for that event with the reason in its trace
// and an alert; the event is handled as if the rule did not exist. Events its actions emit are handled in
// the same pass, at most kMaxEventsPerPass of them.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/domain_event.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/rules/lua_sandbox.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

class RuleFacts;

struct RuleSettings {
    LuaLimits limits;
    int cutoff_minute = -1;            ///< the ship-today cut-off, minutes after midnight; -1: none
    int64_t keep_ms = 7LL * 86400000;  ///< traces older than this are removed
    int64_t keep_runs = 100000;        ///< and never more than this many
};

/// A rule's counts since it was loaded.
struct RuleCounts {
    int64_t runs = 0;
    int64_t matched = 0;
    int64_t fired = 0;
    int64_t limited = 0;
    int64_t failed = 0;
    int64_t micros = 0;
};

class RuleEngine : public DomainEventSink, public TransactionHooks {
  public:
    static constexpr int kMaxEventsPerPass = 64;

    RuleEngine(Store& store, OrderBook& orders, Inventory& inventory, Topics topics);
    ~RuleEngine() override;

    void set_actions(RuleActions* actions) { actions_ = actions; }
    /// Compiles the files (path, text) into a new rule set and swaps it in; on any problem the running
    /// rules stay and the first problem is returned with its file, line and column.
    Status load(const std::vector<std::pair<std::string, std::string>>& files, const RuleSettings& settings);
    /// Every *.toml in `dir`, in name order; a missing folder is no rules.
    Status load_folder(const std::string& dir, const RuleSettings& settings);
    size_t rule_count() const;

    // DomainEventSink
    void take(DomainEvent event) override;
    bool wants(const std::string& trigger) const override;
    // TransactionHooks
    std::uint64_t mark() override { return next_seq_; }
    void before_commit() override;
    void undo_to(std::uint64_t mark) override;

    /// The time triggers: "time" rules whose minute has come since the last call, "interval" rules
    /// whose period has passed. From the daemon's tick.
    void tick(std::chrono::system_clock::time_point now);
    /// Removes traces past their time or count, a slice at a time. From the daemon's tick.
    void prune();

    /// Evaluates `rule` against `event` without changing anything: the condition's value and the
    /// actions it would take, rendered. For `packctl rules test`.
    Result<nlohmann::json> test(const std::string& rule, const DomainEvent& event);
    /// The rules loaded with their counts, for `packctl rules`.
    nlohmann::json list() const;
    /// The latest runs, newest first, of one rule or of all.
    Result<nlohmann::json> log(const std::string& rule, int limit);

  private:
    struct Piece {
        std::string literal;
        int ref = 0;  ///< a Lua expression's function, when not 0
    };
    struct CompiledAction {
        std::string kind;
        std::vector<std::pair<std::string, std::vector<Piece>>> args;
    };
    struct CompiledRule {
        RuleSpec spec;
        int condition = 0;
        std::vector<CompiledAction> actions;
        RuleCounts counts;
        int64_t last_alert_ms = 0;
    };
    struct RuleSetNow {
        std::unique_ptr<LuaSandbox> lua;
        std::vector<CompiledRule> rules;
        std::map<std::string, std::vector<size_t>, std::less<>> by_trigger;
        RuleSettings settings;
    };
    struct Verdict {
        bool matched = false;
        std::string error;
        std::vector<RenderedAction> actions;
    };

    Result<std::vector<Piece>> compile_text(RuleSetNow& set, int env, const RuleText& text,
                                            const std::string& file);
    /// Sets the context's names for `event`; the reason when the state has no memory left for them.
    Status enter(const DomainEvent& event, std::chrono::system_clock::time_point now);
    /// The condition and the rendered actions of one rule for the event entered.
    Verdict evaluate(CompiledRule& rule);
    void run_rule(CompiledRule& rule, const DomainEvent& event);
    void handle(const DomainEvent& event);
    std::string render(const std::vector<Piece>& pieces, std::string& error);
    std::string subject_of(const RuleSpec& rule, const DomainEvent& event) const;
    /// True when the rule's mode lets it fire now for `subject` (rule_marks).
    bool allowed(const RuleSpec& rule, const std::string& subject, int64_t now_ms);
    void mark_fired(const RuleSpec& rule, const std::string& subject, int64_t now_ms);
    void trace(const CompiledRule& rule, const DomainEvent& event, const std::string& subject, bool matched,
               const std::string& outcome, const nlohmann::json& actions, const std::string& reason,
               int64_t micros);
    /// A run that failed (the condition, an argument, an action, or no memory for the event): counted,
    /// traced with the reason, logged, and an alert at most once a minute per rule.
    void record_failure(CompiledRule& rule, const DomainEvent& event, const std::string& subject,
                        bool matched, const nlohmann::json& actions, const std::string& reason,
                        int64_t micros);

    Store& store_;
    OrderBook& orders_;
    Inventory& inventory_;
    Topics topics_;
    RuleActions* actions_ = nullptr;
    std::unique_ptr<RuleFacts> facts_;
    std::unique_ptr<RuleSetNow> set_;
    std::deque<std::pair<std::uint64_t, DomainEvent>> queue_;
    std::uint64_t next_seq_ = 1;
    bool settling_ = false;
    int last_minute_ = -1;
    std::map<std::string, std::chrono::system_clock::time_point> last_interval_;
};

}  // namespace packd::fulfillment
