#pragma once
// What every station mode shares: the modes, the reply an operator sees after each scan, and the interface
// the floor (host::StationDesk) drives a station through. A station is in one mode at a time: pack (the
// default), pick, receive, putaway, count or returns. Each mode keeps its progress in the store, so a
// restart resumes where the operator was, and answers every scan with what to do next.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/stations/scan_code.hpp"

namespace packd::fulfillment {

enum class StationMode { pack, pick, receive, putaway, count, returns };

constexpr std::string_view to_string(StationMode mode) {
    switch (mode) {
        case StationMode::pack:
            return "pack";
        case StationMode::pick:
            return "pick";
        case StationMode::receive:
            return "receive";
        case StationMode::putaway:
            return "putaway";
        case StationMode::count:
            return "count";
        case StationMode::returns:
            return "returns";
    }
    return "pack";
}

inline constexpr StationMode kStationModes[] = {StationMode::pack,    StationMode::pick,
                                                StationMode::receive, StationMode::putaway,
                                                StationMode::count,   StationMode::returns};

/// The mode a word names ("pack", "receive" ...); nothing for any other word.
constexpr std::optional<StationMode> station_mode_named(std::string_view word) {
    for (auto mode : kStationModes) {
        if (to_string(mode) == word) {
            return mode;
        }
    }
    return std::nullopt;
}

/// How far the open order is at a pack station: per SKU, how many the order wants and how many are in.
struct PackProgress {
    std::string sku;
    int64_t wanted = 0;
    int64_t packed = 0;
};

/// Where a pack station stands: no order open; an order open and its items being scanned; DONE scanned
/// and the parcel on the scale. The words are the ones the store, the station's JSON and packctl use.
enum class StationState { idle, packing, weighing };

constexpr std::string_view to_string(StationState state) {
    switch (state) {
        case StationState::idle:
            return "idle";
        case StationState::packing:
            return "packing";
        case StationState::weighing:
            return "weighing";
    }
    return "idle";
}

/// The state a word names; nothing for any other word.
constexpr std::optional<StationState> station_state_named(std::string_view word) {
    for (auto state : {StationState::idle, StationState::packing, StationState::weighing}) {
        if (to_string(state) == word) {
            return state;
        }
    }
    return std::nullopt;
}

/// One line of the task a receive, put-away, count or returns station has open, as the operator sees it.
struct TaskLineView {
    std::string sku;
    int64_t quantity = 0;             ///< scanned so far
    std::optional<int64_t> expected;  ///< what the delivery or return announced; never shown by a blind count
    std::string lot;
    std::string expiry;
    std::string condition;  ///< returns: restock, quarantine or scrap
};

/// What the station shows after a scan, or after the weighing a DONE started.
struct StationReply {
    bool ok = true;  ///< false: the scan was refused and changed nothing; `message` says why
    StationMode mode = StationMode::pack;
    StationState state = StationState::idle;  ///< pack: where the station stands
    std::string step;                         ///< the other modes: what the station waits for ("idle" ...)
    std::string order_id;                     ///< pack: the open order, or the one just shipped
    std::string task;     ///< the other modes: the receipt, location, product or RMA the task is about
    std::string message;  ///< one sentence for the operator
    std::string next;     ///< what to scan next, when the message does not end with it
    std::vector<PackProgress> progress;
    std::vector<TaskLineView> lines;
    std::optional<int64_t> weight_g;     ///< the weight an order shipped with
    std::optional<int64_t> shipment_id;  ///< set when the order shipped
    std::string reprint_printer;         ///< set when a label was queued again
    std::string scan;                    ///< the scan's raw data, as read
};
nlohmann::json to_json(const StationReply& reply);

/// A station in one mode, as the floor drives it.
class Station {
  public:
    virtual ~Station() = default;
    virtual StationMode mode() const = 0;
    /// Acts on one scan and returns what the station shows now.
    virtual StationReply on_scan(const ScanEvent& scan) = 0;
    /// Where the station stands: its mode, task and progress, recent replies.
    virtual nlohmann::json view() const = 0;
    /// True while the station has something open (an order, a delivery, a count): a mode switch waits.
    virtual bool busy() const = 0;
};

}  // namespace packd::fulfillment
