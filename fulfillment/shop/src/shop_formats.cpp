#include "packd/fulfillment/shop/shop_formats.hpp"

#include "shop_fields.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace shop_fields {
namespace {

bool has_address_1(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_object() && it->contains("address_1");
}

/// detect_shop_format, with the reason when the answer is unknown.
ShopFormat detect(const json& doc, std::string* why) {
    if (!doc.is_object()) {
        if (why != nullptr) {
            *why = "it is " + std::string(doc.type_name()) + ", not an object";
        }
        return ShopFormat::unknown;
    }
    if (doc.contains("event_id") && doc.contains("order")) {
        return ShopFormat::canonical;
    }
    if (doc.contains("line_items")) {
        const bool shopify = doc.contains("admin_graphql_api_id") || doc.contains("financial_status") ||
                             doc.contains("order_number");
        const bool woo =
            doc.contains("order_key") || has_address_1(doc, "billing") || has_address_1(doc, "shipping");
        if (shopify && !woo) {
            return ShopFormat::shopify;
        }
        if (woo && !shopify) {
            return ShopFormat::woocommerce;
        }
        if (why != nullptr) {
            *why = std::string("it has \"line_items\" and ") +
                   (shopify
                        ? "keys of both Shopify and WooCommerce"
                        : "neither Shopify's keys (admin_graphql_api_id, financial_status, order_number) nor "
                          "WooCommerce's (order_key, billing or shipping with address_1)");
        }
        return ShopFormat::unknown;
    }
    if (doc.contains("event_id") || doc.contains("type") || doc.contains("order")) {
        return ShopFormat::canonical;
    }
    if (why != nullptr) {
        *why = "it has neither \"event_id\" and \"order\" nor \"line_items\"";
    }
    return ShopFormat::unknown;
}

Result<OrderEvent> parse_inbound_unchecked(std::string_view payload, size_t max_bytes,
                                           std::string_view topic_hint, ShopFormat& format) {
    format = ShopFormat::unknown;
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    std::string why;
    format = detect(doc, &why);
    if (format == ShopFormat::unknown && classify(topic_hint) == Hint::deleted && doc.contains("id") &&
        !doc.contains("line_items")) {
        // A delete body is only {"id": ...}: the topic says which shop sent it.
        format = topic_ends_with(topic_hint, "order.deleted") ? ShopFormat::woocommerce : ShopFormat::shopify;
    }
    switch (format) {
        case ShopFormat::canonical:
            return parse_order_document(doc);
        case ShopFormat::shopify:
            return map_shopify_unchecked(doc, topic_hint);
        case ShopFormat::woocommerce:
            return map_woocommerce_unchecked(doc, topic_hint);
        case ShopFormat::unknown:
            break;
    }
    return fail("payload is neither packd's order JSON nor a Shopify or WooCommerce order: " + why);
}

}  // namespace
}  // namespace shop_fields

const char* to_string(ShopFormat format) {
    switch (format) {
        case ShopFormat::canonical:
            return "canonical";
        case ShopFormat::shopify:
            return "shopify";
        case ShopFormat::woocommerce:
            return "woocommerce";
        case ShopFormat::unknown:
            break;
    }
    return "unknown";
}

ShopFormat detect_shop_format(const nlohmann::json& doc) {
    return shop_fields::detect(doc, nullptr);
}

Result<OrderEvent> parse_inbound_order(std::string_view payload, size_t max_bytes,
                                       std::string_view topic_hint, ShopFormat* detected) {
    ShopFormat format = ShopFormat::unknown;
    auto parsed =
        shop_fields::made_safe(shop_fields::parse_inbound_unchecked(payload, max_bytes, topic_hint, format));
    if (detected != nullptr) {
        *detected = format;
    }
    return parsed;
}

}  // namespace packd::fulfillment
