#include "packd/fulfillment/stations/putaway_station.hpp"

#include "task_station_fixture.hpp"

namespace packd::fulfillment {
namespace {

class PutawayStationTest : public TaskStationTest {
  protected:
    void SetUp() override {
        TaskStationTest::SetUp();
        station = std::make_unique<PutawayStation>(*store, *inventory, "put1", TaskStationOptions{});
    }
    std::unique_ptr<PutawayStation> station;
};

TEST_F(PutawayStationTest, EverythingOfAProductWaitingInReceivingMovesToTheBinScanned) {
    stock("MUG", "RECEIVING", 12);
    stock("MUG", "A-02", 3);  // where it lives already: the bin suggested
    auto r = scan(*station, "4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "location");
    EXPECT_EQ(r.message, "put away 12 x MUG");
    EXPECT_EQ(r.next, "scan the bin it goes to: A-02 holds it already");
    r = scan(*station, "A-02");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "moved 12 x MUG from RECEIVING to A-02");
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 0);
    EXPECT_EQ(on_hand("MUG", "A-02"), 15);
    const auto moves = ledger("put1");
    ASSERT_EQ(moves.size(), 2U);
    EXPECT_EQ(moves[0].reason, "transfer");
    EXPECT_EQ(moves[0].location, "RECEIVING");
    EXPECT_EQ(moves[0].delta, -12);
    EXPECT_EQ(moves[1].location, "A-02");
    EXPECT_EQ(moves[1].delta, 12);
    expect_books_hold();
}

TEST_F(PutawayStationTest, AQuantityMovesOnlyThatManyEarliestExpiryFirst) {
    stock("MUG", "RECEIVING", 5, "LOT-B", "2027-01-31");
    stock("MUG", "RECEIVING", 5, "LOT-A", "2026-12-31");
    stock("MUG", "RECEIVING", 4);
    ASSERT_TRUE(scan(*station, "QTY7").ok);
    auto r = scan(*station, "4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.next, "scan the bin it goes to (no bin holds MUG yet)");
    ASSERT_TRUE(scan(*station, "A-01").ok);
    EXPECT_EQ(on_hand("MUG", "A-01", "LOT-A", "2026-12-31"), 5);
    EXPECT_EQ(on_hand("MUG", "A-01", "LOT-B", "2027-01-31"), 2);
    EXPECT_EQ(on_hand("MUG", "RECEIVING", "LOT-B", "2027-01-31"), 3);
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 4);
    expect_books_hold();
}

TEST_F(PutawayStationTest, WrongScansAreRefusedAndMoveNothing) {
    stock("MUG", "RECEIVING", 2);
    auto r = scan(*station, "A-01");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the product first, then where it goes");
    r = scan(*station, "TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "no TEE waits in RECEIVING: nothing to put away");
    ASSERT_TRUE(scan(*station, "QTY3").ok);
    r = scan(*station, "4006381333931");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "only 2 x MUG wait in RECEIVING, not 3");
    ASSERT_TRUE(scan(*station, "QTY0").ok);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    r = scan(*station, "RECEIVING");
    EXPECT_FALSE(r.ok);
    r = scan(*station, "TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the location for MUG first, or UNDO");
    EXPECT_TRUE(ledger("put1").empty());
    // A restart keeps the product in hand; UNDO puts it back down.
    station = std::make_unique<PutawayStation>(*store, *inventory, "put1", TaskStationOptions{});
    EXPECT_TRUE(station->busy());
    ASSERT_TRUE(scan(*station, "UNDO").ok);
    EXPECT_FALSE(station->busy());
    EXPECT_EQ(on_hand("MUG", "RECEIVING"), 2);
}

}  // namespace
}  // namespace packd::fulfillment
