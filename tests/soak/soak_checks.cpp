#include "soak_checks.hpp"

#include <set>
#include <sstream>

namespace packd::soak {

namespace {
constexpr std::size_t kExamplesPerRun = 40;

using Rows = std::vector<std::vector<std::string>>;

Rows must(StoreReader& store, const std::string& sql, const std::vector<std::string>& params = {}) {
    auto rows = store.rows(sql, params);
    if (!rows) {
        throw std::runtime_error("store: " + store.error() + " in " + sql);
    }
    return *rows;
}

int64_t number(const std::string& s) {
    return s.empty() ? 0 : std::stoll(s);
}

/// The first `prefix` followed by `digits` digits in a format, or "": a shipping label's order (SK and 7
/// digits) and tracking number (a UPS 1Z of the soak's range). A plain search: there are many labels.
std::string find_code(const std::string& format, const std::string& prefix, std::size_t digits) {
    for (std::size_t at = format.find(prefix); at != std::string::npos; at = format.find(prefix, at + 1)) {
        const std::size_t from = at + prefix.size();
        if (from + digits > format.size()) {
            break;
        }
        bool all = true;
        for (std::size_t i = from; i < from + digits && all; ++i) {
            all = format[i] >= '0' && format[i] <= '9';
        }
        if (all) {
            return format.substr(at, prefix.size() + digits);
        }
    }
    return "";
}
}  // namespace

bool Findings::failed() const {
    return orders_lost + orders_doubled + events_lost + stock_doubled + labels_missing + labels_doubled +
                   statuses_missing + statuses_inconsistent + shipments_missing + returns_unheard +
                   stock_mismatches + outbox_left + inbox_left + tracking_reused + crash_lines >
               0 ||
           !verify_ok;
}

void Findings::problem(int& counter, const std::string& example) {
    ++counter;
    if (problems.size() < kExamplesPerRun) {
        problems.push_back(example);
    }
}

Findings check_soak(StoreReader& store, const SoakEvidence& evidence) {
    Findings f;
    f.verify_ok = evidence.verify_ok;
    if (!f.verify_ok) {
        f.problems.push_back("packctl verify: " + evidence.verify_output);
    }
    check_events_and_orders(store, evidence, f);
    check_labels(store, evidence, f);
    check_shop(store, evidence, f);
    check_logs(evidence, f);
    return f;
}

void check_events_and_orders(StoreReader& store, const SoakEvidence& evidence, Findings& f) {
    std::map<std::string, std::string> applied;  // event id -> outcome
    for (const auto& row : must(store, "SELECT event_id, outcome FROM applied_events")) {
        applied[row[0]] = row[1];
    }
    std::map<std::string, int64_t> stock_moves;  // event id -> movements booked under it
    for (const auto& row :
         must(store,
              "SELECT reference, count(*) FROM movements WHERE reference LIKE 'st-%' GROUP BY reference")) {
        stock_moves[row[0]] = number(row[1]);
    }
    std::set<std::string> published_orders;
    for (const ShopEvent& e : evidence.events) {
        const bool is_order = e.kind == ShopEvent::Kind::order;
        if (is_order) {
            ++f.orders_published;
            published_orders.insert(e.key);
        }
        if (e.kind == ShopEvent::Kind::stock && stock_moves[e.event_id] > 1) {
            f.problem(f.stock_doubled, "stock correction " + e.event_id + " booked " +
                                           std::to_string(stock_moves[e.event_id]) + " times");
        }
        if (!e.acked) {
            continue;
        }
        is_order ? ++f.orders_acked : ++f.events_acked;
        const auto it = applied.find(e.event_id);
        if (it == applied.end()) {
            f.problem(is_order ? f.orders_lost : f.events_lost,
                      "event " + e.event_id + " was acknowledged by the broker but is not in the store");
            continue;
        }
        if (it->second.rfind("rejected", 0) == 0) {
            f.problem(f.events_refused, "event " + e.event_id + " was refused: " + it->second);
        }
        if (e.kind == ShopEvent::Kind::stock && stock_moves[e.event_id] == 0) {
            f.problem(f.events_lost, "stock correction " + e.event_id + " applied but booked no movement");
        }
    }

    // Each order once: its reservation at most what it ordered, at most one shipment, shipped stock booked
    // once.
    std::map<std::string, int64_t> ordered, reserved, shipped_units, shipments;
    for (const auto& row : must(store,
                                "SELECT order_id, sum(quantity) FROM order_lines WHERE order_id LIKE 'SK%' "
                                "GROUP BY order_id")) {
        ordered[row[0]] = number(row[1]);
    }
    for (const auto& row :
         must(store, "SELECT order_id, sum(quantity) FROM reservations GROUP BY order_id")) {
        reserved[row[0]] = number(row[1]);
    }
    for (const auto& row :
         must(store,
              "SELECT reference, -sum(delta) FROM movements WHERE reason = 'ship' GROUP BY reference")) {
        shipped_units[row[0]] = number(row[1]);
    }
    for (const auto& row : must(store, "SELECT order_id, count(*) FROM shipments GROUP BY order_id")) {
        shipments[row[0]] = number(row[1]);
    }
    for (const auto& row : must(store, "SELECT id, state FROM orders WHERE id LIKE 'SK%'")) {
        const std::string& id = row[0];
        const std::string& state = row[1];
        ++f.orders_in_store;
        if (published_orders.count(id) == 0) {
            f.problem(f.orders_doubled, "order " + id + " is in the store but the shop never sent it");
        }
        const bool open =
            state == "accepted" || state == "picking" || state == "packed" || state == "labelled";
        const int64_t want_reserved = open ? ordered[id] : 0;
        const int64_t want_shipped = state == "shipped" ? ordered[id] : 0;
        if (reserved[id] > want_reserved || shipped_units[id] > want_shipped || shipments[id] > 1) {
            f.problem(f.orders_doubled, "order " + id + " (" + state + ") reserves " +
                                            std::to_string(reserved[id]) + ", shipped " +
                                            std::to_string(shipped_units[id]) + " units in " +
                                            std::to_string(shipments[id]) + " shipments; it ordered " +
                                            std::to_string(ordered[id]));
        } else if (reserved[id] < want_reserved || shipped_units[id] < want_shipped) {
            f.problem(f.orders_lost, "order " + id + " (" + state + ") reserves " +
                                         std::to_string(reserved[id]) + " and shipped " +
                                         std::to_string(shipped_units[id]) + " of " +
                                         std::to_string(ordered[id]));
        }
    }
}

void check_labels(StoreReader& store, const SoakEvidence& evidence, Findings& f) {
    // What came out of the printer, per order, and which orders each tracking number was printed for.
    std::map<std::string, int64_t> printed;
    std::map<std::string, std::set<std::string>> printed_tracking;
    for (const std::string& format : evidence.printed) {
        const std::string order = find_code(format, "SK", 7);
        if (order.empty()) {
            continue;  // not one of the soak's shipping labels
        }
        ++f.labels_printed;
        ++printed[order];
        if (const std::string tracking = find_code(format, "1Z999AA101", 8); !tracking.empty()) {
            printed_tracking[tracking].insert(order);
        }
    }
    // A reprint an operator asked for is not a label printed twice; the soak asks for none, so this is 0
    // unless something else queued one.
    std::map<std::string, int64_t> reprints;
    for (const auto& row : must(store,
                                "SELECT order_id, count(*) FROM print_jobs WHERE kind = 'shipping' AND "
                                "reprint = 1 AND state = 'done' GROUP BY order_id")) {
        reprints[row[0]] = number(row[1]);
    }
    // Jobs packd holds as "may have printed" (state 'uncertain', schema 8): counted apart, neither missing
    // nor doubled, since nobody can know whether the paper came out. No such rows before schema 8.
    std::set<std::string> held;
    for (const auto& row :
         must(store,
              "SELECT DISTINCT order_id FROM print_jobs WHERE kind = 'shipping' AND state = 'uncertain'")) {
        held.insert(row[0]);
    }
    f.jobs_pending = static_cast<int>(
        number(must(store, "SELECT count(*) FROM print_jobs WHERE state IN ('pending', 'sending')")[0][0]));
    for (const auto& row : must(store, "SELECT id, state FROM orders WHERE id LIKE 'SK%'")) {
        const std::string& id = row[0];
        const std::string& state = row[1];
        const int64_t n = printed[id] - reprints[id];
        printed.erase(id);
        // Accepted from then on: one label. Cancelled: the label may have printed before the cancel.
        // Held (never accepted): none.
        const bool labelled = state == "accepted" || state == "picking" || state == "packed" ||
                              state == "labelled" || state == "shipped";
        const int64_t most = labelled || state == "cancelled" ? 1 : 0;
        if (n > most) {
            f.problem(f.labels_doubled, "order " + id + " (" + state + "): label printed " +
                                            std::to_string(n) + " times" +
                                            (held.count(id) != 0 ? " and held as may have printed" : ""));
        } else if (held.count(id) != 0) {
            ++f.labels_held;
        } else if (labelled && n == 0) {
            f.problem(f.labels_missing, "order " + id + " (" + state + "): its label never printed");
        }
    }
    for (const auto& [id, n] : printed) {
        f.problem(f.labels_doubled, "a label for order " + id + ", which the store does not have, printed " +
                                        std::to_string(n) + " times");
    }
    // A tracking number is never issued twice: not on two orders' labels, not on two orders in the store.
    for (const auto& [tracking, orders] : printed_tracking) {
        if (orders.size() > 1) {
            f.problem(f.tracking_reused, "tracking number " + tracking + " printed for " +
                                             std::to_string(orders.size()) + " orders, e.g. " +
                                             *orders.begin() + " and " + *orders.rbegin());
        }
    }
    for (const auto& row : must(store,
                                "SELECT tracking_number, count(*) FROM orders WHERE tracking_number <> '' "
                                "GROUP BY tracking_number HAVING count(*) > 1")) {
        f.problem(f.tracking_reused,
                  "tracking number " + row[0] + " is on " + row[1] + " orders in the store");
    }
}

std::string summary_line(const std::string& duration, const Findings& f, const ChaosCounts& chaos,
                         const PackerCounts& packer) {
    std::ostringstream s;
    s << "soak: duration=" << duration << " orders_published=" << f.orders_published
      << " orders_acked=" << f.orders_acked << " orders_in_store=" << f.orders_in_store
      << " orders_lost=" << f.orders_lost << " orders_doubled=" << f.orders_doubled
      << " events_acked=" << f.events_acked << " events_lost=" << f.events_lost
      << " events_refused=" << f.events_refused << " stock_doubled=" << f.stock_doubled
      << " labels_printed=" << f.labels_printed << " labels_missing=" << f.labels_missing
      << " labels_doubled=" << f.labels_doubled << " labels_held=" << f.labels_held
      << " jobs_pending=" << f.jobs_pending << " shipped_at_station=" << packer.shipped
      << " statuses_missing=" << f.statuses_missing << " statuses_inconsistent=" << f.statuses_inconsistent
      << " shipments_missing=" << f.shipments_missing << " returns_unheard=" << f.returns_unheard
      << " stock_mismatches=" << f.stock_mismatches << " outbox_left=" << f.outbox_left
      << " inbox_left=" << f.inbox_left << " verify=" << (f.verify_ok ? "clean" : "FAILED")
      << " tracking_reused=" << f.tracking_reused << " crash_lines=" << f.crash_lines
      << " dead_letters=" << f.dead_letters << " kills=" << chaos.kills << " kills_busy=" << chaos.kills_busy
      << " packd_crashes=" << chaos.packd_crashes << " broker_restarts=" << chaos.broker_restarts
      << " printer_outages=" << chaos.printer_outages << " printer_silences=" << chaos.printer_silences
      << " result="
      << (f.failed() || chaos.packd_crashes > 0 || chaos.packd_start_failures > 0 ? "FAIL" : "PASS");
    return s.str();
}

}  // namespace packd::soak
