#include "packd/fulfillment/stations/pick_station.hpp"

#include <gtest/gtest.h>

#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/stations/count_station.hpp"
#include "packd/fulfillment/stations/pack_station.hpp"
#include "task_station_fixture.hpp"

namespace packd::fulfillment {
namespace {

// The task stations' store and catalogue, with orders as the shop sends them and a third bin.
class PickStationTest : public TaskStationTest {
  protected:
    void SetUp() override {
        TaskStationTest::SetUp();
        orders = std::make_unique<OrderBook>(*store, *inventory, topics);
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_location("A-03", "bin").ok());
        tx.commit();
        station = make_station();
    }

    std::unique_ptr<PickStation> make_station(TaskStationOptions options = {}) {
        return std::make_unique<PickStation>(*store, *inventory, *orders, topics, "pick1", options);
    }

    void create(const std::string& id, std::vector<OrderLine> lines) {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = std::move(lines);
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
        ev.carrier = "UPS";
        Transaction tx(store->db());
        auto r = orders->create(ev, "{}", "test");
        ASSERT_TRUE(r.ok()) << r.error().message;
        tx.commit();
    }

    StationReply pick(const std::string& data) { return scan(*station, data); }

    /// Every scan must be taken; the last reply.
    StationReply picks(std::initializer_list<const char*> data) {
        StationReply r;
        for (const char* d : data) {
            r = pick(d);
            EXPECT_TRUE(r.ok) << d << ": " << r.message;
        }
        return r;
    }

    std::string tote_state(const std::string& tote) {
        auto st = store->db().prepare("SELECT order_id || ' ' || state FROM pick_totes WHERE tote = ?");
        st.bind(1, tote);
        return st.step() ? st.text(0) : std::string();
    }

    int64_t movements() {
        auto st = store->db().prepare("SELECT count(*) FROM movements WHERE reason = 'pick'");
        st.step();
        return st.int64(0);
    }

