#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

constexpr size_t kLimit = 256 * 1024;

std::string sample(const std::string& name) {
    return test::read_file(std::string(PACKD_SOURCE_DIR) + "/tests/data/shop/" + name);
}

json sample_json(const std::string& name) {
    return json::parse(sample(name));
}

const std::string kShopifyCreate = "shopify-orders-create.json";
const std::string kShopifyCancelled = "shopify-orders-cancelled.json";
const std::string kWooCreated = "woocommerce-order-created.json";

OrderEvent parsed(const std::string& payload, std::string_view hint, ShopFormat expected_format) {
    ShopFormat format = ShopFormat::unknown;
    auto r = parse_inbound_order(payload, kLimit, hint, &format);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    EXPECT_EQ(to_string(format), std::string(to_string(expected_format)));
    return r.ok() ? *r : OrderEvent{};
}

std::string error_of(const std::string& payload, std::string_view hint) {
    auto r = parse_inbound_order(payload, kLimit, hint, nullptr);
    EXPECT_FALSE(r.ok()) << payload.substr(0, 300);
    return r.ok() ? "" : r.error().message;
}

/// The error for a sample changed by `change`, published under `hint`.
std::string error_after(const std::string& name, std::string_view hint,
                        const std::function<void(json&)>& change) {
    json doc = sample_json(name);
    change(doc);
    return error_of(doc.dump(), hint);
}

OrderEvent event_after(const std::string& name, std::string_view hint,
                       const std::function<void(json&)>& change) {
    json doc = sample_json(name);
    change(doc);
    auto r = parse_inbound_order(doc.dump(), kLimit, hint, nullptr);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : OrderEvent{};
}

// --- The samples, field by field ---------------------------------------------------------------------------

TEST(ShopFormats, ShopifyCreateSampleMapsFieldByField) {
    const OrderEvent ev = parsed(sample(kShopifyCreate), "orders/create", ShopFormat::shopify);
    EXPECT_EQ(ev.type, "order.created");
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
        EXPECT_EQ(ev.type, "order.cancelled") << hint;
        EXPECT_EQ(ev.event_id, "shopify:5719302455372:2024-03-06T11:02:44-08:00:cancelled") << hint;
        EXPECT_EQ(ev.order_id, "5719302455372");
        EXPECT_TRUE(ev.lines.empty());
    }
}

TEST(ShopFormats, ShopifyCancelByHintAlone) {
    const OrderEvent ev = parsed(sample(kShopifyCreate), "orders/cancelled", ShopFormat::shopify);
    EXPECT_EQ(ev.type, "order.cancelled");
    EXPECT_EQ(ev.event_id, "shopify:5719302455372:2024-03-05T09:41:18-08:00:cancelled");
    EXPECT_TRUE(ev.lines.empty());
}

TEST(ShopFormats, WooCommerceSampleMapsFieldByField) {
    const OrderEvent ev = parsed(sample(kWooCreated), "order.created", ShopFormat::woocommerce);
    EXPECT_EQ(ev.type, "order.created");
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
    EXPECT_EQ(parsed(sample(kShopifyCreate), "orders/updated", ShopFormat::shopify).type, "order.updated");
    EXPECT_EQ(parsed(sample(kShopifyCreate), "", ShopFormat::shopify).type, "order.updated");
    EXPECT_EQ(parsed(sample(kShopifyCreate), "orders/paid", ShopFormat::shopify).type, "order.updated");
    // The hint is the end of the topic; longer topics and either shop's spelling are understood.
    EXPECT_EQ(parsed(sample(kShopifyCreate), "shop/orders/create", ShopFormat::shopify).type,
              "order.created");
    EXPECT_EQ(parsed(sample(kShopifyCreate), "order.created", ShopFormat::shopify).type, "order.created");
    EXPECT_EQ(parsed(sample(kShopifyCreate), "xorders/create", ShopFormat::shopify).type, "order.updated");
    EXPECT_EQ(parsed(sample(kWooCreated), "order.updated", ShopFormat::woocommerce).type, "order.updated");
    EXPECT_EQ(parsed(sample(kWooCreated), "", ShopFormat::woocommerce).type, "order.updated");
    EXPECT_EQ(parsed(sample(kWooCreated), "orders/cancelled", ShopFormat::woocommerce).type,
              "order.cancelled");
}

