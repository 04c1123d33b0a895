#pragma once
// Drains the transactional outbox through the shop link.

#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <vector>

#include "packd/fulfillment/shop/shop_link.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// Sends the outbox through the link in order, removing each row only after its PUBACK. The rows
/// acknowledged during one turn of the event loop are removed together, in one commit.
class OutboxPump {
  public:
    OutboxPump(Store& store, ShopLink& link, int max_in_flight = 64);
    ~OutboxPump();
    OutboxPump(const OutboxPump&) = delete;
    OutboxPump& operator=(const OutboxPump&) = delete;

    /// Sends what is waiting, as far as the in-flight window allows.
    void kick();
    /// After a (re)connect everything not yet acknowledged is sent again, in order.
    void restart();
    int in_flight() const { return in_flight_; }

  private:
    /// Removes the acknowledged rows; posted once per turn in which PUBACKs arrived.
    void remove_acknowledged();
    /// A publish the link refused while connected: the row was passed over, so everything not yet
    /// acknowledged goes again, oldest first, a moment later.
    void retry_soon();

    Store& store_;
    ShopLink& link_;
    int max_in_flight_;
    int in_flight_ = 0;
    int64_t last_sent_id_ = 0;
    uint64_t generation_ = 0;
    std::vector<int64_t> acknowledged_;
    bool removal_posted_ = false;
    boost::asio::steady_timer retry_timer_;
    bool retry_armed_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
