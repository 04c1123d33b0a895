#pragma once
// Order events from the shop in packd's canonical JSON (docs/mqtt.md), parsed and checked
// field by field before anything touches the store.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/address.hpp"

namespace packd::fulfillment {

struct OrderLine {
    std::string sku;
    int64_t quantity = 0;
};

/// What an order event says happened: "order.created", "order.updated" (shop webhooks) or
/// "order.cancelled" (the id only), the words on the wire.
enum class OrderEventType { created, updated, cancelled };

constexpr std::string_view to_string(OrderEventType type) {
    switch (type) {
        case OrderEventType::created:
            return "order.created";
        case OrderEventType::updated:
            return "order.updated";
        case OrderEventType::cancelled:
            return "order.cancelled";
    }
    return "order.created";
}

/// The type a word names; nothing for any other word.
constexpr std::optional<OrderEventType> order_event_type_named(std::string_view word) {
    for (auto type : {OrderEventType::created, OrderEventType::updated, OrderEventType::cancelled}) {
        if (to_string(type) == word) {
            return type;
        }
    }
    return std::nullopt;
}

/// An order as the shop asked for it to be shipped.
struct OrderEvent {
    std::string event_id;
    OrderEventType type = OrderEventType::created;
    std::string order_id;
    std::vector<OrderLine> lines;
    Address ship_to;
    std::string carrier;
    std::string service;
    std::string tracking_number;  ///< when the shop allocated one
};

/// Parses one inbound payload. Every error names the field and what is wrong with it.
Result<OrderEvent> parse_order_event(std::string_view payload, size_t max_bytes);

/// The same for a payload already parsed into a JSON object (the shop-shape detection parses once).
Result<OrderEvent> parse_order_document(const nlohmann::json& doc);

/// Parses a payload that must be one JSON object within `max_bytes`; the errors (size, byte offset
/// and reason, not an object) are the ones every inbound parser reports.
Result<nlohmann::json> parse_json_object(std::string_view payload, size_t max_bytes);

/// The useful middle of a JSON parser message ("syntax error while parsing value - invalid
/// literal"), without its echo of the input: that echo may hold any bytes, and the reason is
/// logged and published as JSON.
std::string json_error_reason(std::string_view what);

/// True for ids that can appear in a topic and a file name: letters, digits, '-', '_', '.'.
bool is_safe_id(std::string_view id, size_t max_len = 64);

}  // namespace packd::fulfillment
