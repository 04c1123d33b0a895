#pragma once
// Events from the shop other than orders (docs/mqtt.md): stock corrections on `P/in/stock` (a change
// by a number of units or a counted quantity at one location) and returns on `P/in/returns`
// (requested, approved), parsed and checked field by field before anything touches the store.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/inventory/receipts.hpp"
#include "packd/fulfillment/labels/supplied_label.hpp"
#include "packd/fulfillment/orders/return_event.hpp"

namespace packd::fulfillment {

struct StockEvent {
    std::string event_id;
    std::string type;   ///< "stock.adjusted" (by `movement.delta`) or "stock.counted" (to `counted`)
    Movement movement;  ///< sku, location, lot, expiry, delta, reason, note
    int64_t counted = 0;
};

/// Parses one stock correction within `max_bytes`. Every error names the field and the rule.
Result<StockEvent> parse_stock_event(std::string_view payload, size_t max_bytes);

/// Parses one return event within `max_bytes`. Every error names the field and the rule.
Result<ReturnEvent> parse_return_event(std::string_view payload, size_t max_bytes);

/// Parses one receipt event (an expected delivery, or its cancellation) within `max_bytes`. Every error
/// names the field and the rule.
Result<ReceiptEvent> parse_receipt_event(std::string_view payload, size_t max_bytes);

/// A carrier label the shop bought for an order, on `P/in/labels`: printed instead of packd's own.
struct LabelEvent {
    std::string event_id;
    std::string order_id;
    SuppliedLabelFormat format = SuppliedLabelFormat::Zpl;
    std::string data;  ///< the label's bytes, decoded from `data_base64`
    std::string carrier;
    std::string tracking_number;
};

/// Parses one supplied label within `max_bytes`. Every error names the field and the rule.
Result<LabelEvent> parse_label_event(std::string_view payload, size_t max_bytes);

/// An operator command from the shop's back office on `P/in/commands`: `reprint` the shipping label
/// of an order (marked as a reprint), or `recount` (publish the stock level of one SKU, or of every
/// SKU, again).
struct OperatorCommand {
    std::string event_id;
    std::string command;   ///< "reprint" or "recount"
    std::string order_id;  ///< reprint
    std::string sku;       ///< recount; empty: every SKU
    std::string reason;    ///< free text for the log
};

/// Parses one operator command within `max_bytes`. Every error names the field and the rule.
Result<OperatorCommand> parse_operator_command(std::string_view payload, size_t max_bytes);

}  // namespace packd::fulfillment