    std::unique_ptr<OrderBook> orders;
    std::unique_ptr<PickStation> station;
};

TEST_F(PickStationTest, BatchOfThreeOrdersIntoThreeTotesWithOneShortPick) {
    stock("MUG", "A-02", 10);
    stock("TEE", "A-01", 2);  // the books say 2; one is missing from the shelf
    create("1001", {{"MUG", 2}});
    create("1002", {{"TEE", 1}, {"MUG", 1}});
    create("1003", {{"TEE", 1}});

    auto r = pick("ORD-1001");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "order 1001 joins the wave: scan a tote for it");
    r = pick("TOTE-1");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "TOTE-1 holds order 1001 (1 of 12): scan the next order, or DONE to start picking");
    picks({"1002", "TOTE-2", "ORD-1003", "TOTE-3"});
    EXPECT_EQ(orders->state_of("1001"), OrderState::accepted) << "nothing is picked before the wave starts";

    r = pick("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "go to A-01: pick 1 x TEE for TOTE-2");
    for (const char* id : {"1001", "1002", "1003"}) {
        EXPECT_EQ(orders->state_of(id), OrderState::picking) << id;
    }
    r = picks({"A-01", "TEE-BLK"});
    EXPECT_EQ(r.message, "1 x TEE into TOTE-2 (order 1002); go to A-01: pick 1 x TEE for TOTE-3");

    r = pick("SHORT");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(
        r.message,
        "order 1003 held (short pick at A-01: TEE 0 of 1): set TOTE-3 aside to be emptied and put back; "
        "go to A-02: pick 2 x MUG for TOTE-1");
    EXPECT_EQ(orders->state_of("1003"), OrderState::held);
    EXPECT_EQ(orders->detail("1003")->hold_reason, "short pick at A-01: TEE 0 of 1");
    EXPECT_EQ(tote_state("TOTE-3"), "") << "the held order's tote is free again";

    r = picks({"A-02", "QTY2", "4006381333931"});
    EXPECT_EQ(r.message, "2 x MUG into TOTE-1 (order 1001); go to A-02: pick 1 x MUG for TOTE-2");
    r = pick("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message,
              "1 x MUG into TOTE-2 (order 1002); wave picked: take TOTE-1 (order 1001), TOTE-2 (order 1002) "
              "to packing");
    EXPECT_EQ(r.step, "idle");
    EXPECT_FALSE(station->busy());

    EXPECT_EQ(orders->state_of("1001"), OrderState::picking) << "picked orders wait for packing";
    EXPECT_EQ(orders->state_of("1002"), OrderState::picking);
    EXPECT_EQ(tote_state("TOTE-1"), "1001 pack");
    EXPECT_EQ(tote_state("TOTE-2"), "1002 pack");

    // The shop heard each order start picking and 1003 held with the reason.
    std::vector<std::string> heard;
    for (const auto& s : outbox("/status")) {
        if (s["state"] != "accepted") {
            heard.push_back(s["order_id"].get<std::string>() + " " + s["state"].get<std::string>() +
                            (s.contains("reason") ? " " + s["reason"].get<std::string>() : ""));
        }
    }
    EXPECT_EQ(heard, (std::vector<std::string>{"1001 picking", "1002 picking", "1003 picking",
                                               "1003 held short pick at A-01: TEE 0 of 1"}));
    const auto alerts = outbox("/alerts");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["kind"], "short_pick");
    EXPECT_EQ(alerts[0]["sku"], "TEE");
    EXPECT_EQ(alerts[0]["location"], "A-01");
    EXPECT_EQ(alerts[0]["order_id"], "1003");

    auto counts = store->db().prepare("SELECT location, sku, reason FROM count_tasks");
    ASSERT_TRUE(counts.step());
    EXPECT_EQ(counts.text(0), "A-01");
    EXPECT_EQ(counts.text(1), "TEE");
    EXPECT_EQ(counts.text(2), "short pick at A-01: TEE 0 of 1");
    EXPECT_FALSE(counts.step());
    EXPECT_EQ(station->view()["count_tasks"].size(), 1u);

    // Each pick moved its units from the bin to PACKING, signed by the station, for its order.
    const auto moved = ledger("pick1");
    ASSERT_EQ(moved.size(), 6u);
    EXPECT_EQ(moved[0].location, "A-01");
    EXPECT_EQ(moved[0].delta, -1);
    EXPECT_EQ(moved[1].location, "PACKING");
    EXPECT_EQ(moved[1].delta, 1);
    EXPECT_EQ(moved[0].reference, "1002");
    EXPECT_EQ(moved[2].reference, "1001");
    EXPECT_EQ(moved[2].delta, -2);
    for (const auto& m : moved) {
        EXPECT_EQ(m.reason, "pick");
    }
    EXPECT_EQ(on_hand("MUG", "A-02"), 7);
    EXPECT_EQ(on_hand("MUG", "PACKING"), 3);
    EXPECT_EQ(on_hand("TEE", "A-01"), 1);
    EXPECT_EQ(on_hand("TEE", "PACKING"), 1);
    EXPECT_EQ(inventory->level("TEE").reserved, 1) << "the held order's reservation is released";
    expect_books_hold();

    // A count of the location clears its count task.
    CountStation counter(*store, *inventory, "count1", {});
    for (const char* s : {"A-01", "DONE", "DONE"}) {  // the difference asks for a recount first
        ASSERT_TRUE(scan(counter, s).ok) << s;
    }
    EXPECT_EQ(station->view()["count_tasks"].size(), 0u);
    EXPECT_EQ(on_hand("TEE", "A-01"), 0) << "the empty bin is booked empty";
}

