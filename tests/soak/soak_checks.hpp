#pragma once
// What the soak proves at the end, once every fault has stopped and everything has drained: compared with
// what the shop's publisher had acknowledged, what the shop heard and what the printer printed, the store
// holds every event once, every label printed once (or is held as "may have printed"), every status and
// shipment reached the shop in the store's final state, the retained stock levels are the store's, and
// nothing is left in the outbox.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaos.hpp"
#include "packer.hpp"
#include "shop_listener.hpp"
#include "shop_publisher.hpp"
#include "soak_store.hpp"

namespace packd::soak {

struct Findings {
    int orders_published = 0, orders_acked = 0, orders_in_store = 0, orders_lost = 0, orders_doubled = 0;
    int events_acked = 0, events_lost = 0, events_refused = 0;  ///< cancels, stock corrections, returns
    int stock_doubled = 0;                                      ///< a stock correction booked twice
    int labels_printed = 0, labels_missing = 0, labels_doubled = 0, labels_held = 0, jobs_pending = 0;
    int statuses_missing = 0, statuses_inconsistent = 0, shipments_missing = 0, returns_unheard = 0;
    int stock_mismatches = 0, outbox_left = 0, inbox_left = 0, tracking_reused = 0, crash_lines = 0;
    int dead_letters = 0;
    bool verify_ok = false;
    /// A few examples of each problem, for the reader of a failed run.
    std::vector<std::string> problems;

    bool failed() const;
    void problem(int& counter, const std::string& example);
};

struct SoakEvidence {
    std::vector<ShopEvent> events;
    ShopHeard heard;
    std::map<std::string, nlohmann::json> retained_stock;
    std::vector<std::string> printed;  ///< formats the printer printed, in order
    bool verify_ok = false;
    std::string verify_output;
    std::vector<std::filesystem::path> packd_logs;
};

/// Checks the store against the evidence.
Findings check_soak(StoreReader& store, const SoakEvidence& evidence);

/// The store's side and the shop's side of the checks (soak_checks.cpp, soak_checks_shop.cpp).
void check_events_and_orders(StoreReader& store, const SoakEvidence& evidence, Findings& f);
void check_labels(StoreReader& store, const SoakEvidence& evidence, Findings& f);
void check_shop(StoreReader& store, const SoakEvidence& evidence, Findings& f);
void check_logs(const SoakEvidence& evidence, Findings& f);

/// The one line a run ends with: every count, then PASS or FAIL.
std::string summary_line(const std::string& duration, const Findings& f, const ChaosCounts& chaos,
                         const PackerCounts& packer);

}  // namespace packd::soak
