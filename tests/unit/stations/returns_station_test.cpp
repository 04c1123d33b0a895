#include "packd/fulfillment/stations/returns_station.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

// A real store with a small catalogue and an order that shipped and comes back as RMA-1 (one mug, one tee;
// its return label is UPS's published example number); scans read by the same interpretation the daemon
// uses.
class ReturnsStationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        orders = std::make_unique<OrderBook>(*store, *inventory, Topics("packd/v1", "t"));
        returns = std::make_unique<ReturnDesk>(*store, *orders, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"TEE", "Tee", 180, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"CAP", "Cap", 90, {}, {}, {}, 0, 0, true}).ok());
        // The last vase: once it ships the shop hears it is low, and when it comes back that it is in again.
        ASSERT_TRUE(inventory->put_product({"VASE", "Vase", 900, {}, {}, {}, 1, 4, true}).ok());
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"TEE-BLK", "TEE", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"CAP-RED", "CAP", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"VASE-1", "VASE", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(inventory->put_location("B-02", "bin").ok());
        for (auto [sku, bin, n] :
             {std::tuple{"MUG", "A-01", 5}, std::tuple{"MUG", "B-02", 1}, std::tuple{"TEE", "A-01", 3},
              std::tuple{"CAP", "A-01", 2}, std::tuple{"VASE", "A-01", 1}}) {
            ASSERT_TRUE(
                inventory->record({sku, bin, "", "", n, MovementReason::receive, "", "", "", ""}).ok());
        }
        tx.commit();
        ship("1001", {{"MUG", 1}, {"TEE", 1}});
        request("RMA-1", "1001", {{"MUG", 1}, {"TEE", 1}}, "1Z999AA10123456784");
        station = make_station();
    }

    std::unique_ptr<ReturnsStation> make_station() {
        return std::make_unique<ReturnsStation>(*store, *inventory, *returns, "ret1", TaskStationOptions{});
    }

    void ship(const std::string& id, std::vector<OrderLine> lines) {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = std::move(lines);
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
        ev.carrier = "DHL";
        Transaction tx(store->db());
        auto created = orders->create(ev, "{}", "test");
        ASSERT_TRUE(created.ok()) << created.error().message;
        auto shipped = orders->ship(id, {"DHL", "T-" + id, 500, "", "", ""});
        ASSERT_TRUE(shipped.ok()) << shipped.error().message;
        tx.commit();
    }

    void request(const std::string& rma, const std::string& order_id, std::vector<OrderQuantity> lines,
                 const std::string& label) {
        Transaction tx(store->db());
        auto requested = returns->request({"req-" + rma, "return.requested", rma, order_id, lines, "", ""});
        ASSERT_TRUE(requested.ok()) << requested.error().message;
        auto approved = returns->approve({"app-" + rma, "return.approved", rma, "", {}, "UPS", label});
        ASSERT_TRUE(approved.ok()) << approved.error().message;
        tx.commit();
    }

    StationReply scan(const std::string& data, ReturnsStation* at = nullptr) {
        ScanRules rules;
        rules.this_year = 2026;
        ScanEvent ev;
        ev.station = "ret1";
        ev.device = "gun";
        ev.raw = data;
        ev.meaning = interpret_scan(data, {}, rules, catalogue_of(*inventory));
        return (at ? at : station.get())->on_scan(ev);
    }

    std::vector<json> outbox(const std::string& topic_end) {
        std::vector<json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic.ends_with(topic_end)) {
                out.push_back(json::parse(m.payload));
            }
        }
        return out;
    }

    /// The stock alerts (low_stock, back_in_stock); a shipment's weight check raises others.
    std::vector<json> stock_alerts() {
        auto out = outbox("/out/alerts");
        std::erase_if(out,
                      [](const json& a) { return a["kind"] != "low_stock" && a["kind"] != "back_in_stock"; });
        return out;
    }

    int64_t on_hand(const std::string& sku, const std::string& location) {
        int64_t n = 0;
        for (const auto& row : inventory->level(sku).rows) {
            n += row.location == location ? row.on_hand : 0;
        }
        return n;
    }

    /// "sku location delta station operator note" per return movement, oldest first.
    std::vector<std::string> return_movements() {
        std::vector<std::string> out;
        auto st = store->db().prepare(
            "SELECT sku, location, delta, reference, station, operator, note FROM movements "
            "WHERE reason = 'return' ORDER BY id");
        while (st.step()) {
            out.push_back(st.text(0) + " " + st.text(1) + " " + std::to_string(st.int64(2)) + " " +
                          st.text(3) + " " + st.text(4) + " " + st.text(5) + " " + st.text(6));
        }
        return out;
    }

    /// "sku quantity condition location expected station operator" per return receipt, oldest first.
    std::vector<std::string> receipts(const std::string& rma) {
        std::vector<std::string> out;
        auto st = store->db().prepare(
            "SELECT sku, quantity, condition, location, expected, station, operator FROM return_receipts "
            "WHERE rma = ? ORDER BY id");
        st.bind(1, rma);
        while (st.step()) {
            out.push_back(st.text(0) + " " + std::to_string(st.int64(1)) + " " + st.text(2) + " " +
                          (st.text(3).empty() ? "-" : st.text(3)) + " " + std::to_string(st.int64(4)) + " " +
                          st.text(5) + " " + (st.text(6).empty() ? "-" : st.text(6)));
        }
        return out;
    }

    /// What came back of each of the return's lines, "sku received/quantity".
    std::vector<std::string> received(const std::string& rma) {
        std::vector<std::string> out;
        for (const auto& l : returns->lines_of(rma)) {
            out.push_back(l.sku + " " + std::to_string(l.received) + "/" + std::to_string(l.quantity));
        }
        return out;
    }

    static std::vector<std::string> shown(const StationReply& r) {
        std::vector<std::string> out;
        for (const auto& l : r.lines) {
            out.push_back(l.sku + " " + std::to_string(l.quantity) + "/" +
                          (l.expected ? std::to_string(*l.expected) : "-") +
                          (l.condition.empty() ? "" : " " + l.condition));
        }
        return out;
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
    std::unique_ptr<ReturnDesk> returns;
    std::unique_ptr<ReturnsStation> station;
};

