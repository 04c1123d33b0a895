#pragma once
// Returns as the shop announces them: a requested return of shipped goods is recorded with its
// lines under the shop's RMA; an approved one is marked so and gets its return label (the caller
// draws it). Each step writes its status message to the outbox in the caller's transaction.

#include <string>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/return_event.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

class ReturnDesk {
  public:
    ReturnDesk(Store& store, OrderBook& orders, Topics topics);

    /// Inside a transaction: records a return.requested event; the reason when it cannot be.
    Status request(const ReturnEvent& ev);
    /// Inside a transaction: marks a requested return approved; the order it belongs to.
    Result<std::string> approve(const ReturnEvent& ev);
    /// "requested", "approved", ... or nothing for an unknown RMA.
    std::optional<std::string> state_of(const std::string& rma);

  private:
    void publish_state(const std::string& rma, const std::string& order_id, const std::string& state);

    Store& store_;
    OrderBook& orders_;
    Topics topics_;
};

}  // namespace packd::fulfillment
