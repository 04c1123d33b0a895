#pragma once
// Merchant rules as a rules file states them (docs/rules.md): TOML with a name, triggers, an optional Lua
// condition and a list of actions per rule. Parsed and checked here, before any Lua is compiled; every
// problem names the file, line and column.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

/// Where a piece of a rules file starts.
struct RulePlace {
    int line = 0;
    int column = 0;
};

/// A text that may hold Lua expressions in `{{ }}` (an action's argument), as written, with where its
/// first character is in the file.
struct RuleText {
    std::string text;
    RulePlace place;
};

struct ActionSpec {
    std::string kind;  ///< "hold", "release", "route", ... (rule_actions.hpp)
    std::vector<std::pair<std::string, RuleText>> args;
    RulePlace place;
};

/// What a rule fires at most once per, within `period_ms`.
enum class RuleSubject { event, order, sku, rma, device, station };
std::string_view to_string(RuleSubject subject);

struct RuleSpec {
    std::string name;
    std::string file;
    RulePlace place;
    std::vector<std::string> triggers;
    RuleText condition;  ///< empty: always
    std::vector<ActionSpec> actions;
    RuleSubject once_per = RuleSubject::event;
    int64_t period_ms = 0;    ///< with once_per: 0 means once for ever
    int64_t cooldown_ms = 0;  ///< at most once per this long, whatever the subject
    int at_minute = -1;       ///< trigger "time": minutes after midnight, local time
    int64_t every_ms = 0;     ///< trigger "interval"
};

struct RuleFile {
    std::string path;
    RuleText setup;  ///< Lua run once at load in the file's own environment (tables the rules look up)
    std::vector<RuleSpec> rules;
};

/// The triggers a rule may name, and whether each one is about an order, a SKU, ...
const std::vector<std::string_view>& rule_triggers();
/// The actions a rule may take.
const std::vector<std::string_view>& rule_action_kinds();

/// Reads one rules file. `path` names it in errors ("rules/holds.toml:12:5: ...").
Result<RuleFile> parse_rule_file(const std::string& path, std::string_view text);

/// "HH:MM" of a minute of the day (0 to 1439).
std::string rule_clock(int minute);
/// The minute of the day "HH:MM" names (00:00 to 23:59); nothing for any other text.
std::optional<int> parse_rule_clock(std::string_view text);

/// "30s", "10m", "24h", "7d" in milliseconds; an error for anything else.
Result<int64_t> parse_rule_duration(std::string_view text);

}  // namespace packd::fulfillment
