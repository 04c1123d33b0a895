#pragma once
// A pick station: the picker gathers one order or a wave of them into totes. Each order scanned joins the
// wave and asks for its tote; DONE (or the first location or item scan) starts picking: packd walks the
// bins in location order, earliest expiry first, and every reply names the next stop ("go to A-01-02:
// pick 2 x MUG for TOTE-3"). At a stop the picker scans the location, then the items; each unit picked is
// moved from the bin to PACKING for its order. SHORT at a stop holds that order with the reason, raises a
// short_pick alert and leaves a count task for the location; the rest of the wave goes on. When every line
// is picked or short, the totes go to packing, where scanning a tote opens its order.
//
//   idle --order--> tote --tote--> orders --order--> tote ...
//   orders --DONE, location or item--> picking --location, item, SHORT--> picking ... --last line--> idle

#include <memory>

#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/stations/task_station.hpp"

namespace packd::fulfillment {

class PickWave;
struct WalkLine;

class PickStation final : public TaskStation {
  public:
    PickStation(Store& store, Inventory& inventory, OrderBook& orders, Topics topics, std::string name,
                TaskStationOptions options);
    ~PickStation() override;
    StationMode mode() const override { return StationMode::pick; }

  private:
    StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) override;
    std::string idle_next() const override { return "scan an order to pick"; }
    std::vector<TaskLineView> shown(const Task& task) const override;
    /// While the wave is being built the last order (and its tote) leaves it; a pick is never taken back.
    StationReply undo(const Task& task) override;
    /// Only before picking starts: the wave is dropped, nothing was moved.
    StationReply cancel(const Task& task) override;
    /// The wave's totes and walk, and the count tasks short picks left.
    void add_to_view(nlohmann::json& view) const override;

    /// The order a scan names: our order barcode, with or without its prefix, or the shop's plain number.
    std::optional<std::string> find_order(const ScanEvent& scan);
    StationReply building(const ScanEvent& scan, const std::optional<Task>& task);
    StationReply join(const std::optional<Task>& task, const std::string& order_id);
    StationReply tote(const Task& task, const std::string& tote);
    StationReply start(const Task& task);
    StationReply picking(const ScanEvent& scan, const Task& task);
    StationReply at_location(const Task& task, const std::string& location);
    StationReply item(const Task& task, const ScanEvent& scan);
    StationReply short_pick(const Task& task);
    /// Saves the task at the next stop, or ends the wave when none is left, and says what comes next after
    /// `said`; inside the caller's transaction.
    StationReply next_stop(Task task, std::string said);
    /// In a transaction: the open lines of orders no longer picking (cancelled by the shop) leave the walk
    /// and their totes are freed; what to tell the picker, empty when none left.
    std::string drop_gone();
    /// "go to A-01-02: pick 2 x MUG for TOTE-3"
    std::string stop_text(const WalkLine& line) const;
    /// "pick 2 x MUG for TOTE-3"
    std::string pick_text(const WalkLine& line) const;
    std::string tote_text(const std::string& order_id) const;
    /// In a transaction: holds an order the walk cannot fill and frees its tote.
    Status hold(const std::string& order_id, const std::string& reason);

    OrderBook& orders_;
    Topics topics_;
    std::unique_ptr<PickWave> wave_;
};

}  // namespace packd::fulfillment
