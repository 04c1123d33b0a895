#include "packd/fulfillment/stations/returns_station.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

using nlohmann::json;

namespace {

constexpr const char* kItems = "items";
constexpr const char* kCondition = "condition";
constexpr const char* kLocation = "location";
/// Where items in doubt are set aside; the schema seeds it beside RECEIVING and RETURNS.
constexpr const char* kQuarantine = "QUARANTINE";
constexpr const char* kConditions = "RESTOCK, QUARANTINE or SCRAP";

/// The item scanned and waiting for its condition (and, to restock, its bin), kept in Task::pending so a
/// restart between the two scans keeps it.
struct Pending {
    std::string sku;
    int64_t quantity = 0;
    std::string code;
    std::string device;
};

std::string pending_text(const Pending& p) {
    return json{{"sku", p.sku}, {"quantity", p.quantity}, {"code", p.code}, {"device", p.device}}.dump();
}

std::optional<Pending> pending_of(const Task& task) {
    const json j = json::parse(task.pending, nullptr, false);
    if (!j.is_object() || !j.contains("sku") || !j.contains("quantity")) {
        return std::nullopt;
    }
    return Pending{j.value("sku", ""), j.value("quantity", int64_t{0}), j.value("code", ""),
                   j.value("device", "")};
}

std::optional<ReturnCondition> condition_command(const ScanMeaning& m) {
    if (m.kind != ScanKind::command) {
        return std::nullopt;
    }
    for (auto [word, c] :
         {std::pair{"RESTOCK", ReturnCondition::restock},
          std::pair{"QUARANTINE", ReturnCondition::quarantine}, std::pair{"SCRAP", ReturnCondition::scrap}}) {
        if (m.code == word) {
            return c;
        }
    }
    return std::nullopt;
}

std::string units(int64_t quantity, const std::string& sku) {
    return std::to_string(quantity) + " x " + sku;
}

}  // namespace

ReturnsStation::ReturnsStation(Store& store, Inventory& inventory, ReturnDesk& returns, std::string name,
                               TaskStationOptions options)
    : TaskStation(store, inventory, std::move(name), std::move(options)), returns_(returns) {}

std::vector<ReturnedItem> ReturnsStation::items() const {
    std::vector<ReturnedItem> out;
    for (const auto& line : tasks_.lines()) {
        out.push_back({line.sku, line.quantity,
                       return_condition_named(line.condition).value_or(ReturnCondition::scrap), line.location,
                       false});
    }
    return out;
}

std::vector<TaskLineView> ReturnsStation::shown(const Task& task) const {
    // The return's lines first, in the shop's order, each with what it asked for and what came so far; then
    // what it did not announce, by condition.
    const auto lines = returns_.lines_of(task.reference);
    const auto sorted = against_return(lines, items());
    std::vector<TaskLineView> out;
    for (const auto& line : lines) {
        auto same =
            std::find_if(out.begin(), out.end(), [&](const TaskLineView& v) { return v.sku == line.sku; });
        if (same == out.end()) {
            out.push_back({line.sku, line.received, line.quantity, {}, {}, {}});
        } else {
            same->quantity += line.received;
            *same->expected += line.quantity;
        }
    }
    for (const auto& item : sorted) {
        const std::string condition(to_string(item.condition));
        if (item.expected) {
            auto v = std::find_if(out.begin(), out.end(),
                                  [&](const TaskLineView& l) { return l.sku == item.sku; });
            if (v != out.end()) {
                v->quantity += item.quantity;
            }
            continue;
        }
        auto v = std::find_if(out.begin(), out.end(), [&](const TaskLineView& l) {
            return l.sku == item.sku && l.expected == 0 && l.condition == condition;
        });
        if (v == out.end()) {
            out.push_back({item.sku, item.quantity, 0, {}, {}, condition});
        } else {
            v->quantity += item.quantity;
        }
    }
    return out;
}

std::optional<std::string> ReturnsStation::return_named(const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    if (m.kind == ScanKind::rma && returns_.state_of(m.code)) {
        return m.code;
    }
    // A return label's number or an RMA the shop prints in its own format: the bare code, as published.
    const std::string bare(split_symbology(scan.raw).second);
    if (returns_.state_of(bare)) {
        return bare;
    }
    return returns_.rma_with_tracking(bare);
}

