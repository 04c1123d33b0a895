#include "packd/fulfillment/stations/receive_station.hpp"

#include "packd/fulfillment/stations/station_shift.hpp"
#include "task_station_fixture.hpp"

namespace packd::fulfillment {
namespace {

class ReceiveStationTest : public TaskStationTest {
  protected:
    void SetUp() override {
        TaskStationTest::SetUp();
        station = make_station();
    }
    std::unique_ptr<ReceiveStation> make_station() {
        return std::make_unique<ReceiveStation>(*store, *inventory, *receipts, "recv1", TaskStationOptions{});
    }
    void expect_delivery(const std::string& id, std::vector<OrderQuantity> lines) {
        Transaction tx(store->db());
        ASSERT_TRUE(receipts->apply({"ev-" + id, "receipt.expected", id, "Acme", std::move(lines)}).ok());
        tx.commit();
    }
    std::unique_ptr<ReceiveStation> station;
};

// The delivery's papers, a case, a quantity typed before a unit scan, a GS1 label with lot, expiry and a
// count, and one product short: the stock is booked into receiving and the shop hears each difference.
TEST_F(ReceiveStationTest, ADeliveryIsBookedIntoReceivingAndItsDifferencesReported) {
    expect_delivery("PO-1", {{"MUG", 24}, {"TEE", 5}});
    {
        Transaction tx(store->db());
        set_shift_badge(*store, "recv1", "OP-7");
        tx.commit();
    }
    auto r = scan(*station, "PO-1");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.task, "PO-1");
    ASSERT_EQ(r.lines.size(), 2U);
    EXPECT_EQ(r.lines[0].expected, 24);
    EXPECT_EQ(r.lines[0].quantity, 0);

    EXPECT_TRUE(scan(*station, "14006381333938").ok);  // a case of 12
    EXPECT_TRUE(scan(*station, "QTY10").ok);
    r = scan(*station, "4006381333931");
    EXPECT_EQ(r.message, "+10 MUG");
    r = scan(*station,
             "]C1010400638133393117270630"
             "10LOT7\x1d"
             "305");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "+5 MUG lot LOT7 expiring 2027-06-30");
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(scan(*station, "TEE-BLK").ok);
    }
    r = scan(*station, "DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "idle");

    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 22);
    EXPECT_EQ(on_hand("MUG", "RECEIVING", "LOT7", "2027-06-30"), 5);
    EXPECT_EQ(on_hand("TEE", "RECEIVING"), 4);
    const auto moves = ledger("recv1");
    ASSERT_EQ(moves.size(), 7U);  // one per line scanned
    for (const auto& m : moves) {
        EXPECT_EQ(m.reason, "receive");
        EXPECT_EQ(m.reference, "PO-1");
        EXPECT_EQ(m.operator_name, "OP-7");
    }
    EXPECT_EQ(receipts->state_of("PO-1"), "received");
    const auto reports = outbox("/out/receipts/PO-1/status");
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_EQ(reports[0]["differences"], 2);
    EXPECT_EQ(reports[0]["operator"], "OP-7");
    EXPECT_EQ(reports[0]["lines"][0],
              (nlohmann::json{{"sku", "MUG"}, {"expected", 24}, {"received", 27}, {"difference", 3}}));
    EXPECT_EQ(reports[0]["lines"][1],
              (nlohmann::json{{"sku", "TEE"}, {"expected", 5}, {"received", 4}, {"difference", -1}}));
    expect_books_hold();
}

TEST_F(ReceiveStationTest, GoodsWithoutPapersAreBookedAndNoReportIsSent) {
    EXPECT_TRUE(scan(*station, "KEY1").ok);
    EXPECT_TRUE(scan(*station, "KEY5").ok);  // typed on the keypad sheet: 15
    EXPECT_EQ(scan(*station, "TEE-BLK").message, "+15 TEE");
    ASSERT_TRUE(scan(*station, "DONE").ok);
    EXPECT_EQ(on_hand("TEE", "RECEIVING"), 15);
    EXPECT_TRUE(outbox("/status").empty());
    EXPECT_EQ(ledger("recv1").at(0).reference, "receive at recv1");
}

TEST_F(ReceiveStationTest, WrongScansAreRefusedAndChangeNothing) {
    expect_delivery("PO-1", {{"MUG", 2}});
    expect_delivery("PO-2", {{"TEE", 2}});
    const int64_t before = outbox_size();
    auto r = scan(*station, "DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "nothing received yet: scan the products first, then DONE");
    r = scan(*station, "A-01");
    EXPECT_FALSE(r.ok);
    r = scan(*station, "4006381333948");  // a GTIN with a wrong check digit
    EXPECT_FALSE(r.ok);
    r = scan(*station, "4000000000006");  // a right GTIN nobody catalogued
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message,
              "product 4000000000006 is not in the catalogue: put it aside for the office; nothing booked");
    EXPECT_TRUE(scan(*station, "PO-1").ok);
    r = scan(*station, "PO-2");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "delivery PO-1 is open: finish it with DONE or CANCEL first");
    EXPECT_FALSE(scan(*station, "QTY1234567").ok) << "more than six digits";
    EXPECT_TRUE(ledger("recv1").empty());
    EXPECT_EQ(outbox_size(), before);
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 0);
}

TEST_F(ReceiveStationTest, ADeliveryReceivedOnceIsNotReceivedAgain) {
    expect_delivery("PO-1", {{"MUG", 1}});
    ASSERT_TRUE(scan(*station, "PO-1").ok);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    ASSERT_TRUE(scan(*station, "DONE").ok);
    const auto r = scan(*station, "PO-1");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "delivery PO-1 is received, not expected: nothing to receive");
    Transaction tx(store->db());
    EXPECT_FALSE(receipts->apply({"ev-again", "receipt.expected", "PO-1", "", {{"MUG", 5}}}).ok())
        << "a received delivery's lines are not replaced";
}

TEST_F(ReceiveStationTest, ARestartResumesTheOpenDeliveryAndUndoTakesBackTheLastScan) {
    expect_delivery("PO-1", {{"MUG", 3}});
    ASSERT_TRUE(scan(*station, "PO-1").ok);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    ASSERT_TRUE(scan(*station, "14006381333938").ok);
    station = make_station();  // packd restarted: only the store remembers
    EXPECT_TRUE(station->busy());
    auto r = scan(*station, "UNDO");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "took back 12 x MUG");
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    r = scan(*station, "DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 2);
    EXPECT_EQ(outbox("/out/receipts/PO-1/status").at(0)["lines"][0]["difference"], -1);
}

TEST_F(ReceiveStationTest, CancelBooksNothing) {
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    const auto r = scan(*station, "CANCEL");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_FALSE(station->busy());
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 0);
    EXPECT_TRUE(ledger("recv1").empty());
}

}  // namespace
}  // namespace packd::fulfillment
