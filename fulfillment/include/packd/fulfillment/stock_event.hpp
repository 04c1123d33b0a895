#pragma once
// Stock corrections from the shop (docs/mqtt.md, `P/in/stock`): a change by a number of units or
// a counted quantity at one location, parsed and checked field by field before anything touches
// the store.

#include <cstdint>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/fulfillment/inventory.hpp"

namespace packd::fulfillment {

struct StockEvent {
    std::string event_id;
    std::string type;   ///< "stock.adjusted" (by `movement.delta`) or "stock.counted" (to `counted`)
    Movement movement;  ///< sku, location, lot, expiry, delta, reason, note
    int64_t counted = 0;
};

/// Parses one stock correction within `max_bytes`. Every error names the field and the rule.
Result<StockEvent> parse_stock_event(std::string_view payload, size_t max_bytes);

}  // namespace packd::fulfillment