TEST_F(ReturnsStationTest, RestockedQuarantinedAndUnexpectedItemsAreBookedAndReportedForTheRefund) {
    {
        Transaction tx(store->db());
        set_shift_badge(*store, "ret1", "OP-ann");
        tx.commit();
    }
    const int64_t mugs_in_b02 = on_hand("MUG", "B-02");
    auto r = scan("RMA-1");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.mode, StationMode::returns);
    EXPECT_EQ(r.step, "items");
    EXPECT_EQ(r.task, "RMA-1");
    EXPECT_EQ(r.message, "return RMA-1: 2 item(s) expected; scan each one");
    EXPECT_EQ(shown(r), (std::vector<std::string>{"MUG 0/1", "TEE 0/1"}));

    r = scan("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "condition");
    EXPECT_EQ(r.message, "1 x MUG");
    EXPECT_EQ(r.next, "scan its condition: RESTOCK, QUARANTINE or SCRAP");
    r = scan("RESTOCK");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "location");
    EXPECT_EQ(r.next, "scan the bin it goes back to: A-01 holds it already");
    r = scan("B-02");  // the operator's choice wins over the suggestion
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.step, "items");
    EXPECT_EQ(r.message, "1 x MUG back to B-02");

    r = scan("TEE-BLK");
    ASSERT_TRUE(r.ok) << r.message;
    r = scan("QUARANTINE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "1 x TEE set aside in QUARANTINE");

    r = scan("CAP-RED");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "1 x CAP: not expected in RMA-1: recorded as unexpected");
    r = scan("SCRAP");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "1 x CAP scrapped: recorded, not stocked");
    EXPECT_EQ(shown(r), (std::vector<std::string>{"MUG 1/1", "TEE 1/1", "CAP 1/0 scrap"}));
    EXPECT_TRUE(return_movements().empty()) << "nothing is booked before DONE";
    EXPECT_EQ(returns->state_of("RMA-1"), "approved");

    r = scan("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message,
              "return RMA-1 received: 3 item(s), 1 of them unexpected; the shop has it for the refund");
    EXPECT_EQ(r.step, "idle");
    EXPECT_FALSE(station->busy());

    EXPECT_EQ(on_hand("MUG", "B-02"), mugs_in_b02 + 1);
    EXPECT_EQ(on_hand("TEE", "QUARANTINE"), 1);
    EXPECT_EQ(on_hand("CAP", "A-01"), 2) << "scrap is no stock";
    EXPECT_EQ(inventory->level("CAP").on_hand, 2);
    EXPECT_EQ(return_movements(),
              (std::vector<std::string>{"MUG B-02 1 RMA-1 ret1 OP-ann restock",
                                        "TEE QUARANTINE 1 RMA-1 ret1 OP-ann quarantine"}));
    EXPECT_EQ(receipts("RMA-1"), (std::vector<std::string>{"MUG 1 restock B-02 1 ret1 OP-ann",
                                                           "TEE 1 quarantine QUARANTINE 1 ret1 OP-ann",
                                                           "CAP 1 scrap - 0 ret1 OP-ann"}));
    EXPECT_EQ(returns->state_of("RMA-1"), "received");
    EXPECT_EQ(received("RMA-1"), (std::vector<std::string>{"MUG 1/1", "TEE 1/1"}));
    EXPECT_TRUE(inventory->verify().problems.empty());

    const auto statuses = outbox("/out/returns/RMA-1/status");
    ASSERT_EQ(statuses.size(), 3u);  // requested, approved, received
    const json expected = {
        {"rma", "RMA-1"},
        {"order_id", "1001"},
        {"state", "received"},
        {"station", "ret1"},
        {"operator", "OP-ann"},
        {"lines",
         {{{"sku", "MUG"},
           {"quantity", 1},
           {"condition", "restock"},
           {"location", "B-02"},
           {"expected", true}},
          {{"sku", "TEE"},
           {"quantity", 1},
           {"condition", "quarantine"},
           {"location", "QUARANTINE"},
           {"expected", true}},
          {{"sku", "CAP"}, {"quantity", 1}, {"condition", "scrap"}, {"location", ""}, {"expected", false}}}}};
    EXPECT_EQ(statuses[2], expected) << statuses[2].dump();

    r = scan("RMA-1");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "return RMA-1 is received, not requested or approved: nothing to receive");
    EXPECT_FALSE(station->busy());
}

