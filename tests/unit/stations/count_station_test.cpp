#include "packd/fulfillment/stations/count_station.hpp"

#include "packd/fulfillment/stations/station_shift.hpp"
#include "task_station_fixture.hpp"

namespace packd::fulfillment {
namespace {

class CountStationTest : public TaskStationTest {
  protected:
    void SetUp() override {
        TaskStationTest::SetUp();
        stock("MUG", "A-01", 10);
        stock("TEE", "A-01", 4);
        station = make_station({});
    }
    std::unique_ptr<CountStation> make_station(TaskStationOptions options) {
        return std::make_unique<CountStation>(*store, *inventory, "count1", options);
    }
    /// Whether the SKU's level waits to be published to the shop.
    bool level_due(const std::string& sku) {
        auto st = store->db().prepare("SELECT version > published FROM stock_out WHERE sku = ?");
        st.bind(1, sku);
        return st.step() && st.int64(0) == 1;
    }
    void mark_levels_published() { store->db().exec("UPDATE stock_out SET published = version"); }
    std::unique_ptr<CountStation> station;
};

TEST_F(CountStationTest, ABlindCountWithADifferenceIsCountedAgainBeforeItIsBooked) {
    mark_levels_published();
    {
        Transaction tx(store->db());
        set_shift_badge(*store, "count1", "OP-3");
        tx.commit();
    }
    auto r = scan(*station, "A-01");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "counting");
    EXPECT_TRUE(r.lines.empty()) << "blind: nothing of what the books say is shown";
    ASSERT_TRUE(scan(*station, "QTY8").ok);
    r = scan(*station, "4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    ASSERT_EQ(r.lines.size(), 1U);
    EXPECT_FALSE(r.lines[0].expected.has_value());
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(scan(*station, "TEE-BLK").ok);
    }
    r = scan(*station, "DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "recount");
    EXPECT_EQ(r.message,
              "the count differs from the books on MUG: count A-01 again from the start, then DONE");
    EXPECT_TRUE(r.lines.empty()) << "the recount starts from nothing";
    EXPECT_EQ(on_hand("MUG", "A-01"), 10) << "nothing is booked before the recount";
    EXPECT_TRUE(ledger("count1").empty());

    station = make_station({});  // a restart in the middle of the recount
    EXPECT_EQ(scan(*station, "QTY8").ok, true);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    ASSERT_TRUE(scan(*station, "QTY4").ok);
    ASSERT_TRUE(scan(*station, "TEE-BLK").ok);
    r = scan(*station, "DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "A-01 counted: MUG -2 booked");
    EXPECT_EQ(on_hand("MUG", "A-01"), 8);
    EXPECT_EQ(on_hand("TEE", "A-01"), 4);
    const auto moves = ledger("count1");
    ASSERT_EQ(moves.size(), 1U);
    EXPECT_EQ(moves[0].reason, "count");
    EXPECT_EQ(moves[0].delta, -2);
    EXPECT_EQ(moves[0].reference, "count A-01");
    EXPECT_EQ(moves[0].operator_name, "OP-3");
    EXPECT_TRUE(level_due("MUG")) << "the shop receives the new level";
    EXPECT_FALSE(level_due("TEE"));
    expect_books_hold();
}

TEST_F(CountStationTest, ADifferenceWithinTheThresholdIsBookedAtOnceAndWhatWasNotFoundIsZero) {
    TaskStationOptions options;
    options.recount_threshold = 4;
    station = make_station(options);
    ASSERT_TRUE(scan(*station, "A-01").ok);
    ASSERT_TRUE(scan(*station, "QTY11").ok);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    const auto r = scan(*station, "DONE");  // no TEE found: 4 gone is within 4
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "A-01 counted: MUG +1, TEE -4 booked");
    EXPECT_EQ(on_hand("MUG", "A-01"), 11);
    EXPECT_EQ(on_hand("TEE", "A-01"), 0);
    expect_books_hold();
}

TEST_F(CountStationTest, AnOpenCountShowsTheBooksAndACountThatAgreesBooksNothing) {
    TaskStationOptions options;
    options.blind_count = false;
    station = make_station(options);
    auto r = scan(*station, "A-01");
    ASSERT_EQ(r.lines.size(), 2U);
    EXPECT_EQ(r.lines[0].sku, "MUG");
    EXPECT_EQ(r.lines[0].expected, 10);
    ASSERT_TRUE(scan(*station, "QTY10").ok);
    ASSERT_TRUE(scan(*station, "4006381333931").ok);
    ASSERT_TRUE(scan(*station, "QTY4").ok);
    ASSERT_TRUE(scan(*station, "TEE-BLK").ok);
    r = scan(*station, "DONE");
    EXPECT_EQ(r.message, "A-01 counted: as the books say");
    EXPECT_TRUE(ledger("count1").empty());
}

TEST_F(CountStationTest, WrongScansAreRefusedAndCountNothing) {
    auto r = scan(*station, "4006381333931");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the location you count first, then what lies in it");
    EXPECT_FALSE(scan(*station, "QTY5").ok) << "a quantity needs the location first";
    ASSERT_TRUE(scan(*station, "A-01").ok);
    r = scan(*station, "A-02");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "counting A-01: scan DONE when it is counted, or CANCEL");
    EXPECT_FALSE(scan(*station, "ORD-1").ok);
    ASSERT_TRUE(scan(*station, "CANCEL").ok);
    EXPECT_TRUE(ledger("count1").empty());
    EXPECT_EQ(on_hand("MUG", "A-01"), 10);
}

}  // namespace
}  // namespace packd::fulfillment
