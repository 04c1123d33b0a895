#pragma once
// What the pick, receive, put-away, count and returns stations share: their task in the store, the quantity
// an item scan counts (a QTY or keypad scan before it, a GS1 count, a case's pack quantity), UNDO and CANCEL,
// the replies kept for the screen, and movements signed with the station and its operator. Each mode adds
// its own steps in `handle`.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/stations/station.hpp"
#include "packd/fulfillment/stations/station_task.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

struct TaskStationOptions {
    /// Where received goods are booked in, and where put-away takes them from.
    std::string receiving_location = "RECEIVING";
    /// Count: the expected quantity is never shown while counting.
    bool blind_count = true;
    /// Count: a difference of more units than this (on any SKU) asks for a recount before it is booked.
    int64_t recount_threshold = 0;
    /// Pick: the prefix our own order barcodes carry ("ORD-"); an order number is found with or without it.
    std::string order_prefix = "ORD-";
    /// Pick: each stop's location is scanned before its items; false: the item scan is enough.
    bool pick_scan_location = true;
    /// Replies kept for the station screen and `packctl station`.
    std::size_t history = 20;
};

/// A quantity command: "QTY12" sets the next item scan's units; "KEY1" ... "KEY0" type them one digit at a
/// time from a printed keypad. Nothing for any other word.
struct QuantityCommand {
    bool digit = false;  ///< a keypad key: appends to the quantity typed so far
    int64_t value = 0;
};
std::optional<QuantityCommand> quantity_command(std::string_view word);

class TaskStation : public Station {
  public:
    ~TaskStation() override;
    TaskStation(const TaskStation&) = delete;
    TaskStation& operator=(const TaskStation&) = delete;

    StationReply on_scan(const ScanEvent& scan) final;
    nlohmann::json view() const final;
    bool busy() const final { return tasks_.task().has_value(); }
    const std::string& name() const { return name_; }
    void set_options(TaskStationOptions options) { options_ = std::move(options); }

  protected:
    TaskStation(Store& store, Inventory& inventory, std::string name, TaskStationOptions options);

    /// The mode's own answer to a scan the shared steps (quantities, UNDO, CANCEL) did not take.
    virtual StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) = 0;
    /// What an idle station asks for, e.g. "scan a delivery or a product".
    virtual std::string idle_next() const = 0;
    /// The task a quantity scan opens when none is open; nothing: a quantity needs an open task first.
    virtual std::optional<Task> blank_task() const { return std::nullopt; }
    /// The lines as the operator sees them; by default the scanned lines summed per SKU, lot, expiry and
    /// condition.
    virtual std::vector<TaskLineView> shown(const Task& task) const;
    /// UNDO: by default the newest line is taken back.
    virtual StationReply undo(const Task& task);
    /// CANCEL: by default the task and its lines go, nothing booked.
    virtual StationReply cancel(const Task& task);
    /// What a mode adds to the station's view beyond its task and lines.
    virtual void add_to_view(nlohmann::json& /*view*/) const {}

    StationReply reply(bool ok, std::string message, std::string next = "") const;
    /// The units an item scan counts: a quantity scanned before it, else a GS1 count (AI 30 in units; AI 37
    /// in the contained trade items, times their pack quantity), else the code's pack quantity.
    static int64_t units_of(const Task& task, const ScanMeaning& item);
    /// The line an item scan adds: its SKU, code and units (units_of), with the GS1 lot and expiry it
    /// carries.
    static TaskLine item_line(const Task& task, const ScanMeaning& item);
    /// The refusal of a scan the mode takes no step for: a product not in the catalogue (`unknown_product`
    /// ends that sentence), an unreadable code (its reason), or a kind of code that means nothing `where`
    /// ("at a count station"), followed by `what_instead`.
    StationReply refuse_scan(const ScanMeaning& m, const std::string& unknown_product,
                             const std::string& where, const std::string& what_instead) const;
    /// A movement made at this station, signed with its operator's badge.
    Movement movement(const std::string& sku, const std::string& location, int64_t delta,
                      MovementReason reason, const std::string& reference) const;
    /// The lines summed per SKU, lot, expiry and condition, in the order first scanned.
    static std::vector<TaskLineView> summed(const std::vector<TaskLine>& lines);
    /// The bin holding most of `sku`, where more of it is shelved; empty when no bin holds it.
    std::string suggested_bin(const std::string& sku) const;

    Store& store_;
    Inventory& inventory_;
    std::string name_;
    TaskStationOptions options_;
    StationTasks tasks_;

  private:
    StationReply quantity(const std::optional<Task>& task, const QuantityCommand& q);

    std::deque<StationReply> recent_;
};

}  // namespace packd::fulfillment
