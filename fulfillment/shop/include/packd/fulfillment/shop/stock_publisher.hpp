#pragma once
// Publishes each SKU's stock level to the shop as a retained message, coalesced: the store marks a
// SKU when its stock changes (in the same transaction as the change), and the publisher sends the
// level as it is when it gets to it, so a burst of movements becomes one message with the latest
// value. A mark is cleared only by the PUBACK of the version it was published for; marks survive
// restarts and broker outages. A SKU's version only ever grows (Inventory::republish), so a shop that
// keeps the highest version keeps the latest level.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

class StockPublisher {
  public:
    /// Sends one message at QoS 1 and reports its PUBACK (true) or its loss (false).
    using Publish = std::function<void(const OutboxMessage&, std::function<void(bool)>)>;

    StockPublisher(Store& store, Inventory& inventory, Topics topics, Publish publish);
    ~StockPublisher();
    StockPublisher(const StockPublisher&) = delete;
    StockPublisher& operator=(const StockPublisher&) = delete;

    /// Publishes the level of every marked SKU not already in flight, up to `limit`.
    /// Returns how many messages it sent.
    int publish_pending(int limit = 200);
    /// After a reconnect: what was in flight is sent again.
    void restart();
    int in_flight() const { return static_cast<int>(in_flight_.size()); }

  private:
    /// Records the PUBACKs that came since the last pass, in one commit.
    void record_acknowledged();

    Store& store_;
    Inventory& inventory_;
    Topics topics_;
    Publish publish_;
    std::map<std::string, int64_t> in_flight_;                   // SKU -> version being published
    std::vector<std::pair<std::string, int64_t>> acknowledged_;  // PUBACKs not yet recorded
    uint64_t generation_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