TEST_F(PickStationTest, WalkGoesByLocationTakingTheEarliestExpiryFirst) {
    stock("MUG", "A-02", 5, "L1", "2027-01-01");
    stock("MUG", "A-01", 5, "L2", "2027-06-01");
    stock("MUG", "A-03", 5, "L3", "2028-01-01");
    stock("TEE", "A-03", 3);
    create("2001", {{"MUG", 7}, {"TEE", 1}});
    picks({"2001", "TOTE-9"});
    auto r = pick("DONE");
    EXPECT_EQ(r.message, "go to A-01: pick 2 x MUG lot L2 for TOTE-9");
    const auto walk = station->view()["walk"];
    ASSERT_EQ(walk.size(), 3u) << walk.dump();
    EXPECT_EQ(walk[0]["location"], "A-01");
    EXPECT_EQ(walk[0]["wanted"], 2);
    EXPECT_EQ(walk[1]["location"], "A-02");
    EXPECT_EQ(walk[1]["lot"], "L1");
    EXPECT_EQ(walk[1]["wanted"], 5) << "the earliest expiry is taken whole";
    EXPECT_EQ(walk[2]["location"], "A-03");
    EXPECT_EQ(walk[2]["sku"], "TEE") << "lot L3 expires last and is not needed";

    // Without the location scan, the item is enough at each stop.
    station = make_station(TaskStationOptions{.pick_scan_location = false});
    r = picks({"QTY2", "4006381333931", "QTY5", "4006381333931", "TEE-BLK"});
    EXPECT_EQ(r.message,
              "1 x TEE into TOTE-9 (order 2001); wave picked: take TOTE-9 (order 2001) to packing");
    EXPECT_EQ(on_hand("MUG", "A-01", "L2", "2027-06-01"), 3);
    EXPECT_EQ(on_hand("MUG", "A-02", "L1", "2027-01-01"), 0);
    EXPECT_EQ(on_hand("MUG", "PACKING", "L1", "2027-01-01"), 5);
    expect_books_hold();
}

TEST_F(PickStationTest, WrongScansAreRefusedAndChangeNothing) {
    stock("MUG", "A-01", 5);
    stock("TEE", "A-02", 1);
    create("3001", {{"MUG", 1}});
    create("3002", {{"TEE", 1}});
    create("3003", {{"TEE", 5}});  // more than there is: held on arrival
    ASSERT_EQ(orders->state_of("3003"), OrderState::held);

    EXPECT_FALSE(pick("TOTE-1").ok);
    EXPECT_FALSE(pick("DONE").ok);
    auto r = pick("3003");
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("order 3003 is held ("), std::string::npos) << r.message;
    picks({"ORD-3001"});
    r = pick("ORD-3002");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "order 3001 waits for its tote: scan a tote first");
    EXPECT_FALSE(pick("DONE").ok);
    picks({"TOTE-1"});
    r = pick("ORD-3001");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "order 3001 is in TOTE-1 already");
    picks({"ORD-3002"});
    r = pick("TOTE-1");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "TOTE-1 holds order 3001 at station pick1: take an empty tote");
    r = pick("UNDO");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "order 3002 left the wave");

    r = pick("DONE");
    EXPECT_EQ(r.message, "go to A-01: pick 1 x MUG for TOTE-1");
    EXPECT_EQ(orders->state_of("3002"), OrderState::accepted) << "it left the wave before picking";
    r = pick("4006381333931");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan location A-01 first: go to A-01: pick 1 x MUG for TOTE-1");
    r = pick("A-02");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "this stop is A-01, not A-02: go to A-01: pick 1 x MUG for TOTE-1");
    picks({"A-01"});
    r = pick("TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "TEE is not picked here: put it back; go to A-01: pick 1 x MUG for TOTE-1");
    r = pick("14006381333938");  // the case of 12
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.message,
        "that is 12 x MUG and only 1 are wanted here: put it back; go to A-01: pick 1 x MUG for TOTE-1");
    EXPECT_FALSE(pick("UNDO").ok);
    EXPECT_FALSE(pick("CANCEL").ok);
    EXPECT_FALSE(pick("DONE").ok);
    EXPECT_EQ(movements(), 0) << "a refused scan moves nothing";
    EXPECT_EQ(on_hand("MUG", "A-01"), 5);

    r = pick("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(movements(), 2);
    expect_books_hold();
}

TEST_F(PickStationTest, CancelBeforePickingFreesTheTotes) {
    stock("MUG", "A-01", 5);
    create("3501", {{"MUG", 1}});
    picks({"3501", "TOTE-1"});
    auto r = pick("CANCEL");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(tote_state("TOTE-1"), "");
    EXPECT_FALSE(station->busy());
    EXPECT_EQ(orders->state_of("3501"), OrderState::accepted);
}