TEST_F(ReturnsStationTest, WrongScansAreRefusedAndChangeNothing) {
    auto r = scan("4006381333931");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the return label or the RMA first, then its items");
    EXPECT_FALSE(station->busy());
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "nothing received yet: scan the return label or the RMA first");
    r = scan("RESTOCK");
    EXPECT_FALSE(r.ok);
    r = scan("QTY2");
    EXPECT_FALSE(r.ok) << "a quantity counts an item of an open return";
    r = scan("RMA-404");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "no return has RMA-404: not an RMA nor a return label packd knows");
    EXPECT_FALSE(station->busy());

    ASSERT_TRUE(scan("RMA-1").ok);
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "nothing received yet: scan the items of RMA-1, then DONE");
    r = scan("A-01");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the item first, then its condition; a bin only after RESTOCK");
    r = scan("SCRAP");
    EXPECT_FALSE(r.ok);
    ASSERT_TRUE(scan("4006381333931").ok);
    r = scan("A-01");  // a location before the condition
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.message,
        "scan the condition of 1 x MUG first: RESTOCK, QUARANTINE or SCRAP; the bin comes after RESTOCK");
    EXPECT_EQ(r.step, "condition");
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.step, "condition");
    r = scan("TEE-BLK");
    EXPECT_FALSE(r.ok) << "one item at a time";
    ASSERT_TRUE(scan("RESTOCK").ok);
    r = scan("RECEIVING");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.message,
        "RECEIVING is a receiving location, not a bin: scan the bin it goes back to, or QUARANTINE to set "
        "it aside");
    EXPECT_EQ(r.step, "location");
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan the bin 1 x MUG goes back to, or UNDO");
    r = scan("RMA-1");
    EXPECT_FALSE(r.ok);

    EXPECT_EQ(station->view()["lines"].size(), 2u);
    EXPECT_TRUE(return_movements().empty());
    EXPECT_TRUE(receipts("RMA-1").empty());
    EXPECT_EQ(returns->state_of("RMA-1"), "approved");
    EXPECT_EQ(received("RMA-1"), (std::vector<std::string>{"MUG 0/1", "TEE 0/1"}));
    EXPECT_EQ(outbox("/out/returns/RMA-1/status").size(), 2u);
}

TEST_F(ReturnsStationTest, ARestartResumesTheReturnWhereTheOperatorWas) {
    ASSERT_TRUE(scan("RMA-1").ok);
    ASSERT_TRUE(scan("4006381333931").ok);
    ASSERT_TRUE(scan("RESTOCK").ok);
    station = make_station();  // the daemon restarted between RESTOCK and the bin
    EXPECT_TRUE(station->busy());
    EXPECT_EQ(station->view()["state"], "location");
    auto r = scan("A-01");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "1 x MUG back to A-01");
    ASSERT_TRUE(scan("TEE-BLK").ok);
    station = make_station();
    r = scan("SCRAP");
    ASSERT_TRUE(r.ok) << r.message;
    station = make_station();
    EXPECT_EQ(
        station->view()["lines"],
        json::parse(R"([{"sku":"MUG","quantity":1,"expected":1},{"sku":"TEE","quantity":1,"expected":1}])"));
    r = scan("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(receipts("RMA-1"),
              (std::vector<std::string>{"MUG 1 restock A-01 1 ret1 -", "TEE 1 scrap - 1 ret1 -"}));
    EXPECT_EQ(return_movements(), (std::vector<std::string>{"MUG A-01 1 RMA-1 ret1  restock"}));
    EXPECT_EQ(returns->state_of("RMA-1"), "received");
}

