#pragma once
// The task a receive, put-away, count or returns station has open, and the lines scanned into it, as the
// store keeps them (station_tasks, station_task_lines): one row per station, so a restart resumes where the
// operator was. Writes are "in a transaction": the caller's step is one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packd/fulfillment/stations/station.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

struct Task {
    StationMode mode = StationMode::receive;
    std::string reference;      ///< the receipt, the product, the counted location, the RMA; empty when none
    std::string step;           ///< what the station waits for next, in the mode's words
    int64_t next_quantity = 0;  ///< set by a QTY or keypad scan: the next item scan counts this many
    std::string pending;        ///< a mode's item waiting for its second scan (a location, a condition)
    int64_t attempt = 0;        ///< count: how many times the location was counted and refused
};

struct TaskLine {
    int64_t id = 0;
    std::string sku;
    int64_t quantity = 0;
    std::string lot;
    std::string expiry;
    std::string condition;
    std::string location;  ///< returns: where the item went; empty when it went nowhere (scrap)
    std::string code;      ///< what was scanned
};

class StationTasks {
  public:
    StationTasks(Store& store, std::string station) : store_(store), station_(std::move(station)) {}

    std::optional<Task> task() const;
    /// In a transaction: writes the task, keeping the lines it has.
    void save(const Task& task);
    /// In a transaction: the task and its lines are gone.
    void close();
    std::vector<TaskLine> lines() const;
    /// In a transaction; the task must exist.
    void add(const TaskLine& line, const std::string& device);
    /// In a transaction: removes the newest line and returns it; nothing when there is none.
    std::optional<TaskLine> take_back_last();
    /// In a transaction: every line goes, the task stays.
    void clear_lines();

  private:
    Store& store_;
    std::string station_;
};

}  // namespace packd::fulfillment
