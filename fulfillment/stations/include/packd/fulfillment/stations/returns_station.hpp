#pragma once
// A returns station: a customer's parcel comes back. The operator scans its return label (the tracking
// number the return was approved with) or its RMA barcode, then each item and the condition it is in:
// RESTOCK and the bin it goes back to (packd suggests the one holding most of it), QUARANTINE (set aside
// in QUARANTINE to be looked at) or SCRAP (recorded, never stock). An item the return did not announce,
// or more of one than it did, is recorded as unexpected and the screen says so. DONE books it all in one
// transaction: return movements into the locations, the return's receipts, the return marked received
// and its status with every item for the shop to refund.
//
//   idle --label or RMA--> items --product--> condition --RESTOCK--> location --bin--> items
//                                                 \--QUARANTINE or SCRAP----------------> items
//   items --DONE--> idle (booked, status sent)

#include "packd/fulfillment/orders/return_desk.hpp"
#include "packd/fulfillment/stations/task_station.hpp"

namespace packd::fulfillment {

class ReturnsStation final : public TaskStation {
  public:
    ReturnsStation(Store& store, Inventory& inventory, ReturnDesk& returns, std::string name,
                   TaskStationOptions options);
    StationMode mode() const override { return StationMode::returns; }

  private:
    StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) override;
    std::string idle_next() const override { return "scan the return label or the RMA of the parcel"; }
    std::vector<TaskLineView> shown(const Task& task) const override;
    /// In the condition or location step the item waiting is dropped; otherwise the last item taken in.
    StationReply undo(const Task& task) override;

    /// The return a scan names: its RMA barcode, or the tracking number of its return label.
    std::optional<std::string> return_named(const ScanEvent& scan);
    StationReply open(const std::optional<Task>& task, const std::string& rma);
    StationReply item(const Task& task, const ScanEvent& scan);
    StationReply condition(const Task& task, ReturnCondition condition);
    StationReply restock_to(const Task& task, const std::string& location);
    /// Takes the waiting item in with its condition, into `location` (empty: scrap).
    StationReply take_in(const Task& task, ReturnCondition condition, const std::string& location);
    StationReply book(const Task& task);
    /// The items taken in so far, as the return desk books them.
    std::vector<ReturnedItem> items() const;

    ReturnDesk& returns_;
};

}  // namespace packd::fulfillment
