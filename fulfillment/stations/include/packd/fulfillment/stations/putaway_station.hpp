#pragma once
// A put-away station: received goods go from the receiving location to their shelf. The operator scans a
// product (a QTY scan first moves only that many, otherwise everything of it waiting in receiving), packd
// suggests the bin that already holds most of it, and the scan of the destination moves the stock: a
// transfer out of receiving and into the bin in the ledger, earliest expiry first, in one transaction.
//
//   idle --product--> location --location--> idle (moved)

#include "packd/fulfillment/stations/task_station.hpp"

namespace packd::fulfillment {

class PutawayStation final : public TaskStation {
  public:
    PutawayStation(Store& store, Inventory& inventory, std::string name, TaskStationOptions options);
    StationMode mode() const override { return StationMode::putaway; }

  private:
    StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) override;
    std::string idle_next() const override {
        return "scan a product waiting in " + options_.receiving_location;
    }
    std::optional<Task> blank_task() const override;
    std::vector<TaskLineView> shown(const Task& task) const override;
    StationReply undo(const Task& task) override;

    StationReply take(std::optional<Task> task, const ScanMeaning& item);
    StationReply put(const Task& task, const std::string& location);
    /// Units of `sku` in the receiving location.
    int64_t waiting(const std::string& sku);
};

}  // namespace packd::fulfillment
