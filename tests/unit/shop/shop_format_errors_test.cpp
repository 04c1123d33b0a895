// Shopify and WooCommerce order bodies refused: every error names the field; payload errors; detecting
// which shop a body comes from.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "shop_samples.hpp"

namespace packd::fulfillment {
namespace {

using namespace shop_samples;

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
    EXPECT_EQ(ev.type, OrderEventType::created);  // the hint does not change a canonical event
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
