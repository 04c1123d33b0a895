#include "packd/fulfillment/stations/task_station.hpp"

#include <algorithm>

#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

using nlohmann::json;

namespace {

/// Six digits: more units than any one scan counts, and no overflow when keys are typed on.
constexpr int64_t kMaxQuantity = 999999;

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<QuantityCommand> quantity_command(std::string_view word) {
    if (word.size() == 4 && word.starts_with("KEY") && all_digits(word.substr(3))) {
        return QuantityCommand{true, word[3] - '0'};
    }
    if (word.size() > 3 && word.size() <= 9 && word.starts_with("QTY") && all_digits(word.substr(3))) {
        return QuantityCommand{false, std::stoll(std::string(word.substr(3)))};
    }
    return std::nullopt;
}

TaskStation::TaskStation(Store& store, Inventory& inventory, std::string name, TaskStationOptions options)
    : store_(store),
      inventory_(inventory),
      name_(std::move(name)),
      options_(std::move(options)),
      tasks_(store_, name_) {}

TaskStation::~TaskStation() = default;

StationReply TaskStation::on_scan(const ScanEvent& scan) {
    StationReply r = [&] {
        const auto task = tasks_.task();
        const ScanMeaning& m = scan.meaning;
        if (task && task->mode != mode()) {
            // Left open when the config moved the station to another mode: finished there, or dropped here.
            if (m.kind == ScanKind::command && m.code == "CANCEL") {
                return cancel(*task);
            }
            return reply(false, "a " + std::string(to_string(task->mode)) + " task is open here (" +
                                    task->reference + "): switch back to finish it, or CANCEL it");
        }
        if (m.kind == ScanKind::command) {
            if (auto q = quantity_command(m.code)) {
                return quantity(task, *q);
            }
            if (m.code == "CANCEL") {
                return task ? cancel(*task) : reply(false, "nothing open to cancel", idle_next());
            }
            if (m.code == "UNDO") {
                return task ? undo(*task) : reply(false, "nothing scanned to take back", idle_next());
            }
        }
        return handle(scan, task);
    }();
    r.scan = printable(scan.raw.substr(0, 128));
    recent_.push_back(r);
    while (recent_.size() > options_.history) {
        recent_.pop_front();
    }
    return r;
}

StationReply TaskStation::quantity(const std::optional<Task>& task, const QuantityCommand& q) {
    std::optional<Task> t = task ? task : blank_task();
    if (!t) {
        return reply(false, "a quantity counts the next item: " + idle_next() + " first");
    }
    t->next_quantity = q.digit ? t->next_quantity * 10 + q.value : q.value;
    if (t->next_quantity > kMaxQuantity) {
        return reply(false, "a quantity above " + std::to_string(kMaxQuantity) +
                                " is not taken; scan QTY with the quantity again");
    }
    Transaction tx(store_.db());
    tasks_.save(*t);
    tx.commit();
    if (t->next_quantity == 0) {
        return reply(true, "quantity cleared: the next item counts as scanned");
    }
    return reply(true, "the next item scanned counts " + std::to_string(t->next_quantity));
}

StationReply TaskStation::cancel(const Task& task) {
    Transaction tx(store_.db());
    tasks_.close();
    tx.commit();
    return reply(true,
                 std::string(to_string(task.mode)) + (task.reference.empty() ? "" : " of " + task.reference) +
                     " cancelled, nothing booked",
                 idle_next());
}

StationReply TaskStation::undo(const Task& task) {
    Transaction tx(store_.db());
    auto last = tasks_.take_back_last();
    Task t = task;
    t.next_quantity = 0;
    tasks_.save(t);
    tx.commit();
    if (!last) {
        return reply(false, "nothing scanned to take back");
    }
    return reply(true, "took back " + std::to_string(last->quantity) + " x " + last->sku);
}

std::vector<TaskLineView> TaskStation::summed(const std::vector<TaskLine>& lines) {
    std::vector<TaskLineView> out;
    for (const auto& l : lines) {
        auto same = std::find_if(out.begin(), out.end(), [&](const TaskLineView& v) {
            return v.sku == l.sku && v.lot == l.lot && v.expiry == l.expiry && v.condition == l.condition;
        });
        if (same == out.end()) {
            out.push_back({l.sku, l.quantity, std::nullopt, l.lot, l.expiry, l.condition});
        } else {
            same->quantity += l.quantity;
        }
    }
    return out;
}

std::vector<TaskLineView> TaskStation::shown(const Task&) const {
    return summed(tasks_.lines());
}

std::string TaskStation::suggested_bin(const std::string& sku) const {
    std::string best;
    int64_t most = 0;
    for (const auto& row : inventory_.level(sku).rows) {
        if (row.on_hand > most && inventory_.location_kind(row.location) == "bin") {
            best = row.location;
            most = row.on_hand;
        }
    }
    return best;
}

StationReply TaskStation::reply(bool ok, std::string message, std::string next) const {
    StationReply r;
    r.ok = ok;
    r.mode = mode();
    r.message = std::move(message);
    r.step = "idle";
    if (const auto t = tasks_.task()) {
        r.step = t->step;
        r.task = t->reference;
        r.lines = shown(*t);
    }
    r.next = next.empty() && r.step == "idle" ? idle_next() : std::move(next);
    return r;
}

int64_t TaskStation::units_of(const Task& task, const ScanMeaning& item) {
    if (task.next_quantity > 0) {
        return task.next_quantity;
    }
    if (item.gs1) {
        // (30) counts the trade item's own units; (37) counts the trade items (02) names inside a
        // logistic unit, each of which may be a case of several.
        if (item.gs1->count && *item.gs1->count > 0) {
            return *item.gs1->count;
        }
        if (item.gs1->content_count && *item.gs1->content_count > 0) {
            return *item.gs1->content_count * std::max<int64_t>(item.pack_qty, 1);
        }
    }
    return std::max<int64_t>(item.pack_qty, 1);
}

TaskLine TaskStation::item_line(const Task& task, const ScanMeaning& item) {
    TaskLine line;
    line.sku = item.sku;
    line.quantity = units_of(task, item);
    line.code = item.code;
    if (item.gs1) {
        line.lot = item.gs1->lot;
        line.expiry = item.gs1->expiry;
    }
    return line;
}

StationReply TaskStation::refuse_scan(const ScanMeaning& m, const std::string& unknown_product,
                                      const std::string& where, const std::string& what_instead) const {
    if (m.kind == ScanKind::product) {
        return reply(false, "product " + printable(m.code.substr(0, 64)) + " is not in the catalogue" +
                                unknown_product);
    }
    if (m.kind == ScanKind::invalid) {
        return reply(false, m.reason);
    }
    return reply(
        false, std::string("a ") + to_string(m.kind) + " scan means nothing " + where + ": " + what_instead);
}

Movement TaskStation::movement(const std::string& sku, const std::string& location, int64_t delta,
                               MovementReason reason, const std::string& reference) const {
    Movement m;
    m.sku = sku;
    m.location = location;
    m.delta = delta;
    m.reason = reason;
    m.reference = reference;
    m.station = name_;
    m.operator_name = shift_badge(store_, name_);
    return m;
}

json TaskStation::view() const {
    json j = to_json(reply(true, ""));
    j.erase("ok");
    j.erase("message");
    j.erase("scan");
    j["station"] = name_;
    if (const auto t = tasks_.task(); t && t->next_quantity > 0) {
        j["next_quantity"] = t->next_quantity;
    }
    if (const std::string badge = shift_badge(store_, name_); !badge.empty()) {
        j["operator"] = badge;
    }
    json recent = json::array();
    for (const auto& r : recent_) {
        recent.push_back(to_json(r));
    }
    j["recent"] = recent;
    add_to_view(j);
    return j;
}

}  // namespace packd::fulfillment
