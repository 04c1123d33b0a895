#include "packd/fulfillment/stations/receive_station.hpp"

#include <algorithm>
#include <map>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

namespace {
constexpr const char* kScanning = "scanning";
}  // namespace

ReceiveStation::ReceiveStation(Store& store, Inventory& inventory, Receipts& receipts, std::string name,
                               TaskStationOptions options)
    : TaskStation(store, inventory, std::move(name), std::move(options)), receipts_(receipts) {}

std::optional<Task> ReceiveStation::blank_task() const {
    Task t;
    t.mode = StationMode::receive;
    t.step = kScanning;
    return t;
}

std::vector<TaskLineView> ReceiveStation::shown(const Task& task) const {
    std::vector<TaskLineView> out = summed(tasks_.lines());
    if (task.reference.empty()) {
        return out;
    }
    // The delivery's lines first, in its order, each with what was expected; then what it did not announce.
    std::vector<TaskLineView> announced;
    for (const auto& line : receipts_.lines_of(task.reference)) {
        TaskLineView v{line.sku, 0, line.expected, {}, {}, {}};
        for (const auto& got : out) {
            if (got.sku == line.sku) {
                v.quantity += got.quantity;
            }
        }
        announced.push_back(v);
    }
    for (const auto& got : out) {
        if (std::none_of(announced.begin(), announced.end(),
                         [&](const auto& a) { return a.sku == got.sku; })) {
            TaskLineView v = got;
            v.expected = 0;
            announced.push_back(v);
        }
    }
    return announced;
}

StationReply ReceiveStation::handle(const ScanEvent& scan, const std::optional<Task>& task) {
    const ScanMeaning& m = scan.meaning;
    if (m.kind == ScanKind::product && !m.sku.empty()) {
        return add(task, scan);
    }
    if (m.kind == ScanKind::command && m.code == "DONE") {
        if (!task || tasks_.lines().empty()) {
            return reply(false, "nothing received yet: scan the products first, then DONE");
        }
        return book(*task);
    }
    // The delivery's papers carry the shop's id as it was published, whatever else the code looks like.
    const std::string bare(split_symbology(scan.raw).second);
    if (const auto state = receipts_.state_of(bare)) {
        if (task && !task->reference.empty() && task->reference != bare) {
            return reply(false,
                         "delivery " + task->reference + " is open: finish it with DONE or CANCEL first");
        }
        if (task && task->reference.empty() && !tasks_.lines().empty()) {
            return reply(false, "products of a delivery without papers are scanned: DONE or CANCEL first");
        }
        if (*state != "expected") {
            return reply(false, "delivery " + bare + " is " + *state + ", not expected: nothing to receive");
        }
        return open_delivery(bare);
    }
    return refuse_scan(m, ": put it aside for the office; nothing booked", "at a receive station",
                       "scan the delivery, products, a quantity or DONE");
}

StationReply ReceiveStation::open_delivery(const std::string& receipt) {
    Task t = tasks_.task().value_or(*blank_task());
    t.reference = receipt;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    log::info("station " + name_ + ": receiving delivery " + receipt);
    return reply(true, "receiving delivery " + receipt + ": scan its products");
}

StationReply ReceiveStation::add(std::optional<Task> task, const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    Task t = task.value_or(*blank_task());
    const TaskLine line = item_line(t, m);
    const int64_t units = line.quantity;
    t.next_quantity = 0;
    Transaction tx(store_.db());
    tasks_.save(t);
    tasks_.add(line, scan.device);
    tx.commit();
    std::string message = "+" + std::to_string(units) + " " + m.sku;
    if (!line.lot.empty()) {
        message += " lot " + line.lot;
    }
    if (!line.expiry.empty()) {
        message += " expiring " + line.expiry;
    }
    if (!t.reference.empty()) {
        const auto lines = receipts_.lines_of(t.reference);
        if (std::none_of(lines.begin(), lines.end(), [&](const auto& l) { return l.sku == m.sku; })) {
            message += " (not on delivery " + t.reference + ": it is reported as a difference)";
        }
    }
    return reply(true, message, "scan the next product, or DONE when the delivery is in");
}

StationReply ReceiveStation::book(const Task& task) {
    const auto lines = tasks_.lines();
    const std::string reference = task.reference.empty() ? "receive at " + name_ : task.reference;
    std::map<std::string, int64_t> received;
    Transaction tx(store_.db());
    for (const auto& line : lines) {
        Movement mv = movement(line.sku, options_.receiving_location, line.quantity, MovementReason::receive,
                               reference);
        mv.lot = line.lot;
        mv.expiry = line.expiry;
        if (auto booked = inventory_.record(mv); !booked) {
            tx.rollback();
            return reply(false, "nothing booked: " + booked.error().message);
        }
        received[line.sku] += line.quantity;
    }
    if (!task.reference.empty()) {
        receipts_.report(task.reference, received, name_, shift_badge(store_, name_));
    }
    tasks_.close();
    tx.commit();
    int64_t units = 0;
    for (const auto& [sku, n] : received) {
        units += n;
    }
    std::string message = "received " + std::to_string(units) + " unit(s) of " +
                          std::to_string(received.size()) + " product(s) into " + options_.receiving_location;
    if (!task.reference.empty()) {
        message += " against delivery " + task.reference + "; the shop has the differences";
    }
    log::notice("station " + name_ + ": " + message);
    return reply(true, message, "put the goods away, or scan the next delivery");
}

}  // namespace packd::fulfillment