TEST(ShopFormats, WooCommerceStatusMapping) {
    for (const char* status : {"pending", "processing", "on-hold", "completed"}) {
        const OrderEvent ev =
            event_after(kWooCreated, "order.updated", [&](json& d) { d["status"] = status; });
        EXPECT_EQ(ev.type, "order.updated") << status;
        EXPECT_EQ(ev.event_id, "woocommerce:4821:2024-03-05T17:12:44") << status;
        EXPECT_EQ(ev.lines.size(), 2u) << status;
    }
    for (const char* status : {"cancelled", "refunded", "failed", "trash"}) {
        const OrderEvent ev =
            event_after(kWooCreated, "order.updated", [&](json& d) { d["status"] = status; });
        EXPECT_EQ(ev.type, "order.cancelled") << status;
        EXPECT_EQ(ev.event_id, "woocommerce:4821:2024-03-05T17:12:44:cancelled") << status;
        EXPECT_TRUE(ev.lines.empty()) << status;
    }
    for (const char* status : {"checkout-draft", "auto-draft", "draft"}) {
        EXPECT_EQ(error_after(kWooCreated, "order.created", [&](json& d) { d["status"] = status; }),
                  std::string("status \"") + status + "\" is a checkout in progress, not an order to ship");
    }
    // A draft that is deleted is a cancel all the same.
    EXPECT_EQ(event_after(kWooCreated, "order.deleted", [](json& d) { d["status"] = "checkout-draft"; }).type,
              "order.cancelled");
}

