#pragma once
// What packctl's printing of answers shares: a field as text, a time, and the answers printed in files of
// their own: the stations as their screens show them (packctl_print_stations.cpp), the rules
// (packctl_print_rules.cpp), orders, stock and the look-ups (packctl_print_lookup.cpp).

#include <ctime>
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

/// Milliseconds since the epoch as the box's local time, "2026-12-01 14:03:07".
inline std::string local_time(int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm local{};
    localtime_r(&t, &local);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S", &local);
    return out;
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

/// The latest orders, one line each.
void print_orders(const nlohmann::json& orders);
/// One order: its state, lines, reservations, shipments, labels and timeline.
void print_order(const nlohmann::json& order);
/// SKUs' stock levels, each with its rows per location, lot and expiry.
void print_stock(const nlohmann::json& levels);
/// The stock of one location (`stock --location`): each SKU, lot and expiry in it.
void print_location_stock(const nlohmann::json& answer);
/// What a text matched; 0 when something did, 1 when nothing did.
int print_found(const nlohmann::json& answer);
/// Movements of the ledger, newest first.
void print_movements(const nlohmann::json& movements);

}  // namespace packd::host::packctl::print
