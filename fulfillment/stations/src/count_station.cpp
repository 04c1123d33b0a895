#include "packd/fulfillment/stations/count_station.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

namespace {

constexpr const char* kCounting = "counting";
constexpr const char* kRecount = "recount";

using StockKey = std::tuple<std::string, std::string, std::string>;  // sku, lot, expiry

std::string key_text(const StockKey& k) {
    const auto& [sku, lot, expiry] = k;
    return sku + (lot.empty() ? "" : " lot " + lot) + (expiry.empty() ? "" : " exp " + expiry);
}

}  // namespace

CountStation::CountStation(Store& store, Inventory& inventory, std::string name, TaskStationOptions options)
    : TaskStation(store, inventory, std::move(name), std::move(options)) {}

std::vector<TaskLineView> CountStation::shown(const Task& task) const {
    std::vector<TaskLineView> out = summed(tasks_.lines());
    if (options_.blind_count) {
        return out;
    }
    for (const auto& row : inventory_.stock_at(task.reference)) {
        auto it = std::find_if(out.begin(), out.end(), [&](const TaskLineView& v) {
            return v.sku == row.sku && v.lot == row.lot && v.expiry == row.expiry;
        });
        if (it == out.end()) {
            out.push_back({row.sku, 0, row.on_hand, row.lot, row.expiry, {}});
        } else {
            it->expected = row.on_hand;
        }
    }
    return out;
}

StationReply CountStation::handle(const ScanEvent& scan, const std::optional<Task>& task) {
    const ScanMeaning& m = scan.meaning;
    if (m.kind == ScanKind::location) {
        if (task) {
            return reply(false, "counting " + task->reference + ": scan DONE when it is counted, or CANCEL");
        }
        return open(m.code);
    }
    if (m.kind == ScanKind::product && !m.sku.empty()) {
        if (!task) {
            return reply(false, "scan the location you count first, then what lies in it");
        }
        return add(*task, scan);
    }
    if (m.kind == ScanKind::command && m.code == "DONE") {
        if (!task) {
            return reply(false, "nothing counted yet", idle_next());
        }
        return done(*task);
    }
    return refuse_scan(m, ": put it aside for the office; not counted", "at a count station",
                       "scan a location, what lies in it, a quantity or DONE");
}

StationReply CountStation::open(const std::string& location) {
    Task t;
    t.mode = StationMode::count;
    t.reference = location;
    t.step = kCounting;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    return reply(true,
                 "counting " + location + ": scan everything in it, then DONE (an empty location: DONE)");
}

StationReply CountStation::add(const Task& task, const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    Task t = task;
    const TaskLine line = item_line(t, m);
    t.next_quantity = 0;
    Transaction tx(store_.db());
    tasks_.save(t);
    tasks_.add(line, scan.device);
    tx.commit();
    return reply(true, "+" + std::to_string(line.quantity) + " " + m.sku);
}

StationReply CountStation::done(const Task& task) {
    std::map<StockKey, int64_t> books;
    for (const auto& row : inventory_.stock_at(task.reference)) {
        books[{row.sku, row.lot, row.expiry}] += row.on_hand;
    }
    std::map<StockKey, int64_t> counted;
    for (const auto& line : tasks_.lines()) {
        counted[{line.sku, line.lot, line.expiry}] += line.quantity;
    }
    std::map<StockKey, int64_t> differences;
    for (const auto& [key, n] : counted) {
        differences[key] = n - (books.count(key) ? books[key] : 0);
    }
    for (const auto& [key, n] : books) {
        if (!counted.count(key)) {
            differences[key] = -n;
        }
    }
    std::erase_if(differences, [](const auto& kv) { return kv.second == 0; });
    std::string beyond;
    for (const auto& [key, d] : differences) {
        if (std::llabs(d) > options_.recount_threshold) {
            beyond += (beyond.empty() ? "" : ", ") + std::get<0>(key);
        }
    }
    Transaction tx(store_.db());
    if (!beyond.empty() && task.attempt == 0) {
        // Blind: which products differ, never by how much, so the recount is a count and not a copy.
        Task t = task;
        t.attempt = 1;
        t.step = kRecount;
        t.next_quantity = 0;
        tasks_.save(t);
        tasks_.clear_lines();
        tx.commit();
        log::info("station " + name_ + ": count of " + task.reference + " differs on " + beyond +
                  "; recount asked");
        return reply(true, "the count differs from the books on " + beyond + ": count " + task.reference +
                               " again from the start, then DONE");
    }
    std::string booked;
    for (const auto& [key, d] : differences) {
        const auto& [sku, lot, expiry] = key;
        Movement where = movement(sku, task.reference, 0, MovementReason::count, "count " + task.reference);
        where.lot = lot;
        where.expiry = expiry;
        where.note = task.attempt > 0 ? "cycle count, recounted" : "cycle count";
        if (auto done = inventory_.count(where, counted.count(key) ? counted[key] : 0); !done) {
            tx.rollback();
            return reply(false, "nothing booked: " + done.error().message);
        }
        booked += (booked.empty() ? "" : ", ") + key_text(key) + " " + (d > 0 ? "+" : "") + std::to_string(d);
    }
    tasks_.close();
    // The location is counted now: what a short pick asked for is done.
    store_.db().cached("DELETE FROM count_tasks WHERE location = ?").bind(1, task.reference).run();
    tx.commit();
    const std::string message = booked.empty() ? task.reference + " counted: as the books say"
                                               : task.reference + " counted: " + booked + " booked";
    log::notice("station " + name_ + ": " + message);
    return reply(true, message);
}

}  // namespace packd::fulfillment
