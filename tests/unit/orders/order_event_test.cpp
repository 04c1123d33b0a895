#include <gtest/gtest.h>

#include "packd/fulfillment/orders/order_event.hpp"

namespace packd::fulfillment {
namespace {

const std::string kGood = R"({
  "event_id": "evt-1", "type": "order.created",
  "order": {"id": "1001", "carrier": "DHL", "service": "Paket",
            "ship_to": {"name": "Jana Müller", "street1": "Hauptstr. 1", "city": "Köln",
                        "postal_code": "50667", "country": "DE"},
            "lines": [{"sku": "MUG-RED", "quantity": 2}, {"sku": "TEE-L", "quantity": 1}]}})";

std::string error_of(const std::string& payload) {
    auto r = parse_order_event(payload, 256 * 1024);
    EXPECT_FALSE(r.ok()) << payload;
    return r.ok() ? "" : r.error().message;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

TEST(OrderEvent, CanonicalOrderParses) {
    auto r = parse_order_event(kGood, 256 * 1024);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->event_id, "evt-1");
    EXPECT_EQ(r->order_id, "1001");
    EXPECT_EQ(r->ship_to.name, "Jana Müller");
    ASSERT_EQ(r->lines.size(), 2u);
    EXPECT_EQ(r->lines[0].sku, "MUG-RED");
    EXPECT_EQ(r->lines[0].quantity, 2);
}

TEST(OrderEvent, CountryIsTwoLettersAndPostalCodeIsText) {
    EXPECT_EQ(error_of(replaced(kGood, "\"country\": \"DE\"", "\"country\": \"D\"")),
              "order.ship_to.country \"D\" must be a two-letter ISO 3166-1 code such as DE");
    EXPECT_EQ(error_of(replaced(kGood, "\"country\": \"DE\"", "\"country\": 49")),
              "order.ship_to.country must be a string, found number");
    EXPECT_EQ(error_of(replaced(kGood, "\"postal_code\": \"50667\"", "\"postal_code\": 50667")),
              "order.ship_to.postal_code must be a string, found number");
    auto lower = parse_order_event(replaced(kGood, "\"country\": \"DE\"", "\"country\": \"de\""), 4096);
    ASSERT_TRUE(lower.ok()) << lower.error().message;
    EXPECT_EQ(lower->ship_to.country, "DE");
}

TEST(OrderEvent, NumericOrderIdIsText) {
    auto r = parse_order_event(replaced(kGood, "\"id\": \"1001\"", "\"id\": 450789469"), 256 * 1024);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->order_id, "450789469");
}

TEST(OrderEvent, NumericOrderIdsAbove2To53And2To63KeepEveryDigit) {
    for (const char* id : {"9007199254740993", "9223372036854775808", "18446744073709551615"}) {
        auto r =
            parse_order_event(replaced(kGood, "\"id\": \"1001\"", std::string("\"id\": ") + id), 256 * 1024);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->order_id, id);
    }
}

TEST(OrderEvent, InvalidJsonSaysWhere) {
    EXPECT_NE(error_of("{\"event_id\": ").find("invalid JSON at byte"), std::string::npos);
}

TEST(OrderEvent, NumberTooLargeForADoubleIsAnErrorNotAnException) {
    // Found by the fuzz replay: the JSON parser reports this as out_of_range, not parse_error.
    EXPECT_EQ(error_of(replaced(kGood, "\"quantity\": 2", "\"quantity\": 1e999")),
              "invalid JSON: number overflow parsing '1e999'");
}

TEST(OrderEvent, CancelNeedsOnlyTheOrderId) {
    auto r =
        parse_order_event(R"({"event_id": "c-1", "type": "order.cancelled", "order": {"id": "1001"}})", 4096);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->type, OrderEventType::cancelled);
    EXPECT_EQ(r->order_id, "1001");
    EXPECT_TRUE(r->lines.empty());
    EXPECT_EQ(error_of(R"({"event_id": "c-1", "type": "order.cancelled", "order": {}})"),
              "order.id is missing");
}

TEST(OrderEvent, OversizePayloadIsRefusedBeforeParsing) {
    auto r = parse_order_event(std::string(2000, ' '), 1024);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "payload is 2000 bytes, over the limit of 1024");
}

TEST(OrderEvent, MissingFieldsAreNamed) {
    EXPECT_EQ(error_of(replaced(kGood, "\"event_id\": \"evt-1\",", "")), "event_id is missing");
    EXPECT_EQ(error_of(replaced(kGood, "\"city\": \"Köln\",", "")), "order.ship_to.city is missing");
    EXPECT_EQ(error_of(replaced(kGood, "\"sku\": \"TEE-L\", ", "")), "order.lines[1].sku is missing");
}

TEST(OrderEvent, WrongTypesAreNamed) {
    EXPECT_EQ(error_of(replaced(kGood, "\"quantity\": 2", "\"quantity\": \"2\"")),
              "order.lines[0].quantity must be a whole number");
    EXPECT_EQ(error_of(replaced(kGood, "\"quantity\": 2", "\"quantity\": 0")),
              "order.lines[0].quantity must be from 1 to 1000000");
    EXPECT_EQ(error_of("[1,2]"), "payload must be a JSON object, found array");
    EXPECT_EQ(
        error_of(replaced(
            kGood,
            "\"lines\": [{\"sku\": \"MUG-RED\", \"quantity\": 2}, {\"sku\": \"TEE-L\", \"quantity\": 1}]",
            "\"lines\": \"all of them\"")),
        "order.lines must be an array, found string");
}

TEST(OrderEvent, UnknownEventTypeIsRefused) {
    EXPECT_NE(
        error_of(replaced(kGood, "order.created", "order.exploded")).find("not an event this packd handles"),
        std::string::npos);
}

TEST(OrderEvent, OrderIdThatCouldEscapeATopicOrFolderIsRefused) {
    EXPECT_NE(error_of(replaced(kGood, "\"1001\"", "\"../../etc\"")).find("may hold only"),
              std::string::npos);
    EXPECT_NE(error_of(replaced(kGood, "\"1001\"", "\"a/#\"")).find("may hold only"), std::string::npos);
}

TEST(OrderEvent, InvalidUtf8IsRefusedAndTheReasonIsCleanText) {
    const std::string e = error_of(replaced(kGood, "Jana", "J\xff\xfe"));
    EXPECT_EQ(
        e,
        "invalid JSON at byte 149: syntax error while parsing value - invalid string: ill-formed UTF-8 byte");
}

TEST(OrderEvent, OverlongFieldIsRefused) {
    EXPECT_NE(error_of(replaced(kGood, "Hauptstr. 1", std::string(300, 'x'))).find("at most 200 allowed"),
              std::string::npos);
}

TEST(OrderEvent, EmptyLinesAreRefused) {
    EXPECT_EQ(error_of(replaced(replaced(kGood, "{\"sku\": \"MUG-RED\", \"quantity\": 2}, ", ""),
                                "{\"sku\": \"TEE-L\", \"quantity\": 1}", "")),
              "order.lines is empty");
}

TEST(OrderEvent, SafeIds) {
    EXPECT_TRUE(is_safe_id("A-1_b.2"));
    EXPECT_FALSE(is_safe_id(""));
    EXPECT_FALSE(is_safe_id(".hidden"));
    EXPECT_FALSE(is_safe_id("a/b"));
    EXPECT_FALSE(is_safe_id("a+b"));
    EXPECT_FALSE(is_safe_id(std::string(65, 'a')));
}

}  // namespace
}  // namespace packd::fulfillment
