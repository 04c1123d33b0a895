#pragma once
// A pick station's wave as the store keeps it (pick_totes, pick_lines), and the walk through the bins that
// fills it. Writes are "in a transaction": the caller's step is one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// A tote and the order it holds, in the order the orders joined the wave.
struct PickTote {
    std::string tote;
    std::string order_id;
    int64_t seq = 0;
};

/// Where a tote is: the order it holds, the station that picks (or picked) it, and whether it waits for
/// a pack station.
struct ToteHolder {
    std::string order_id;
    std::string station;
    bool to_pack = false;
};

/// One stop of the walk: this many of a SKU from one stock row, into the tote of one order.
struct WalkLine {
    int64_t seq = 0;
    std::string order_id;
    std::string sku;
    std::string location;
    std::string lot;
    std::string expiry;
    int64_t wanted = 0;
    int64_t picked = 0;
    std::string state = "open";  ///< open, picked, short, or dropped (its order was held or cancelled)
};

/// What one order asks for, summed per SKU in the order of its lines.
struct PickOrder {
    std::string order_id;
    std::vector<OrderQuantity> lines;
};

/// The walk for a wave: per order line, the bin rows to take from (earliest expiry first, then by
/// location), each row shared out among the orders in the order they joined; the lines sorted by location.
/// An order the bins cannot fill gets no lines and is named in `unfilled` with the reason.
struct PickWalk {
    std::vector<WalkLine> lines;
    std::vector<std::pair<std::string, std::string>> unfilled;  ///< order, reason
};
PickWalk plan_walk(Inventory& inventory, const std::vector<PickOrder>& orders);

class PickWave {
  public:
    PickWave(Store& store, std::string station) : store_(store), station_(std::move(station)) {}

    std::vector<PickTote> totes() const;
    std::optional<std::string> tote_of(const std::string& order_id) const;
    std::optional<ToteHolder> holder(const std::string& tote) const;
    /// In a transaction.
    void add_tote(const std::string& tote, const std::string& order_id);
    /// In a transaction: the order's tote is free again.
    void release(const std::string& order_id);

    std::vector<WalkLine> lines() const;
    /// In a transaction.
    void add_lines(const std::vector<WalkLine>& lines);
    /// In a transaction.
    void set_line(int64_t seq, int64_t picked, const std::string& state);
    /// In a transaction: the order's open lines leave the walk.
    void drop_open_lines(const std::string& order_id);
    /// In a transaction: the totes wait for a pack station, the walk is gone.
    void hand_to_pack();
    /// In a transaction: the station's totes still in the wave, and its walk, are gone.
    void clear();

  private:
    Store& store_;
    std::string station_;
};

}  // namespace packd::fulfillment
