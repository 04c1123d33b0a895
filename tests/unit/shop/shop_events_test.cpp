// Stock corrections from the shop: every field checked before anything touches the store.

#include "packd/fulfillment/shop/shop_events.hpp"

#include <gtest/gtest.h>

namespace packd::fulfillment {
namespace {

TEST(StockEvent, AdjustmentAndCountAreParsed) {
    auto adjusted = parse_stock_event(
        R"({"event_id":"s1","type":"stock.adjusted","sku":"MUG-RED","location":"A-01-01","delta":-2,)"
        R"("reason":"adjust","note":"broken"})",
        1024);
    ASSERT_TRUE(adjusted) << adjusted.error().message;
    EXPECT_EQ(adjusted->movement.sku, "MUG-RED");
    EXPECT_EQ(adjusted->movement.delta, -2);
    EXPECT_EQ(adjusted->movement.reason, MovementReason::adjust);
    EXPECT_EQ(adjusted->movement.reference, "s1");
    EXPECT_EQ(adjusted->movement.note, "broken");

    auto received = parse_stock_event(
        R"({"event_id":"s2","type":"stock.adjusted","sku":"A","location":"RECEIVING","delta":12,"reason":"receive"})",
        1024);
    ASSERT_TRUE(received) << received.error().message;
    EXPECT_EQ(received->movement.reason, MovementReason::receive);

    auto counted = parse_stock_event(
        R"({"event_id":"s3","type":"stock.counted","sku":"A","location":"A-01-02","quantity":0,)"
        R"("lot":"L7","expiry":"2027-02-28"})",
        1024);
    ASSERT_TRUE(counted) << counted.error().message;
    EXPECT_EQ(counted->counted, 0);
    EXPECT_EQ(counted->movement.reason, MovementReason::count);
    EXPECT_EQ(counted->movement.expiry, "2027-02-28");
}

TEST(StockEvent, BadCorrectionsNameTheFieldAndTheRule) {
    const std::string base = R"("event_id":"s","sku":"A","location":"B")";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{" + base + R"(,"type":"stock.moved"})", "is not a stock event"},
        {"{" + base + R"(,"type":"stock.adjusted"})", "delta is missing"},
        {"{" + base + R"(,"type":"stock.adjusted","delta":0})", "delta must not be 0"},
        {"{" + base + R"(,"type":"stock.adjusted","delta":1.5})", "delta must be a whole number"},
        {"{" + base + R"(,"type":"stock.adjusted","delta":2000000})",
         "delta must be from -1000000 to 1000000"},
        {"{" + base + R"(,"type":"stock.adjusted","delta":1,"reason":"ship"})", "not one for a correction"},
        {"{" + base + R"(,"type":"stock.counted","quantity":-1})", "quantity must be from 0"},
        {"{" + base + R"(,"type":"stock.counted","quantity":1,"expiry":"2027-13-01"})",
         "expiry must be a date"},
        {R"({"event_id":"s","type":"stock.counted","location":"B","quantity":1})", "sku is missing"},
        {R"({"event_id":"s","type":"stock.counted","sku":7,"location":"B","quantity":1})",
         "sku must be a string"},
        {R"([1,2])", "object"},
        {R"({"type":)", "invalid JSON"},
    };
    for (const auto& [payload, reason] : cases) {
        auto parsed = parse_stock_event(payload, 1024);
        ASSERT_FALSE(parsed) << payload;
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
            << payload << ": " << parsed.error().message;
    }
    EXPECT_FALSE(parse_stock_event(std::string(2000, ' '), 1024));
}

}  // namespace
}  // namespace packd::fulfillment

namespace packd::fulfillment {
namespace {

TEST(ReturnEvent, RequestAndApprovalAreParsed) {
    auto requested =
        parse_return_event(R"({"event_id":"r1","type":"return.requested","rma":"RMA-1001","order_id":"1001",)"
                           R"("lines":[{"sku":"MUG-RED","quantity":1},{"sku":"TEE-BLK-L","quantity":2}]})",
                           4096);
    ASSERT_TRUE(requested) << requested.error().message;
    EXPECT_EQ(requested->rma, "RMA-1001");
    EXPECT_EQ(requested->order_id, "1001");
    ASSERT_EQ(requested->lines.size(), 2u);
    EXPECT_EQ(requested->lines[1].sku, "TEE-BLK-L");
    EXPECT_EQ(requested->lines[1].quantity, 2);

    auto approved = parse_return_event(
        R"({"event_id":"r2","type":"return.approved","rma":"RMA-1001","carrier":"DHL","tracking_number":"JJD1"})",
        4096);
    ASSERT_TRUE(approved) << approved.error().message;
    EXPECT_EQ(approved->carrier, "DHL");
    EXPECT_EQ(approved->tracking_number, "JJD1");
    EXPECT_TRUE(approved->lines.empty());
}

TEST(ReturnEvent, BadReturnsNameTheFieldAndTheRule) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"event_id":"r","type":"return.lost","rma":"R1"})", "is not a return event"},
        {R"({"event_id":"r","type":"return.approved"})", "rma is missing"},
        {R"({"event_id":"r","type":"return.approved","rma":"R 1/2"})", "rma may hold only"},
        {R"({"event_id":"r","type":"return.requested","rma":"R1","lines":[]})", "order_id is missing"},
        {R"({"event_id":"r","type":"return.requested","rma":"R1","order_id":"1","lines":[]})",
         "lines must be"},
        {R"({"event_id":"r","type":"return.requested","rma":"R1","order_id":"1","lines":[{"sku":"A"}]})",
         "lines[0].quantity is missing"},
        {R"({"event_id":"r","type":"return.requested","rma":"R1","order_id":"1","lines":[{"sku":"A","quantity":0}]})",
         "lines[0].quantity must be from 1"},
        {R"({"event_id":"r","type":"return.requested","rma":"R1","order_id":"1","lines":[7]})",
         "lines[0] must be an object"},
    };
    for (const auto& [payload, reason] : cases) {
        auto parsed = parse_return_event(payload, 4096);
        ASSERT_FALSE(parsed) << payload;
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
            << payload << ": " << parsed.error().message;
    }
}

