#pragma once
// What packctl's printing of answers shares: a field as text, and the stations as their screens show them
// (packctl_print_stations.cpp).

#include <nlohmann/json.hpp>
#include <string>

namespace packd::host::packctl::print {

/// The field as text: a string as it is, any other value as JSON, nothing for a missing or null one.
inline std::string text(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return "";
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

/// A pack station's open order: each SKU packed of wanted.
void print_progress(const nlohmann::json& reply);
/// Each station: its mode and state, its task and lines, the next step, the scale, the recent replies.
void print_stations(const nlohmann::json& stations);
/// The rules loaded, one line each with its triggers and counts (packctl_print_rules.cpp).
void print_rules(const nlohmann::json& rules);
/// Rule runs, newest first: when, rule, trigger, subject, outcome, the actions and their results.
void print_rule_runs(const nlohmann::json& runs);
/// What a rule would do on an event; 0 when it matches, 1 when it does not, 2 on an error.
int print_rule_test(const nlohmann::json& test);

}  // namespace packd::host::packctl::print
