#pragma once
// A receive station: goods come in from a supplier. The operator may scan the delivery's papers first (an
// expected delivery the shop published on `P/in/receipts`), then every product: one unit per scan, a case
// code its case quantity, GS1 AI 30/37 their count, a QTY or keypad scan before it the quantity typed; lot
// and expiry from GS1 AI 10/17. DONE books it all into the receiving location in one transaction, marks the
// delivery received and reports each line's difference to the shop.
//
//   idle --delivery or product--> scanning --product...--> scanning --DONE--> idle (stock booked, report
//   sent)

#include "packd/fulfillment/inventory/receipts.hpp"
#include "packd/fulfillment/stations/task_station.hpp"

namespace packd::fulfillment {

class ReceiveStation final : public TaskStation {
  public:
    ReceiveStation(Store& store, Inventory& inventory, Receipts& receipts, std::string name,
                   TaskStationOptions options);
    StationMode mode() const override { return StationMode::receive; }

  private:
    StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) override;
    std::string idle_next() const override { return "scan the delivery's papers or the first product"; }
    std::optional<Task> blank_task() const override;
    std::vector<TaskLineView> shown(const Task& task) const override;

    StationReply open_delivery(const std::string& receipt);
    StationReply add(std::optional<Task> task, const ScanEvent& scan);
    StationReply book(const Task& task);

    Receipts& receipts_;
};

}  // namespace packd::fulfillment