TEST_F(ReturnsStationTest, TheReturnLabelsTrackingNumberFindsTheReturn) {
    auto r = scan("1Z999AA10123456784");  // a UPS number: read as a tracking number
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.task, "RMA-1");
    ASSERT_TRUE(scan("CANCEL").ok);

    ship("1002", {{"CAP", 1}});
    request("RMA-7", "1002", {{"CAP", 1}}, "JJD0007");  // a number of no known format: looked up as it is
    r = scan("JJD0007");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.task, "RMA-7");
    EXPECT_EQ(shown(r), (std::vector<std::string>{"CAP 0/1"}));
}

TEST_F(ReturnsStationTest, MoreOfAnItemThanTheReturnAnnouncedIsRecordedAsUnexpected) {
    ASSERT_TRUE(scan("RMA-1").ok);
    ASSERT_TRUE(scan("QTY3").ok);
    auto r = scan("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "3 x MUG: only 1 expected in RMA-1: 2 recorded as unexpected");
    ASSERT_TRUE(scan("RESTOCK").ok);
    ASSERT_TRUE(scan("A-01").ok);
    r = scan("4006381333931");
    EXPECT_EQ(r.message, "1 x MUG: not expected in RMA-1: recorded as unexpected");
    r = scan("QUARANTINE");
    EXPECT_EQ(shown(r),
              (std::vector<std::string>{"MUG 1/1", "TEE 0/1", "MUG 2/0 restock", "MUG 1/0 quarantine"}));
    ASSERT_TRUE(scan("DONE").ok);
    EXPECT_EQ(receipts("RMA-1"),
              (std::vector<std::string>{"MUG 1 restock A-01 1 ret1 -", "MUG 2 restock A-01 0 ret1 -",
                                        "MUG 1 quarantine QUARANTINE 0 ret1 -"}));
    EXPECT_EQ(received("RMA-1"), (std::vector<std::string>{"MUG 1/1", "TEE 0/1"}));
    const auto status = outbox("/out/returns/RMA-1/status").back();
    ASSERT_EQ(status["lines"].size(), 3u);
    EXPECT_EQ(status["lines"][1]["expected"], false);
    EXPECT_EQ(status["operator"], "");
}

TEST_F(ReturnsStationTest, UndoDropsTheWaitingItemOrTakesBackTheLastAndCancelBooksNothing) {
    ASSERT_TRUE(scan("RMA-1").ok);
    ASSERT_TRUE(scan("4006381333931").ok);
    auto r = scan("UNDO");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "put back 1 x MUG: nothing recorded of it");
    EXPECT_EQ(r.step, "items");
    ASSERT_TRUE(scan("4006381333931").ok);
    ASSERT_TRUE(scan("RESTOCK").ok);
    r = scan("UNDO");
    EXPECT_EQ(r.step, "items");
    ASSERT_TRUE(scan("TEE-BLK").ok);
    ASSERT_TRUE(scan("SCRAP").ok);
    r = scan("UNDO");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "took back 1 x TEE");
    EXPECT_EQ(shown(r), (std::vector<std::string>{"MUG 0/1", "TEE 0/1"}));
    ASSERT_TRUE(scan("CAP-RED").ok);
    ASSERT_TRUE(scan("QUARANTINE").ok);
    r = scan("CANCEL");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "returns of RMA-1 cancelled, nothing booked");
    EXPECT_FALSE(station->busy());
    EXPECT_TRUE(return_movements().empty());
    EXPECT_TRUE(receipts("RMA-1").empty());
    EXPECT_EQ(returns->state_of("RMA-1"), "approved");
    EXPECT_EQ(outbox("/out/returns/RMA-1/status").size(), 2u);
}

TEST_F(ReturnsStationTest, TheLastVaseRestockedIsBackInStockForTheShop) {
    ship("1003", {{"VASE", 1}});
    auto alerts = stock_alerts();
    ASSERT_FALSE(alerts.empty());
    EXPECT_EQ(alerts.back()["kind"], "low_stock");
    EXPECT_EQ(inventory->level("VASE").available, 0);
    request("RMA-3", "1003", {{"VASE", 1}}, "");
    ASSERT_TRUE(scan("RMA-3").ok);
    ASSERT_TRUE(scan("VASE-1").ok);
    auto r = scan("RESTOCK");
    EXPECT_EQ(r.next, "scan the bin it goes back to (no bin holds VASE yet)");
    ASSERT_TRUE(scan("A-01").ok);
    EXPECT_EQ(stock_alerts().size(), alerts.size()) << "nothing is in stock before DONE";
    ASSERT_TRUE(scan("DONE").ok);
    const auto after = stock_alerts();
    ASSERT_EQ(after.size(), alerts.size() + 1);
    EXPECT_EQ(after.back()["kind"], "back_in_stock");
    EXPECT_EQ(after.back()["sku"], "VASE");
    EXPECT_EQ(after.back()["available"], 1);
    EXPECT_EQ(inventory->level("VASE").available, 1);
}

}  // namespace
}  // namespace packd::fulfillment