TEST(ReceiptEvent, AnExpectedDeliveryAndItsCancellationAreParsed) {
    auto expected = parse_receipt_event(
        R"({"event_id":"d1","type":"receipt.expected","receipt":"PO-4711","supplier":"Acme",)"
        R"("lines":[{"sku":"MUG","quantity":24},{"sku":"TEE","quantity":5}]})",
        4096);
    ASSERT_TRUE(expected) << expected.error().message;
    EXPECT_EQ(expected->receipt, "PO-4711");
    EXPECT_EQ(expected->supplier, "Acme");
    ASSERT_EQ(expected->lines.size(), 2U);
    EXPECT_EQ(expected->lines[1].sku, "TEE");
    EXPECT_EQ(expected->lines[1].quantity, 5);
    auto cancelled =
        parse_receipt_event(R"({"event_id":"d2","type":"receipt.cancelled","receipt":"PO-4711"})", 4096);
    ASSERT_TRUE(cancelled) << cancelled.error().message;
    EXPECT_TRUE(cancelled->lines.empty());
}

TEST(ReceiptEvent, BadDeliveriesNameTheFieldAndTheRule) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"event_id":"d","type":"receipt.lost","receipt":"PO-1"})", "is not a receipt event"},
        {R"({"event_id":"d","type":"receipt.expected"})", "receipt is missing"},
        {R"({"event_id":"d","type":"receipt.expected","receipt":"PO 1/2","lines":[]})",
         "receipt may hold only"},
        {R"({"event_id":"d","type":"receipt.expected","receipt":"PO-1"})", "lines must be"},
        {R"({"event_id":"d","type":"receipt.expected","receipt":"PO-1","supplier":7,"lines":[]})",
         "supplier must be a string"},
        {R"({"event_id":"d","type":"receipt.expected","receipt":"PO-1","lines":[{"sku":"A","quantity":-2}]})",
         "lines[0].quantity must be from 1"},
        {R"({"type":"receipt.expected","receipt":"PO-1","lines":[{"sku":"A","quantity":2}]})",
         "event_id is missing"},
    };
    for (const auto& [payload, reason] : cases) {
        auto parsed = parse_receipt_event(payload, 4096);
        ASSERT_FALSE(parsed) << payload;
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
            << payload << ": " << parsed.error().message;
    }
    EXPECT_FALSE(parse_receipt_event(std::string(5000, ' '), 4096)) << "over the size limit";
}

}  // namespace
}  // namespace packd::fulfillment

namespace packd::fulfillment {
namespace {

TEST(OperatorCommand, ReprintAndRecountAreParsedAndOthersRefused) {
    auto reprint = parse_operator_command(
        R"({"event_id":"c1","command":"reprint","order_id":"1001","reason":"torn"})", 1024);
    ASSERT_TRUE(reprint) << reprint.error().message;
    EXPECT_EQ(reprint->order_id, "1001");
    EXPECT_EQ(reprint->reason, "torn");
    auto recount = parse_operator_command(R"({"event_id":"c2","command":"recount"})", 1024);
    ASSERT_TRUE(recount) << recount.error().message;
    EXPECT_TRUE(recount->sku.empty());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"event_id":"c","command":"format-disk"})", "is not one packd takes"},
        {R"({"event_id":"c","command":"reprint"})", "order_id is missing"},
        {R"({"command":"recount"})", "event_id is missing"},
        {R"({"event_id":"c","command":"recount","sku":["A"]})", "sku must be a string"},
    };
    for (const auto& [payload, reason] : cases) {
        auto parsed = parse_operator_command(payload, 1024);
        ASSERT_FALSE(parsed) << payload;
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
            << payload << ": " << parsed.error().message;
    }
}

}  // namespace
}  // namespace packd::fulfillment
