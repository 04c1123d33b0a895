// Shopify and WooCommerce order bodies mapped field by field: the samples, event types and ids, lines,
// addresses and shipping lines.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "shop_samples.hpp"

namespace packd::fulfillment {
namespace {

using namespace shop_samples;

// --- The samples, field by field ---------------------------------------------------------------------------

TEST(ShopFormats, ShopifyCreateSampleMapsFieldByField) {
    const OrderEvent ev = parsed(sample(kShopifyCreate), "orders/create", ShopFormat::shopify);
    EXPECT_EQ(ev.type, OrderEventType::created);
    EXPECT_EQ(ev.event_id, "shopify:5719302455372:2024-03-05T09:41:18-08:00");
    EXPECT_EQ(ev.order_id, "5719302455372");
    EXPECT_TRUE(is_safe_id(ev.order_id));
    ASSERT_EQ(ev.lines.size(), 2u);  // the gift card needs no shipping
    EXPECT_EQ(ev.lines[0].sku, "MUG-RED");
    EXPECT_EQ(ev.lines[0].quantity, 2);
    EXPECT_EQ(ev.lines[1].sku, "TOWEL-SAGE");
    EXPECT_EQ(ev.lines[1].quantity, 1);
    EXPECT_EQ(ev.ship_to.name, "Avery Lindqvist");
    EXPECT_EQ(ev.ship_to.company, "");
    EXPECT_EQ(ev.ship_to.street1, "4180 Harbor View Rd");
    EXPECT_EQ(ev.ship_to.street2, "Unit 7");
    EXPECT_EQ(ev.ship_to.city, "Portland");
    EXPECT_EQ(ev.ship_to.region, "OR");
    EXPECT_EQ(ev.ship_to.postal_code, "97205");
    EXPECT_EQ(ev.ship_to.country, "US");
    EXPECT_EQ(ev.carrier, "ups_shipping");
    EXPECT_EQ(ev.service, "UPS Ground");
    EXPECT_EQ(ev.tracking_number, "");
}

TEST(ShopFormats, ShopifyCancelledSampleIsACancelWhateverTheHint) {
    for (std::string_view hint : {"orders/cancelled", "orders/updated", ""}) {
        const OrderEvent ev = parsed(sample(kShopifyCancelled), hint, ShopFormat::shopify);
        EXPECT_EQ(ev.type, OrderEventType::cancelled) << hint;
        EXPECT_EQ(ev.event_id, "shopify:5719302455372:2024-03-06T11:02:44-08:00:cancelled") << hint;
        EXPECT_EQ(ev.order_id, "5719302455372");
        EXPECT_TRUE(ev.lines.empty());
    }
}

TEST(ShopFormats, ShopifyCancelByHintAlone) {
    const OrderEvent ev = parsed(sample(kShopifyCreate), "orders/cancelled", ShopFormat::shopify);
    EXPECT_EQ(ev.type, OrderEventType::cancelled);
    EXPECT_EQ(ev.event_id, "shopify:5719302455372:2024-03-05T09:41:18-08:00:cancelled");
    EXPECT_TRUE(ev.lines.empty());
}

TEST(ShopFormats, WooCommerceSampleMapsFieldByField) {
    const OrderEvent ev = parsed(sample(kWooCreated), "order.created", ShopFormat::woocommerce);
    EXPECT_EQ(ev.type, OrderEventType::created);
    EXPECT_EQ(ev.event_id, "woocommerce:4821:2024-03-05T17:12:44");
    EXPECT_EQ(ev.order_id, "4821");
    ASSERT_EQ(ev.lines.size(), 2u);
    EXPECT_EQ(ev.lines[0].sku, "WRAP-3P");
    EXPECT_EQ(ev.lines[0].quantity, 2);
    EXPECT_EQ(ev.lines[1].sku, "BAG-LINEN-NAT");
    EXPECT_EQ(ev.lines[1].quantity, 1);
    EXPECT_EQ(ev.ship_to.name, "Lena Hoffmann");
    EXPECT_EQ(ev.ship_to.company, "Atelier Hoffmann");
    EXPECT_EQ(ev.ship_to.street1, "Gartenweg 3");
    EXPECT_EQ(ev.ship_to.street2, "Hinterhaus, 2. OG");
    EXPECT_EQ(ev.ship_to.city, "Leipzig");
    EXPECT_EQ(ev.ship_to.region, "");
    EXPECT_EQ(ev.ship_to.postal_code, "04109");
    EXPECT_EQ(ev.ship_to.country, "DE");
    EXPECT_EQ(ev.carrier, "flat_rate");
    EXPECT_EQ(ev.service, "DHL Paket");
}

// --- Event type and event id
// --------------------------------------------------------------------------------

TEST(ShopFormats, HintDecidesBetweenCreatedAndUpdated) {
    EXPECT_EQ(parsed(sample(kShopifyCreate), "orders/updated", ShopFormat::shopify).type,
              OrderEventType::updated);
    EXPECT_EQ(parsed(sample(kShopifyCreate), "", ShopFormat::shopify).type, OrderEventType::updated);
    EXPECT_EQ(parsed(sample(kShopifyCreate), "orders/paid", ShopFormat::shopify).type,
              OrderEventType::updated);
    // The hint is the end of the topic; longer topics and either shop's spelling are understood.
    EXPECT_EQ(parsed(sample(kShopifyCreate), "shop/orders/create", ShopFormat::shopify).type,
              OrderEventType::created);
    EXPECT_EQ(parsed(sample(kShopifyCreate), "order.created", ShopFormat::shopify).type,
              OrderEventType::created);
    EXPECT_EQ(parsed(sample(kShopifyCreate), "xorders/create", ShopFormat::shopify).type,
              OrderEventType::updated);
    EXPECT_EQ(parsed(sample(kWooCreated), "order.updated", ShopFormat::woocommerce).type,
              OrderEventType::updated);
    EXPECT_EQ(parsed(sample(kWooCreated), "", ShopFormat::woocommerce).type, OrderEventType::updated);
    EXPECT_EQ(parsed(sample(kWooCreated), "orders/cancelled", ShopFormat::woocommerce).type,
              OrderEventType::cancelled);
}

TEST(ShopFormats, WooCommerceStatusMapping) {
    for (const char* status : {"pending", "processing", "on-hold", "completed"}) {
        const OrderEvent ev =
            event_after(kWooCreated, "order.updated", [&](json& d) { d["status"] = status; });
        EXPECT_EQ(ev.type, OrderEventType::updated) << status;
        EXPECT_EQ(ev.event_id, "woocommerce:4821:2024-03-05T17:12:44") << status;
        EXPECT_EQ(ev.lines.size(), 2u) << status;
    }
    for (const char* status : {"cancelled", "refunded", "failed", "trash"}) {
        const OrderEvent ev =
            event_after(kWooCreated, "order.updated", [&](json& d) { d["status"] = status; });
        EXPECT_EQ(ev.type, OrderEventType::cancelled) << status;
        EXPECT_EQ(ev.event_id, "woocommerce:4821:2024-03-05T17:12:44:cancelled") << status;
        EXPECT_TRUE(ev.lines.empty()) << status;
    }
    for (const char* status : {"checkout-draft", "auto-draft", "draft"}) {
        EXPECT_EQ(error_after(kWooCreated, "order.created", [&](json& d) { d["status"] = status; }),
                  std::string("status \"") + status + "\" is a checkout in progress, not an order to ship");
    }
    // A draft that is deleted is a cancel all the same.
    EXPECT_EQ(event_after(kWooCreated, "order.deleted", [](json& d) { d["status"] = "checkout-draft"; }).type,
              OrderEventType::cancelled);
}

TEST(ShopFormats, DeleteBodiesWithOnlyTheIdAreCancels) {
    // WooCommerce's order.deleted and Shopify's orders/delete send only the id.
    OrderEvent woo = parsed(R"({"id": 4821})", "order.deleted", ShopFormat::woocommerce);
    EXPECT_EQ(woo.type, OrderEventType::cancelled);
    EXPECT_EQ(woo.order_id, "4821");
    EXPECT_EQ(woo.event_id, "woocommerce:4821:deleted:cancelled");
    OrderEvent shopify = parsed(R"({"id": 5719302455372})", "orders/delete", ShopFormat::shopify);
    EXPECT_EQ(shopify.type, OrderEventType::cancelled);
    EXPECT_EQ(shopify.event_id, "shopify:5719302455372:deleted:cancelled");
    // A whole order under the delete hint keeps its modification time.
    EXPECT_EQ(parsed(sample(kWooCreated), "order.deleted", ShopFormat::woocommerce).event_id,
              "woocommerce:4821:2024-03-05T17:12:44:cancelled");
    // Without the delete hint, an id alone is no order.
    EXPECT_EQ(error_of(R"({"id": 4821})", "order.updated"),
              "payload is neither packd's order JSON nor a Shopify or WooCommerce order: it has neither "
              "\"event_id\" and \"order\" nor \"line_items\"");
    EXPECT_EQ(error_of(R"({"id": "x"})", "order.deleted"), "id \"x\" must be a positive whole number");
}

TEST(ShopFormats, RedeliveryIsTheSameEventAndAnUpdateIsANewOne) {
    const std::string body = sample(kShopifyCreate);
    const OrderEvent first = parsed(body, "orders/updated", ShopFormat::shopify);
    const OrderEvent again = parsed(body, "orders/updated", ShopFormat::shopify);
    EXPECT_EQ(first.event_id, again.event_id);
    // Re-serialised by a bridge (other whitespace and key order): still the same delivery.
    EXPECT_EQ(parsed(json::parse(body).dump(), "orders/updated", ShopFormat::shopify).event_id,
              first.event_id);
    const OrderEvent update = event_after(kShopifyCreate, "orders/updated", [](json& d) {
        d["updated_at"] = "2024-03-05T10:02:00-08:00";
        d["line_items"][0]["quantity"] = 3;
    });
    EXPECT_NE(update.event_id, first.event_id);
    EXPECT_EQ(update.event_id, "shopify:5719302455372:2024-03-05T10:02:00-08:00");
    EXPECT_EQ(update.lines[0].quantity, 3);

    const std::string woo = sample(kWooCreated);
    EXPECT_EQ(parsed(woo, "order.updated", ShopFormat::woocommerce).event_id,
              parsed(woo, "order.updated", ShopFormat::woocommerce).event_id);
    EXPECT_EQ(event_after(kWooCreated, "order.updated",
                          [](json& d) { d["date_modified_gmt"] = "2024-03-05T17:30:02"; })
                  .event_id,
              "woocommerce:4821:2024-03-05T17:30:02");
}

// --- Lines
// ----------------------------------------------------------------------------------------------------

TEST(ShopFormats, LinesThatNeedNoShippingOrHaveNoQuantityAreLeftOut) {
    const OrderEvent ev = event_after(kShopifyCreate, "orders/create", [](json& d) {
        d["line_items"][0]["quantity"] = 0;
        d["line_items"][1].erase("requires_shipping");  // absent means it ships
    });
    ASSERT_EQ(ev.lines.size(), 1u);
    EXPECT_EQ(ev.lines[0].sku, "TOWEL-SAGE");
    // A line that needs no shipping is not looked at any further.
    const OrderEvent gift = event_after(kShopifyCreate, "orders/create", [](json& d) {
        d["line_items"][2]["quantity"] = "one";
        d["line_items"][2]["sku"] = nullptr;
    });
    EXPECT_EQ(gift.lines.size(), 2u);
    EXPECT_EQ(error_after(kShopifyCreate, "orders/create",
                          [](json& d) {
                              d["line_items"][0]["requires_shipping"] = false;
                              d["line_items"][1]["quantity"] = 0;
                          }),
              "line_items has no line to ship (each needs no shipping or has quantity 0)");
    EXPECT_EQ(error_after(kWooCreated, "order.created",
                          [](json& d) {
                              d["line_items"][0]["quantity"] = 0;
                              d["line_items"][1]["quantity"] = 0;
                          }),
              "line_items has no line to ship (each has quantity 0)");
}

TEST(ShopFormats, LineToShipWithoutSkuNamesTheLineAndItsTitle) {
    EXPECT_EQ(error_after(kShopifyCreate, "orders/create",
                          [](json& d) { d["line_items"][2]["requires_shipping"] = true; }),
              "line_items[2] (\"Gift card\") has no SKU");
    EXPECT_EQ(error_after(kShopifyCreate, "orders/create",
                          [](json& d) {
                              d["line_items"][1]["sku"] = nullptr;
                              d["line_items"][1].erase("title");
                          }),
              "line_items[1] (\"Linen Tea Towel - Sage\") has no SKU");  // then its name
    EXPECT_EQ(error_after(kShopifyCreate, "orders/create",
                          [](json& d) {
                              d["line_items"][1].erase("sku");
                              d["line_items"][1].erase("title");
                              d["line_items"][1].erase("name");
                          }),
              "line_items[1] has no SKU");
    EXPECT_EQ(error_after(kWooCreated, "order.created", [](json& d) { d["line_items"][1]["sku"] = ""; }),
              "line_items[1] (\"Brotbeutel Leinen - Natur\") has no SKU");
    // The title is outside text: control characters do not reach the reason, and a long one is cut whole.
    EXPECT_EQ(error_after(kWooCreated, "order.created",
                          [](json& d) {
                              d["line_items"][0]["sku"] = "";
                              d["line_items"][0]["name"] = "Tasse\n\x1b[2J";
                          }),
              "line_items[0] (\"Tasse??[2J\") has no SKU");
    const std::string long_title = std::string(59, 'a') + "\xc3\xa9" + "tail";
    EXPECT_EQ(error_after(kWooCreated, "order.created",
                          [&](json& d) {
                              d["line_items"][0]["sku"] = nullptr;
                              d["line_items"][0]["name"] = long_title;
                          }),
              "line_items[0] (\"" + std::string(59, 'a') + "\") has no SKU");
}

// --- Address and shipping line
// --------------------------------------------------------------------------------

TEST(ShopFormats, AddressNameFallsBackToNameThenCompany) {
    EXPECT_EQ(event_after(kShopifyCreate, "orders/create",
                          [](json& d) {
                              d["shipping_address"]["first_name"] = nullptr;
                              d["shipping_address"]["last_name"] = "";
                              d["shipping_address"]["name"] = "A. Lindqvist";
                          })
                  .ship_to.name,
              "A. Lindqvist");
    EXPECT_EQ(event_after(kShopifyCreate, "orders/create",
                          [](json& d) { d["shipping_address"]["first_name"] = nullptr; })
                  .ship_to.name,
              "Lindqvist");
    const OrderEvent business = event_after(kWooCreated, "order.created", [](json& d) {
        d["shipping"]["first_name"] = "";
        d["shipping"]["last_name"] = "";
    });
    EXPECT_EQ(business.ship_to.name, "Atelier Hoffmann");
    EXPECT_EQ(business.ship_to.company, "");
}

TEST(ShopFormats, NumericPostcodeIsText) {
    EXPECT_EQ(event_after(kWooCreated, "order.created", [](json& d) { d["shipping"]["postcode"] = 4109; })
                  .ship_to.postal_code,
              "4109");
}

TEST(ShopFormats, CountryCodeIsUpperCased) {
    EXPECT_EQ(event_after(kWooCreated, "order.created", [](json& d) { d["shipping"]["country"] = "de"; })
                  .ship_to.country,
              "DE");
}

TEST(ShopFormats, CarrierAndServiceFromTheFirstShippingLine) {
    const OrderEvent own_rates = event_after(kShopifyCreate, "orders/create", [](json& d) {
        d["shipping_lines"][0]["source"] = "shopify";
        d["shipping_lines"][0]["carrier_identifier"] = "5c1f2ab7d9e04c8a";
        d["shipping_lines"][0].erase("title");
    });
    EXPECT_EQ(own_rates.carrier, "5c1f2ab7d9e04c8a");
    EXPECT_EQ(own_rates.service, "03");
    const OrderEvent none = event_after(kShopifyCreate, "orders/create", [](json& d) {
        d["shipping_lines"][0]["source"] = "shopify";
        d["shipping_lines"].push_back(json{{"title", "second"}});
    });
    EXPECT_EQ(none.carrier, "");
    EXPECT_EQ(none.service, "UPS Ground");
    const OrderEvent no_lines =
        event_after(kWooCreated, "order.created", [](json& d) { d["shipping_lines"] = json::array(); });
    EXPECT_EQ(no_lines.carrier, "");
    EXPECT_EQ(no_lines.service, "");
    // A long rate title is cut at 64 bytes, before a UTF-8 sequence, rather than refused.
    const OrderEvent long_title = event_after(kWooCreated, "order.created", [](json& d) {
        d["shipping_lines"][0]["method_title"] = std::string(63, 'x') + "\xc3\xa9";
    });
    EXPECT_EQ(long_title.service, std::string(63, 'x'));
}

TEST(ShopFormats, OrderIdMayBeAStringOfDigits) {
    EXPECT_EQ(
        event_after(kShopifyCreate, "orders/create", [](json& d) { d["id"] = "5719302455372"; }).order_id,
        "5719302455372");
    EXPECT_EQ(
        event_after(kWooCreated, "order.created", [](json& d) { d["id"] = 18446744073709551615u; }).order_id,
        "18446744073709551615");
}

}  // namespace
}  // namespace packd::fulfillment
