// A WooCommerce order (REST v3 webhooks' order body) as packd's OrderEvent.

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "shop_fields.hpp"

namespace packd::fulfillment {
namespace shop_fields {

Result<OrderEvent> map_woocommerce_unchecked(const json& doc, std::string_view topic_hint) {
    if (!doc.is_object()) {
        return fail("payload must be a JSON object, found " + type_of(doc));
    }
    Fields top(doc, "");
    OrderEvent ev;
    ev.order_id = read_order_id(top);
    if (!top.ok()) {
        return fail(top.problem());
    }
    const Hint hint = classify(topic_hint);
    // order.deleted sends {"id": ...} only (WC_Webhook::build_payload); every other body is a whole order.
    const bool whole = hint != Hint::deleted;
    const std::string status = top.text("status", whole, kMaxShort);
    if (!top.ok()) {
        return fail(top.problem());
    }
    // The statuses of the REST API v3 "Orders" page; a refund of the whole order sets "refunded".
    const bool cancelled =
        !whole || hint == Hint::cancelled || is_one_of(status, {"cancelled", "refunded", "failed", "trash"});
    if (!cancelled && is_one_of(status, {"checkout-draft", "auto-draft", "draft"})) {
        // The block checkout saves a draft order while the customer is still typing, and such drafts can
        // reach order webhooks; none of them is an order yet.
        return fail("status \"" + status + "\" is a checkout in progress, not an order to ship");
    }
    std::string version = read_timestamp(top, "date_modified_gmt", whole);
    if (!top.ok()) {
        return fail(top.problem());
    }
    read_order_body(top, "woocommerce", version, cancelled, hint, false, kWooAddress, ev);
    if (!top.ok()) {
        return fail(top.problem());
    }
    if (cancelled) {
        return ev;
    }
    if (const json* line = first_shipping_line(top)) {
        Fields s(*line, "shipping_lines[0]");
        ev.carrier = s.name_text("method_id");
        ev.service = s.name_text("method_title");
        top.note(s.problem());
    }
    if (!top.ok()) {
        return fail(top.problem());
    }
    return ev;
}

}  // namespace shop_fields

Result<OrderEvent> map_woocommerce_order(const nlohmann::json& doc, std::string_view topic_hint) {
    return shop_fields::made_safe(shop_fields::map_woocommerce_unchecked(doc, topic_hint));
}

}  // namespace packd::fulfillment