StationReply ReturnsStation::handle(const ScanEvent& scan, const std::optional<Task>& task) {
    const ScanMeaning& m = scan.meaning;
    const auto condition_word = condition_command(m);
    const bool done = m.kind == ScanKind::command && m.code == "DONE";
    const auto waiting = task ? pending_of(*task) : std::nullopt;
    if (!task) {
        if (done) {
            return reply(false, "nothing received yet: scan the return label or the RMA first");
        }
        if ((m.kind == ScanKind::product && !m.sku.empty()) || m.kind == ScanKind::location ||
            condition_word) {
            return reply(false, "scan the return label or the RMA first, then its items");
        }
    } else if (task->step == kCondition || task->step == kLocation) {
        const std::string what = waiting ? units(waiting->quantity, waiting->sku) : "the item";
        if (condition_word) {
            return condition(*task, *condition_word);
        }
        if (task->step == kLocation && m.kind == ScanKind::location) {
            return restock_to(*task, m.code);
        }
        if (task->step == kLocation) {
            return reply(false, "scan the bin " + what + " goes back to, or UNDO");
        }
        if (m.kind == ScanKind::location) {
            return reply(false, "scan the condition of " + what + " first: " + kConditions +
                                    "; the bin comes after RESTOCK");
        }
        return reply(false, "scan the condition of " + what + " first: " + kConditions + ", or UNDO");
    } else {
        if (m.kind == ScanKind::product && !m.sku.empty()) {
            return item(*task, scan);
        }
        if (done) {
            if (tasks_.lines().empty()) {
                return reply(false,
                             "nothing received yet: scan the items of " + task->reference + ", then DONE");
            }
            return book(*task);
        }
        if (m.kind == ScanKind::location || condition_word) {
            return reply(false, "scan the item first, then its condition; a bin only after RESTOCK");
        }
    }
    if (m.kind != ScanKind::command && m.kind != ScanKind::product && m.kind != ScanKind::location) {
        if (const auto rma = return_named(scan)) {
            return open(task, *rma);
        }
    }
    if (m.kind == ScanKind::rma || m.kind == ScanKind::tracking) {
        return reply(false, "no return has " + printable(m.code.substr(0, 64)) +
                                ": not an RMA nor a return label packd knows");
    }
    return refuse_scan(m, ": put it aside for the office; nothing recorded", "at a returns station",
                       "scan the return, its items, their condition or DONE");
}

StationReply ReturnsStation::open(const std::optional<Task>& task, const std::string& rma) {
    if (task) {
        if (task->reference == rma) {
            return reply(true, "return " + rma + " is open already: scan its items");
        }
        return reply(false, "return " + task->reference + " is open: finish it with DONE or CANCEL first");
    }
    const std::string state = returns_.state_of(rma).value_or("unknown");
    if (state != "requested" && state != "approved") {
        return reply(false,
                     "return " + rma + " is " + state + ", not requested or approved: nothing to receive");
    }
    Task t;
    t.mode = StationMode::returns;
    t.reference = rma;
    t.step = kItems;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    int64_t expected = 0;
    for (const auto& line : returns_.lines_of(rma)) {
        expected += line.quantity - line.received;
    }
    log::info("station " + name_ + ": receiving return " + rma);
    return reply(true, "return " + rma + ": " + std::to_string(expected) + " item(s) expected; scan each one",
                 "scan an item of the parcel");
}

StationReply ReturnsStation::item(const Task& task, const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    const int64_t quantity = units_of(task, m);
    const int64_t open =
        std::max<int64_t>(still_expected(returns_.lines_of(task.reference), items(), m.sku), 0);
    Task t = task;
    t.pending = pending_text({m.sku, quantity, m.code, scan.device});
    t.step = kCondition;
    t.next_quantity = 0;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    std::string message = units(quantity, m.sku);
    // Never taken in silently as what the shop refunds: the operator reads it before giving the condition.
    if (open == 0) {
        message += ": not expected in " + task.reference + ": recorded as unexpected";
    } else if (quantity > open) {
        message += ": only " + std::to_string(open) + " expected in " + task.reference + ": " +
                   std::to_string(quantity - open) + " recorded as unexpected";
    }
    return reply(true, message, std::string("scan its condition: ") + kConditions);
}