TEST(ShopFormats, DeleteBodiesWithOnlyTheIdAreCancels) {
    // WooCommerce's order.deleted and Shopify's orders/delete send only the id.
    OrderEvent woo = parsed(R"({"id": 4821})", "order.deleted", ShopFormat::woocommerce);
    EXPECT_EQ(woo.type, "order.cancelled");
    EXPECT_EQ(woo.order_id, "4821");
    EXPECT_EQ(woo.event_id, "woocommerce:4821:deleted:cancelled");
    OrderEvent shopify = parsed(R"({"id": 5719302455372})", "orders/delete", ShopFormat::shopify);
    EXPECT_EQ(shopify.type, "order.cancelled");
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

// --- Every error, with its message
// ----------------------------------------------------------------------------

struct Case {
    std::string file;
    std::string hint;
    std::function<void(json&)> change;
    std::string error;
};

TEST(ShopFormats, EveryErrorNamesTheField) {
    const std::string s = kShopifyCreate;
    const std::string w = kWooCreated;
    const std::vector<Case> cases = {
        {s, "orders/create", [](json& d) { d.erase("id"); }, "id is missing"},
        {s, "orders/create", [](json& d) { d["id"] = -3; }, "id must be a positive whole number, found -3"},
        {s, "orders/create", [](json& d) { d["id"] = 0; }, "id must be a positive whole number, found 0"},
        {s, "orders/create", [](json& d) { d["id"] = 1.5; }, "id must be a positive whole number, found 1.5"},
        {s, "orders/create", [](json& d) { d["id"] = true; },
         "id must be a positive whole number, found boolean"},
        {s, "orders/create", [](json& d) { d["id"] = "12a"; }, "id \"12a\" must be a positive whole number"},
        {s, "orders/create", [](json& d) { d["id"] = "0012"; },
         "id \"0012\" must be a positive whole number"},
        {s, "orders/create", [](json& d) { d.erase("updated_at"); }, "updated_at is missing"},
        {s, "orders/cancelled", [](json& d) { d["updated_at"] = nullptr; }, "updated_at is missing"},
        {s, "orders/create", [](json& d) { d["updated_at"] = 17; },
         "updated_at must be a string, found number"},
        {s, "orders/create", [](json& d) { d["updated_at"] = "yesterday"; },
         "updated_at \"yesterday\" is not a date and time"},
        {s, "orders/create", [](json& d) { d["updated_at"] = std::string(41, '1'); },
         "updated_at is 41 bytes, at most 40 allowed"},
        {s, "orders/create", [](json& d) { d.erase("line_items"); },
         "payload is neither packd's order JSON nor a Shopify or WooCommerce order: it has neither "
         "\"event_id\" "
         "and \"order\" nor \"line_items\""},
        {s, "orders/create", [](json& d) { d["line_items"] = json::object(); },
         "line_items must be an array, found object"},
        {s, "orders/create", [](json& d) { d["line_items"] = json::array(); }, "line_items is empty"},
        {s, "orders/create",
         [](json& d) {
             d["line_items"] = json::array();
             for (int i = 0; i < 1001; ++i) {
                 d["line_items"].push_back(json{{"sku", "MUG-RED"}, {"quantity", 1}});
             }
         },
         "line_items has 1001 lines, at most 1000 allowed"},
        {s, "orders/create", [](json& d) { d["line_items"][0] = "MUG-RED"; },
         "line_items[0] must be an object"},
        {s, "orders/create", [](json& d) { d["line_items"][1]["requires_shipping"] = "yes"; },
         "line_items[1].requires_shipping must be true or false, found string"},
        {s, "orders/create", [](json& d) { d["line_items"][0].erase("quantity"); },
         "line_items[0].quantity must be a whole number"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["quantity"] = 2.5; },
         "line_items[0].quantity must be a whole number"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["quantity"] = -1; },
         "line_items[0].quantity must be from 0 to 1000000"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["quantity"] = 1000001; },
         "line_items[0].quantity must be from 0 to 1000000"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["sku"] = std::string(65, 'S'); },
         "line_items[0].sku is 65 bytes, at most 64 allowed"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["sku"] = json::array(); },
         "line_items[0].sku must be a string, found array"},
        {s, "orders/create", [](json& d) { d["line_items"][0]["sku"] = std::string("MUG\0RED", 7); },
         "line_items[0].sku contains a NUL byte"},
        {s, "orders/create", [](json& d) { d.erase("shipping_address"); }, "shipping_address is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"] = nullptr; }, "shipping_address is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"] = "Portland"; },
         "shipping_address must be an object, found string"},
        {s, "orders/create",
         [](json& d) {
             d["shipping_address"]["first_name"] = "";
             d["shipping_address"]["last_name"] = nullptr;
             d["shipping_address"]["name"] = nullptr;
         },
         "shipping_address has no name (first_name, last_name, name or company)"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["last_name"] = std::string(200, 'L'); },
         "shipping_address name is 206 bytes, at most 200 allowed"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["company"] = std::string(201, 'C'); },
         "shipping_address.company is 201 bytes, at most 200 allowed"},
        {s, "orders/create", [](json& d) { d["shipping_address"].erase("address1"); },
         "shipping_address.address1 is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["address1"] = ""; },
         "shipping_address.address1 is empty"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["address2"] = false; },
         "shipping_address.address2 must be a string, found boolean"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["city"] = nullptr; },
         "shipping_address.city is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["zip"] = nullptr; },
         "shipping_address.zip is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["zip"] = std::string(17, '9'); },
         "shipping_address.zip is 17 bytes, at most 16 allowed"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["zip"] = 12345678901234567890u; },
         "shipping_address.zip is 20 bytes, at most 16 allowed"},
        {s, "orders/create", [](json& d) { d["shipping_address"].erase("country_code"); },
         "shipping_address.country_code is missing"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["country_code"] = "USA"; },
         "shipping_address.country_code \"USA\" must be a two-letter ISO 3166-1 code"},
        {s, "orders/create", [](json& d) { d["shipping_address"]["country_code"] = "U1"; },
         "shipping_address.country_code \"U1\" must be a two-letter ISO 3166-1 code"},
        {s, "orders/create", [](json& d) { d["shipping_lines"] = json::object(); },
         "shipping_lines must be an array, found object"},
        {s, "orders/create", [](json& d) { d["shipping_lines"][0] = "UPS"; },
         "shipping_lines[0] must be an object"},
        {s, "orders/create", [](json& d) { d["shipping_lines"][0]["title"] = json::array(); },
         "shipping_lines[0].title must be a string, found array"},
        {w, "order.created", [](json& d) { d.erase("status"); }, "status is missing"},
        {w, "order.created", [](json& d) { d["status"] = true; }, "status must be a string, found boolean"},
        {w, "order.created", [](json& d) { d.erase("date_modified_gmt"); }, "date_modified_gmt is missing"},
        {w, "order.updated",
         [](json& d) {
             d["status"] = "cancelled";
             d.erase("date_modified_gmt");
         },
         "date_modified_gmt is missing"},
        {w, "order.created", [](json& d) { d["line_items"][0]["quantity"] = "2"; },
         "line_items[0].quantity must be a whole number"},
        {w, "order.created", [](json& d) { d["shipping"] = json::array(); },
         "shipping must be an object, found array"},
        {w, "order.created",
         [](json& d) {
             d["shipping"]["first_name"] = "";
             d["shipping"]["last_name"] = "";
             d["shipping"]["company"] = "";
         },
         "shipping has no name (first_name, last_name or company)"},
        {w, "order.created", [](json& d) { d["shipping"]["address_1"] = ""; }, "shipping.address_1 is empty"},
        {w, "order.created", [](json& d) { d["shipping"]["city"] = ""; }, "shipping.city is empty"},
        {w, "order.created", [](json& d) { d["shipping"]["postcode"] = ""; }, "shipping.postcode is empty"},
        {w, "order.created", [](json& d) { d["shipping"]["country"] = "Germany"; },
         "shipping.country \"Germany\" must be a two-letter ISO 3166-1 code"},
        {w, "order.created", [](json& d) { d["shipping_lines"][0]["method_id"] = json::object(); },
         "shipping_lines[0].method_id must be a string, found object"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(error_after(c.file, c.hint, c.change), c.error) << c.file << " " << c.hint;
    }
}

