#pragma once
// What the return desk is told: a return requested or approved. shop/shop_events.hpp parses it from the
// shop's message.

#include <string>
#include <vector>

#include "packd/fulfillment/inventory/inventory.hpp"

namespace packd::fulfillment {

/// A return the shop's customer asked for (`return.requested`, with the lines) or the shop agreed to
/// (`return.approved`, optionally with the carrier and tracking number of the return label).
struct ReturnEvent {
    std::string event_id;
    std::string type;
    std::string rma;
    std::string order_id;              ///< requested only
    std::vector<OrderQuantity> lines;  ///< requested only
    std::string carrier;               ///< approved only, optional
    std::string tracking_number;       ///< approved only, optional
};

}  // namespace packd::fulfillment
