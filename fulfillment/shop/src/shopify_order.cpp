// A Shopify order (Admin REST webhooks' order body) as packd's OrderEvent.

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "shop_fields.hpp"

namespace packd::fulfillment {
namespace shop_fields {

Result<OrderEvent> map_shopify_unchecked(const json& doc, std::string_view topic_hint) {
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
    const bool cancelled =
        top.find("cancelled_at") != nullptr || hint == Hint::cancelled || hint == Hint::deleted;
    // orders/delete sends {"id": ...} only (Shopify webhook topics); every other body is a whole order.
    std::string version = read_timestamp(top, "updated_at", hint != Hint::deleted);
    if (!top.ok()) {
        return fail(top.problem());
    }
    read_order_body(top, "shopify", version, cancelled, hint, true, kShopifyAddress, ev);
    if (!top.ok()) {
        return fail(top.problem());
    }
    if (cancelled) {
        return ev;
    }
    if (const json* line = first_shipping_line(top)) {
        Fields s(*line, "shipping_lines[0]");
        const std::string source = s.name_text("source");
        ev.carrier = !source.empty() && source != "shopify" ? source : s.name_text("carrier_identifier");
        ev.service = s.name_text("title");
        if (ev.service.empty()) {
            ev.service = s.name_text("code");
        }
        top.note(s.problem());
    }
    if (!top.ok()) {
        return fail(top.problem());
    }
    return ev;
}

}  // namespace shop_fields

Result<OrderEvent> map_shopify_order(const nlohmann::json& doc, std::string_view topic_hint) {
    return shop_fields::made_safe(shop_fields::map_shopify_unchecked(doc, topic_hint));
}

}  // namespace packd::fulfillment
