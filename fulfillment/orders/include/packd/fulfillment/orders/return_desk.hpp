#pragma once
// Returns as the shop announces them: a requested return of shipped goods is recorded with its
// lines under the shop's RMA; an approved one is marked so and gets its return label (the caller
// draws it); a received one has its items recorded, as a returns station took them in, for the shop
// to refund. Each step writes its status message to the outbox in the caller's transaction.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/return_event.hpp"
#include "packd/fulfillment/orders/returned_items.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

class ReturnDesk {
  public:
    ReturnDesk(Store& store, OrderBook& orders, Topics topics);

    /// Inside a transaction: records a return.requested event; the reason when it cannot be.
    Status request(const ReturnEvent& ev);
    /// Inside a transaction: marks a requested return approved; the order it belongs to.
    Result<std::string> approve(const ReturnEvent& ev);
    /// Inside a transaction: refuses a requested return with the reason, which the shop hears.
    Status reject(const std::string& rma, const std::string& reason);
    /// In a transaction: records what came back of a requested or approved return (each item against the
    /// return's lines, see against_return), counts the expected ones as received on their lines, marks the
    /// return received and queues the status with every item for the shop. The stock itself moves
    /// through Inventory; this is the paperwork. The reason, and nothing written, when it cannot be.
    Status receive(const std::string& rma, const std::vector<ReturnedItem>& items, const std::string& station,
                   const std::string& operator_name);
    /// "requested", "approved", ... or nothing for an unknown RMA.
    std::optional<std::string> state_of(const std::string& rma);
    /// The return whose label carries this tracking number, the newest when one was used twice.
    std::optional<std::string> rma_with_tracking(const std::string& tracking_number);
    /// The return's lines in the shop's order, with what came back of each so far.
    std::vector<ReturnLine> lines_of(const std::string& rma);

  private:
    void publish_state(const std::string& rma, const std::string& order_id, const std::string& state,
                       nlohmann::json more = nlohmann::json::object());

    Store& store_;
    OrderBook& orders_;
    Topics topics_;
};

}  // namespace packd::fulfillment