StationReply ReturnsStation::condition(const Task& task, ReturnCondition condition) {
    const auto waiting = pending_of(task);
    if (!waiting) {
        return reply(false, "no item waits for its condition: scan the item again");
    }
    if (condition == ReturnCondition::quarantine) {
        return take_in(task, condition, kQuarantine);
    }
    if (condition == ReturnCondition::scrap) {
        return take_in(task, condition, "");
    }
    Task t = task;
    t.step = kLocation;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    const std::string bin = suggested_bin(waiting->sku);
    return reply(true, "restock " + units(waiting->quantity, waiting->sku),
                 bin.empty() ? "scan the bin it goes back to (no bin holds " + waiting->sku + " yet)"
                             : "scan the bin it goes back to: " + bin + " holds it already");
}

StationReply ReturnsStation::restock_to(const Task& task, const std::string& location) {
    const auto kind = inventory_.location_kind(location).value_or("unknown");
    if (kind != "bin") {
        // Receiving, packing, returns or quarantine are not where sellable stock is shelved.
        return reply(false, location + " is a " + kind +
                                " location, not a bin: scan the bin it goes back to, " +
                                "or QUARANTINE to set it aside");
    }
    return take_in(task, ReturnCondition::restock, location);
}

StationReply ReturnsStation::take_in(const Task& task, ReturnCondition condition,
                                     const std::string& location) {
    const auto waiting = pending_of(task);
    if (!waiting) {
        return reply(false, "no item waits: scan the item again");
    }
    TaskLine line;
    line.sku = waiting->sku;
    line.quantity = waiting->quantity;
    line.condition = std::string(to_string(condition));
    line.location = location;
    line.code = waiting->code;
    Task t = task;
    t.pending.clear();
    t.step = kItems;
    Transaction tx(store_.db());
    tasks_.save(t);
    tasks_.add(line, waiting->device);
    tx.commit();
    const std::string what = units(line.quantity, line.sku);
    std::string message;
    switch (condition) {
        case ReturnCondition::restock:
            message = what + " back to " + location;
            break;
        case ReturnCondition::quarantine:
            message = what + " set aside in " + location;
            break;
        case ReturnCondition::scrap:
            message = what + " scrapped: recorded, not stocked";
            break;
    }
    return reply(true, message, "scan the next item, or DONE when the parcel is empty");
}

StationReply ReturnsStation::undo(const Task& task) {
    if (task.step != kCondition && task.step != kLocation) {
        return TaskStation::undo(task);
    }
    const auto waiting = pending_of(task);
    Task t = task;
    t.pending.clear();
    t.step = kItems;
    t.next_quantity = 0;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    return reply(true, "put back " + (waiting ? units(waiting->quantity, waiting->sku) : "the item") +
                           ": nothing recorded of it");
}

StationReply ReturnsStation::book(const Task& task) {
    const auto lines = tasks_.lines();
    const std::string badge = shift_badge(store_, name_);
    Transaction tx(store_.db());
    for (const auto& line : lines) {
        if (line.location.empty()) {
            continue;  // scrap: recorded with the return, never stock
        }
        Movement mv =
            movement(line.sku, line.location, line.quantity, MovementReason::return_, task.reference);
        mv.note = line.condition;
        if (auto booked = inventory_.record(mv); !booked) {
            tx.rollback();
            return reply(false, "nothing booked: " + booked.error().message);
        }
    }
    const auto taken = items();
    // Sorted against the lines before the desk counts these items as received on them.
    const auto sorted = against_return(returns_.lines_of(task.reference), taken);
    if (auto received = returns_.receive(task.reference, taken, name_, badge); !received) {
        tx.rollback();
        return reply(false, "nothing booked: " + received.error().message);
    }
    tasks_.close();
    tx.commit();
    int64_t count = 0;
    int64_t unexpected = 0;
    for (const auto& item : sorted) {
        count += item.quantity;
        unexpected += item.expected ? 0 : item.quantity;
    }
    std::string message = "return " + task.reference + " received: " + std::to_string(count) + " item(s)";
    if (unexpected > 0) {
        message += ", " + std::to_string(unexpected) + " of them unexpected";
    }
    message += "; the shop has it for the refund";
    log::notice("station " + name_ + ": " + message);
    return reply(true, message);
}

}  // namespace packd::fulfillment
