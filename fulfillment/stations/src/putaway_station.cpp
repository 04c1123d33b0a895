#include "packd/fulfillment/stations/putaway_station.hpp"

#include <algorithm>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

namespace {
constexpr const char* kProduct = "product";
constexpr const char* kLocation = "location";
}  // namespace

PutawayStation::PutawayStation(Store& store, Inventory& inventory, std::string name,
                               TaskStationOptions options)
    : TaskStation(store, inventory, std::move(name), std::move(options)) {}

std::optional<Task> PutawayStation::blank_task() const {
    Task t;
    t.mode = StationMode::putaway;
    t.step = kProduct;
    return t;
}

std::vector<TaskLineView> PutawayStation::shown(const Task& task) const {
    if (task.reference.empty()) {
        return {};
    }
    // `pending` holds the units being moved.
    return {
        TaskLineView{task.reference, std::stoll(task.pending.empty() ? "0" : task.pending), {}, {}, {}, {}}};
}

int64_t PutawayStation::waiting(const std::string& sku) {
    int64_t units = 0;
    for (const auto& row : inventory_.level(sku).rows) {
        if (row.location == options_.receiving_location) {
            units += row.on_hand;
        }
    }
    return units;
}

StationReply PutawayStation::handle(const ScanEvent& scan, const std::optional<Task>& task) {
    const ScanMeaning& m = scan.meaning;
    const bool holding = task && task->step == kLocation;
    if (m.kind == ScanKind::product && !m.sku.empty()) {
        if (holding) {
            return reply(false, "scan the location for " + task->reference + " first, or UNDO");
        }
        return take(task, m);
    }
    if (m.kind == ScanKind::location) {
        if (!holding) {
            return reply(false, "scan the product first, then where it goes", idle_next());
        }
        return put(*task, m.code);
    }
    return refuse_scan(m, "", "at a put-away station",
                       holding ? "scan the location for " + task->reference : idle_next());
}

StationReply PutawayStation::take(std::optional<Task> task, const ScanMeaning& item) {
    Task t = task.value_or(*blank_task());
    const int64_t there = waiting(item.sku);
    const int64_t units = t.next_quantity > 0 ? t.next_quantity : there;
    if (there <= 0) {
        return reply(false,
                     "no " + item.sku + " waits in " + options_.receiving_location + ": nothing to put away");
    }
    if (units > there) {
        return reply(false, "only " + std::to_string(there) + " x " + item.sku + " wait in " +
                                options_.receiving_location + ", not " + std::to_string(units));
    }
    t.reference = item.sku;
    t.pending = std::to_string(units);
    t.step = kLocation;
    t.next_quantity = 0;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    const std::string bin = suggested_bin(item.sku);
    return reply(true, "put away " + std::to_string(units) + " x " + item.sku,
                 bin.empty() ? "scan the bin it goes to (no bin holds " + item.sku + " yet)"
                             : "scan the bin it goes to: " + bin + " holds it already");
}

StationReply PutawayStation::put(const Task& task, const std::string& location) {
    const int64_t units = std::stoll(task.pending);
    if (location == options_.receiving_location) {
        return reply(false, location + " is where the goods come from: scan the bin they go to");
    }
    // Earliest expiry first, then the lots without one, so what runs out first is shelved first.
    auto rows = inventory_.level(task.reference).rows;
    std::erase_if(
        rows, [&](const StockRow& r) { return r.location != options_.receiving_location || r.on_hand <= 0; });
    std::stable_sort(rows.begin(), rows.end(), [](const StockRow& a, const StockRow& b) {
        return !a.expiry.empty() && (b.expiry.empty() || a.expiry < b.expiry);
    });
    int64_t left = units;
    Transaction tx(store_.db());
    for (const auto& row : rows) {
        if (left == 0) {
            break;
        }
        const int64_t take = std::min(left, row.on_hand);
        for (auto [where, delta] : {std::pair{row.location, -take}, std::pair{location, take}}) {
            Movement mv =
                movement(task.reference, where, delta, MovementReason::transfer, "put-away at " + name_);
            mv.lot = row.lot;
            mv.expiry = row.expiry;
            if (auto moved = inventory_.record(mv); !moved) {
                tx.rollback();
                return reply(false, "nothing moved: " + moved.error().message);
            }
        }
        left -= take;
    }
    if (left > 0) {
        tx.rollback();
        return reply(false, "only " + std::to_string(units - left) + " x " + task.reference + " wait in " +
                                options_.receiving_location + " now; scan the product again");
    }
    tasks_.close();
    tx.commit();
    const std::string message = "moved " + std::to_string(units) + " x " + task.reference + " from " +
                                options_.receiving_location + " to " + location;
    log::info("station " + name_ + ": " + message);
    return reply(true, message);
}

StationReply PutawayStation::undo(const Task&) {
    Transaction tx(store_.db());
    tasks_.close();
    tx.commit();
    return reply(true, "put-away taken back, nothing moved");
}

}  // namespace packd::fulfillment
