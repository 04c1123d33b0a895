#pragma once
// Orders as the shops themselves publish them, so that a merchant can bridge the shop's order webhooks to
// MQTT unchanged: Shopify's order webhook body (the Admin REST API "Order" resource; topics orders/create,
// orders/updated, orders/cancelled, orders/delete) and WooCommerce's order JSON (REST API v3 "Orders", which
// its webhooks order.created, order.updated and order.deleted send as is). Each is recognised by its shape
// and mapped to packd's OrderEvent, field by field, with the same limits and the same kind of errors as
// parse_order_event (docs/mqtt.md).
//
// Mapping, for both shops:
// - type: "order.cancelled" when the order is cancelled (Shopify: cancelled_at is not null, or the hint is
//   orders/cancelled or orders/delete; WooCommerce: status cancelled, refunded, failed or trash, or the hint
//   is order.deleted); else "order.created" when the hint is orders/create or order.created, else
//   "order.updated" (any other hint, or none: the body alone does not say whether the order is new).
// - event_id: shops put their delivery id in an HTTP header that the bridge does not carry, so the id is
//   derived from the body: "shopify:<id>:<updated_at>" or "woocommerce:<id>:<date_modified_gmt>", with
//   ":cancelled" appended for a cancel. A redelivery of the same body is therefore a duplicate that the store
//   applies once, and a real change (which moves the shop's modification time) is a new event. Both times
//   have one-second resolution: two changes within the same second share an id. A delete body carries only
//   the id (WooCommerce's order.deleted, Shopify's orders/delete); its event id reads "<shop>:<id>:deleted:
//   cancelled".
// - order_id: the shop's numeric order id as text (not Shopify's "#1001" name nor WooCommerce's number).
// - lines: one per line item with quantity above 0 (Shopify: and requires_shipping not false); a line to ship
//   without a SKU is an error that names the line and its title.
// - ship_to: Shopify shipping_address, WooCommerce shipping: name is first + last name (Shopify: else its
//   "name"; either shop: else the company), street1/street2 from address1/address2 (address_1/address_2),
//   region from province_code (state), postal_code from zip (postcode), country from country_code (country),
//   two letters.
// - carrier and service from shipping_lines[0]: Shopify carrier is its source unless that is "shopify"
//   (the merchant's own rates), else carrier_identifier; service is title, else code. WooCommerce carrier is
//   method_id and service method_title. Both are cut to 64 bytes rather than refused.
// A WooCommerce order in a draft status (checkout-draft, auto-draft, draft) is a checkout in progress and is
// refused. Nothing here stores anything; the caller publishes a refusal's reason on the dead-letter topic.

#include <cstddef>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "packd/common/result.hpp"
#include "packd/fulfillment/orders/order_event.hpp"

namespace packd::fulfillment {

/// The shape of an inbound order payload.
enum class ShopFormat { canonical, shopify, woocommerce, unknown };

/// "canonical", "shopify", "woocommerce" or "unknown".
const char* to_string(ShopFormat format);

/// Recognises a payload by its top-level keys, in this order:
/// 1. an object with "event_id" and "order" is packd's canonical order event;
/// 2. an object with "line_items" is a shop order: Shopify when it has any of "admin_graphql_api_id",
///    "financial_status" or "order_number", WooCommerce when it has "order_key" or a "billing" or "shipping"
///    object with "address_1"; with keys of both or of neither it is unknown;
/// 3. any other object with "event_id", "type" or "order" is canonical too, so that parse_order_event names
///    the field that is missing;
/// 4. anything else (including every non-object) is unknown.
ShopFormat detect_shop_format(const nlohmann::json& doc);

/// Maps a Shopify order webhook body. `topic_hint` is the end of the MQTT topic the merchant published to,
/// such as "orders/create", "orders/updated" or "orders/cancelled"; it may be empty.
Result<OrderEvent> map_shopify_order(const nlohmann::json& doc, std::string_view topic_hint);

/// Maps a WooCommerce order (REST API v3 shape, as its webhooks send it). `topic_hint` is the end of the MQTT
/// topic, such as "order.created", "order.updated" or "order.deleted"; it may be empty.
Result<OrderEvent> map_woocommerce_order(const nlohmann::json& doc, std::string_view topic_hint);

/// Parses one inbound payload of any supported shape: checks its size, parses the JSON, recognises the shape
/// (stored in `*detected` unless it is null; unknown when the payload is not JSON), and hands it to
/// parse_order_event (canonical, given the payload itself) or to the mapper of its shop. A body of only an
/// "id" under a delete hint (order.deleted, orders/delete) is that shop's cancel. Errors name the field and
/// are safe to log and to publish.
Result<OrderEvent> parse_inbound_order(std::string_view payload, size_t max_bytes,
                                       std::string_view topic_hint, ShopFormat* detected);

}  // namespace packd::fulfillment