TEST(ShopFormats, PayloadErrors) {
    EXPECT_EQ(parse_inbound_order("{\"id\": 1}", 5, "", nullptr).error().message,
              "payload is 9 bytes, over the limit of 5");
    EXPECT_EQ(error_of("{\"id\": ", "").substr(0, 20), "invalid JSON at byte");
    EXPECT_EQ(error_of("{\"id\": 1e999, \"line_items\": []}", ""),
              "invalid JSON: number overflow parsing '1e999'");
    EXPECT_EQ(error_of("[1, 2]", "orders/create"), "payload must be a JSON object, found array");
    EXPECT_EQ(
        error_of(R"({"line_items": [], "order_number": 1, "order_key": "wc_order_x"})", ""),
        "payload is neither packd's order JSON nor a Shopify or WooCommerce order: it has \"line_items\" and "
        "keys of both Shopify and WooCommerce");
    EXPECT_EQ(
        error_of(R"({"line_items": [], "number": "7"})", ""),
        "payload is neither packd's order JSON nor a Shopify or WooCommerce order: it has \"line_items\" and "
        "neither Shopify's keys (admin_graphql_api_id, financial_status, order_number) nor WooCommerce's "
        "(order_key, billing or shipping with address_1)");
    EXPECT_EQ(map_shopify_order(json::array(), "").error().message,
              "payload must be a JSON object, found array");
    EXPECT_EQ(map_woocommerce_order(json("x"), "").error().message,
              "payload must be a JSON object, found string");
}

// --- Detection
// ------------------------------------------------------------------------------------------------

