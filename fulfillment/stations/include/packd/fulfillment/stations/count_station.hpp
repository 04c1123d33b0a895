#pragma once
// A count station (cycle count): the operator scans a location, then everything in it, and DONE. The count
// is blind unless the config says otherwise: the expected quantities are never shown while counting. When
// the count differs from the books by more than the threshold on any product, the location is counted
// again before anything is booked; the second count is booked. Booking sets each product's stock in the
// location to what was counted, with a count movement of the difference signed by the station and its
// operator; the shop receives the new levels as after any change.
//
//   idle --location--> counting --DONE, within threshold--> idle (booked)
//                         \--DONE, beyond--> recount --DONE--> idle (booked)

#include "packd/fulfillment/stations/task_station.hpp"

namespace packd::fulfillment {

class CountStation final : public TaskStation {
  public:
    CountStation(Store& store, Inventory& inventory, std::string name, TaskStationOptions options);
    StationMode mode() const override { return StationMode::count; }

  private:
    StationReply handle(const ScanEvent& scan, const std::optional<Task>& task) override;
    std::string idle_next() const override { return "scan the location to count"; }
    std::vector<TaskLineView> shown(const Task& task) const override;

    StationReply open(const std::string& location);
    StationReply add(const Task& task, const ScanEvent& scan);
    StationReply done(const Task& task);
};

}  // namespace packd::fulfillment