TEST_F(PickStationTest, AnOrderCancelledOnTheCartLeavesTheWave) {
    stock("MUG", "A-01", 5);
    stock("TEE", "A-02", 5);
    create("3601", {{"MUG", 1}});
    create("3602", {{"TEE", 1}});
    create("3603", {{"TEE", 1}});
    picks({"3601", "TOTE-1", "3602", "TOTE-2", "3603", "TOTE-3"});
    const auto cancel = [&](const std::string& id) {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->cancel(id, "c-" + id).ok());
        tx.commit();
    };
    cancel("3601");  // before the walk starts
    auto r = pick("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message,
              "order 3601 is cancelled: take TOTE-1 off the cart; go to A-02: pick 1 x TEE for TOTE-2");
    cancel("3602");  // on the way
    r = pick("A-02");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.message,
        "order 3602 is cancelled: set TOTE-2 aside to be emptied and put back; that scan was not taken; go "
        "to A-02: pick 1 x TEE for TOTE-3");
    r = picks({"A-02", "TEE-BLK"});
    EXPECT_EQ(r.message,
              "1 x TEE into TOTE-3 (order 3603); wave picked: take TOTE-3 (order 3603) to packing");
    EXPECT_EQ(tote_state("TOTE-1"), "");
    EXPECT_EQ(tote_state("TOTE-2"), "");
    expect_books_hold();
}

TEST_F(PickStationTest, ARestartResumesTheWaveWhereThePickerWas) {
    stock("MUG", "A-01", 5);
    stock("TEE", "A-02", 5);
    create("4001", {{"MUG", 1}});
    create("4002", {{"TEE", 1}});
    picks({"4001"});
    station = make_station();  // packd restarted while the order waited for its tote
    picks({"TOTE-1", "4002", "TOTE-2", "DONE", "A-01", "4006381333931"});

    station = make_station();
    EXPECT_TRUE(station->busy());
    const auto view = station->view();
    EXPECT_EQ(view["state"], "picking");
    EXPECT_EQ(view["totes"].size(), 2u);
    EXPECT_EQ(view["next"], "go to A-02: pick 1 x TEE for TOTE-2");
    auto r = pick("TEE-BLK");
    EXPECT_FALSE(r.ok) << "the location of the new stop is still to be scanned";
    r = picks({"A-02", "TEE-BLK"});
    EXPECT_EQ(r.message,
              "1 x TEE into TOTE-2 (order 4002); wave picked: take TOTE-1 (order 4001), TOTE-2 (order 4002) "
              "to packing");
    EXPECT_EQ(movements(), 4);
}

TEST_F(PickStationTest, AToteScannedAtAPackStationOpensItsOrder) {
    stock("MUG", "A-01", 5);
    create("5001", {{"MUG", 2}});
    picks({"5001", "TOTE-7", "DONE", "A-01", "QTY2", "4006381333931"});
    ASSERT_EQ(tote_state("TOTE-7"), "5001 pack");

    PackStation pack(*store, *orders, "pack1", {}, [](const StationReply&) {});
    ScanRules rules;
    rules.this_year = 2026;
    const auto at_pack = [&](const std::string& data) {
        ScanEvent ev;
        ev.station = "pack1";
        ev.device = "gun";
        ev.raw = data;
        ev.meaning = interpret_scan(data, {}, rules, catalogue_of(*inventory));
        return pack.on_scan(ev);
    };
    auto r = at_pack("TOTE-8");
    EXPECT_FALSE(r.ok) << "no order waits in that tote";
    r = at_pack("TOTE-7");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "5001");
    EXPECT_EQ(r.message, "order 5001: scan its 2 items");
    at_pack("4006381333931");
    at_pack("4006381333931");
    r = at_pack("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(orders->state_of("5001"), OrderState::shipped);
    EXPECT_EQ(tote_state("TOTE-7"), "") << "the tote is free once its order shipped";
    EXPECT_EQ(on_hand("MUG", "PACKING"), 0) << "shipping took the picked units from PACKING";
    EXPECT_EQ(on_hand("MUG", "A-01"), 3);
    expect_books_hold();
}

}  // namespace
}  // namespace packd::fulfillment
