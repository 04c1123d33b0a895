// The shop's side of the end checks: every order status and shipment reached the shop at least once and the
// latest state it heard is the store's; returns likewise; the retained stock levels are the store's; the
// outbox and the inbox are empty; no packd log has a crash line.

#include <fstream>
#include <set>

#include "soak_checks.hpp"

namespace packd::soak {

namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows must(StoreReader& store, const std::string& sql) {
    auto rows = store.rows(sql);
    if (!rows) {
        throw std::runtime_error("store: " + store.error() + " in " + sql);
    }
    return *rows;
}

int64_t number(const std::string& s) {
    return s.empty() ? 0 : std::stoll(s);
}

/// How far along an order is; a later state never comes before an earlier one (the soak sends no updates).
int rank(const std::string& state) {
    static const std::map<std::string, int> ranks{{"received", 0}, {"held", 1},     {"accepted", 2},
                                                  {"picking", 3},  {"packed", 4},   {"labelled", 5},
                                                  {"shipped", 6},  {"cancelled", 7}};
    const auto it = ranks.find(state);
    return it == ranks.end() ? -1 : it->second;
}

/// The statuses an order in `state` must have sent on its way there (at least), in the soak's flows: the
/// packer takes an order through picking and packed to shipped.
std::vector<std::string> expected_statuses(const std::string& state) {
    if (state == "picking") {
        return {"accepted", "picking"};
    }
    if (state == "packed" || state == "labelled") {
        return {"accepted", "picking", state == "packed" ? "packed" : "labelled"};
    }
    if (state == "shipped") {
        return {"accepted", "picking", "packed", "shipped"};
    }
    return {state};
}

/// Text a crash leaves in a log: a sanitizer's report, an uncaught exception, a failed assertion.
const std::vector<std::string> kCrashMarks{
    "AddressSanitizer", "LeakSanitizer",    "UndefinedBehaviorSanitizer",
    "runtime error:",   "terminate called", "Assertion `",
    "stack smashing",   "double free"};

}  // namespace

void check_shop(StoreReader& store, const SoakEvidence& evidence, Findings& f) {
    const ShopHeard& heard = evidence.heard;
    f.dead_letters = static_cast<int>(heard.dead_letters.size());
    for (std::size_t i = 0; i < heard.dead_letters.size() && i < 5; ++i) {
        f.problems.push_back("dead letter: " + heard.dead_letters[i]);
    }
    std::map<std::string, std::string> shipped_tracking;
    for (const auto& row : must(store, "SELECT order_id, tracking_number FROM shipments")) {
        shipped_tracking[row[0]] = row[1];
    }
    std::map<std::string, std::set<std::string>> heard_tracking;  // tracking number -> orders, as heard
    for (const auto& [order, messages] : heard.shipments) {
        for (const auto& m : messages) {
            heard_tracking[m.value("tracking_number", "")].insert(order);
        }
    }
    for (const auto& [tracking, orders] : heard_tracking) {
        if (orders.size() > 1) {
            f.problem(f.tracking_reused, "the shop heard tracking number " + tracking + " for " +
                                             std::to_string(orders.size()) + " orders");
        }
    }
    for (const auto& row : must(store, "SELECT id, state FROM orders WHERE id LIKE 'SK%'")) {
        const std::string& id = row[0];
        const std::string& state = row[1];
        const auto it = heard.statuses.find(id);
        const std::vector<std::string> none;
        const auto& got = it == heard.statuses.end() ? none : it->second;
        const std::set<std::string> seen(got.begin(), got.end());
        for (const std::string& want : expected_statuses(state)) {
            if (seen.count(want) == 0) {
                f.problem(f.statuses_missing,
                          "order " + id + " is " + state + "; the shop never heard " + want);
                break;
            }
        }
        std::string furthest;
        for (const std::string& s : got) {
            if (furthest.empty() || rank(s) > rank(furthest)) {
                furthest = s;
            }
        }
        if (!furthest.empty() && furthest != state) {
            f.problem(f.statuses_inconsistent,
                      "order " + id + " is " + state + " in the store; the shop heard it " + furthest);
        }
        if (state == "shipped") {
            const auto sh = heard.shipments.find(id);
            bool match = sh != heard.shipments.end();
            for (const auto& m : match ? sh->second : std::vector<nlohmann::json>{}) {
                match = match && m.value("tracking_number", "") == shipped_tracking[id];
            }
            if (!match) {
                f.problem(f.shipments_missing,
                          "order " + id + " shipped under " + shipped_tracking[id] +
                              "; the shop did not hear that shipment (or heard another)");
            }
        }
    }
    for (const auto& row : must(store, "SELECT rma, state FROM returns")) {
        const auto it = heard.return_states.find(row[0]);
        const bool has_state = it != heard.return_states.end() &&
                               std::find(it->second.begin(), it->second.end(), row[1]) != it->second.end();
        const bool label_ok = row[1] != "approved" || heard.return_labels.count(row[0]) != 0;
        if (!has_state || !label_ok) {
            f.problem(f.returns_unheard, "return " + row[0] + " is " + row[1] + "; the shop did not hear " +
                                             (has_state ? "its label" : "that state"));
        }
    }
    // Retained stock levels, as a shop connecting now reads them, against the store's own sums.
    for (const auto& row :
         must(store,
              "SELECT p.sku, coalesce((SELECT sum(s.on_hand) FROM stock s WHERE s.sku = p.sku), 0), "
              "coalesce((SELECT sum(s.on_hand) FROM stock s JOIN locations l ON l.code = s.location "
              "WHERE s.sku = p.sku AND l.kind IN ('bin', 'receiving', 'packing')), 0), "
              "coalesce((SELECT sum(quantity) FROM reservations r WHERE r.sku = p.sku), 0) "
              "FROM products p")) {
        const int64_t on_hand = number(row[1]);
        const int64_t reserved = number(row[3]);
        const int64_t available = number(row[2]) - reserved;
        const auto it = evidence.retained_stock.find(row[0]);
        if (it == evidence.retained_stock.end()) {
            f.problem(f.stock_mismatches, "no retained stock level for " + row[0]);
            continue;
        }
        const auto& level = it->second;
        if (level.value("on_hand", int64_t{-1}) != on_hand ||
            level.value("reserved", int64_t{-1}) != reserved ||
            level.value("available", int64_t{-1}) != available) {
            f.problem(f.stock_mismatches, "retained stock of " + row[0] + " is " + level.dump() +
                                              "; the store has " + std::to_string(on_hand) + " on hand, " +
                                              std::to_string(reserved) + " reserved, " +
                                              std::to_string(available) + " available");
        }
    }
    const auto count = [&](const std::string& sql) {
        return static_cast<int>(number(must(store, sql)[0][0]));
    };
    f.outbox_left = count("SELECT count(*) FROM outbox") +
                    count("SELECT count(*) FROM stock_out WHERE version > published");
    f.inbox_left = count("SELECT count(*) FROM inbox");
    if (f.outbox_left > 0) {
        f.problems.push_back(std::to_string(f.outbox_left) +
                             " messages (or stock levels) still in the outbox");
    }
}

void check_logs(const SoakEvidence& evidence, Findings& f) {
    for (const auto& path : evidence.packd_logs) {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            for (const std::string& mark : kCrashMarks) {
                if (line.find(mark) != std::string::npos) {
                    f.problem(f.crash_lines, path.filename().string() + ": " + line.substr(0, 300));
                    break;
                }
            }
        }
    }
}

}  // namespace packd::soak