const std::string kCanonical = R"({
  "event_id": "evt-1", "type": "order.created",
  "order": {"id": "1001", "carrier": "DHL", "service": "Paket",
            "ship_to": {"name": "Jana Müller", "street1": "Hauptstr. 1", "city": "Köln",
                        "postal_code": "50667", "country": "DE"},
            "lines": [{"sku": "MUG-RED", "quantity": 2}]}})";

TEST(ShopFormats, DetectsEachShape) {
    EXPECT_EQ(detect_shop_format(sample_json(kShopifyCreate)), ShopFormat::shopify);
    EXPECT_EQ(detect_shop_format(sample_json(kShopifyCancelled)), ShopFormat::shopify);
    EXPECT_EQ(detect_shop_format(sample_json(kWooCreated)), ShopFormat::woocommerce);
    EXPECT_EQ(detect_shop_format(json::parse(kCanonical)), ShopFormat::canonical);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"line_items": [], "financial_status": "paid"})")),
              ShopFormat::shopify);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"line_items": [], "admin_graphql_api_id": "gid://x"})")),
              ShopFormat::shopify);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"line_items": [], "billing": {"address_1": ""}})")),
              ShopFormat::woocommerce);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"line_items": [], "shipping": {"address1": ""}})")),
              ShopFormat::unknown);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"event_id": "e-1"})")), ShopFormat::canonical);
    EXPECT_EQ(detect_shop_format(json::parse(R"({"id": 4821})")), ShopFormat::unknown);
    EXPECT_EQ(detect_shop_format(json::parse("[]")), ShopFormat::unknown);
    EXPECT_EQ(detect_shop_format(json::parse("null")), ShopFormat::unknown);
    EXPECT_STREQ(to_string(ShopFormat::canonical), "canonical");
    EXPECT_STREQ(to_string(ShopFormat::shopify), "shopify");
    EXPECT_STREQ(to_string(ShopFormat::woocommerce), "woocommerce");
    EXPECT_STREQ(to_string(ShopFormat::unknown), "unknown");
}

TEST(ShopFormats, NotJsonIsDetectedAsUnknown) {
    ShopFormat format = ShopFormat::shopify;
    EXPECT_FALSE(parse_inbound_order("not json", kLimit, "", &format).ok());
    EXPECT_EQ(format, ShopFormat::unknown);
}

TEST(ShopFormats, CanonicalPayloadGoesThroughParseOrderEvent) {
    const OrderEvent ev = parsed(kCanonical, "orders/create", ShopFormat::canonical);
    auto direct = parse_order_event(kCanonical, kLimit);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(ev.event_id, direct->event_id);
    EXPECT_EQ(ev.type, "order.created");  // the hint does not change a canonical event
    EXPECT_EQ(ev.order_id, "1001");
    EXPECT_EQ(ev.ship_to.name, "Jana Müller");
    EXPECT_EQ(ev.carrier, "DHL");
    ASSERT_EQ(ev.lines.size(), 1u);
    EXPECT_EQ(ev.lines[0].sku, "MUG-RED");
    // Its errors are parse_order_event's, word for word.
    std::string no_city = kCanonical;
    no_city.replace(no_city.find("\"city\""), 6, "\"town\"");
    for (const std::string& payload :
         {std::string(R"({"event_id": "e-1"})"), std::string(R"({"type": "order.created", "order": {}})"),
          std::string(R"({"event_id": "e-1", "type": "order.updated", "order": {"id": "1"}})"), no_city}) {
        auto expected = parse_order_event(payload, kLimit);
        ASSERT_FALSE(expected.ok()) << payload;
        EXPECT_EQ(error_of(payload, ""), expected.error().message) << payload;
    }
    EXPECT_EQ(error_of(R"({"event_id": "e-1"})", ""), "type is missing");
    EXPECT_EQ(error_of(no_city, ""), "order.ship_to.city is missing");
}

}  // namespace
}  // namespace packd::fulfillment
