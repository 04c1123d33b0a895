#include "packd/fulfillment/stations/pack_station.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "packd/drivers/sim_scale.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;

// A real store with a small catalogue, a real sim scale behind a real WeightService, and scans read by the
// same interpretation the daemon uses: only the scanner is left out.
class PackStationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        orders = std::make_unique<OrderBook>(*store, *inventory, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"TEE", "Tee", 180, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"CAP", "Cap", 90, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"MUG-PAIR", "MUG", "internal", 2}).ok());
        ASSERT_TRUE(inventory->put_barcode({"TEE-BLK", "TEE", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"CAP-RED", "CAP", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        for (const char* sku : {"MUG", "TEE", "CAP"}) {
            ASSERT_TRUE(
                inventory->record({sku, "A-01", "", "", 10, MovementReason::receive, "", "", "", ""}).ok());
        }
        tx.commit();
        scale = std::make_shared<drivers::SimScale>(io, "bench", dir.file("scale.fifo"));
        weights = std::make_unique<WeightService>(io, scale);
        station = make_station();
    }

    std::unique_ptr<PackStation> make_station(const std::string& name = "pack1") {
        PackStationOptions options;
        options.weigh_timeout = 200ms;
        auto s = std::make_unique<PackStation>(*store, *orders, name, options,
                                               [this](const StationReply& r) { later.push_back(r); });
        s->use_scale(weights.get());
        return s;
    }

    void create(const std::string& id, std::vector<OrderLine> lines, const std::string& tracking = "") {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = std::move(lines);
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
        ev.carrier = "UPS";
        ev.tracking_number = tracking;
        Transaction tx(store->db());
        auto r = orders->create(ev, "{}", "test");
        ASSERT_TRUE(r.ok()) << r.error().message;
        tx.commit();
    }

    StationReply scan(const std::string& data, PackStation* at = nullptr) {
        ScanRules rules;
        rules.this_year = 2026;
        ScanEvent ev;
        ev.station = "pack1";
        ev.device = "gun";
        ev.raw = data;
        ev.meaning = interpret_scan(data, {}, rules, catalogue_of(*inventory));
        return (at ? at : station.get())->on_scan(ev);
    }

    void put_on_scale(int64_t grams) {
        for (int i = 0; i < 3; ++i) {
            scale->set_weight({grams * 1000, true, true, ""});
        }
    }

    // Runs the io_context until the weighing a DONE started has answered.
    bool wait_for_later(size_t count) {
        for (int i = 0; i < 500 && later.size() < count; ++i) {
            io.restart();  // run_for stops the io_context whenever it runs out of work
            io.run_for(10ms);
        }
        return later.size() >= count;
    }

    std::vector<nlohmann::json> outbox(const std::string& topic_end) {
        std::vector<nlohmann::json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic.ends_with(topic_end)) {
                out.push_back(nlohmann::json::parse(m.payload));
            }
        }
        return out;
    }

    test::TempDir dir;
    boost::asio::io_context io;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
    std::shared_ptr<drivers::SimScale> scale;
    std::unique_ptr<WeightService> weights;
    std::vector<StationReply> later;
    std::unique_ptr<PackStation> station;
};

TEST_F(PackStationTest, OrderItemsScaleAndDoneShipTheOrderWithItsStableWeight) {
    create("1001", {{"MUG", 2}, {"TEE", 1}});
    auto r = scan("ORD-1001");  // our order barcode: the prefix is not part of the shop's id
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "1001");
    EXPECT_EQ(r.state, StationState::packing);
    EXPECT_EQ(r.message, "order 1001: scan its 3 items");
    EXPECT_EQ(orders->state_of("1001"), OrderState::picking);

    r = scan("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "MUG 1/2; still to pack: MUG x1, TEE x1");
    r = scan("TEE-BLK");
    ASSERT_TRUE(r.ok) << r.message;
    r = scan("4006381333931");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.state, StationState::weighing);
    EXPECT_EQ(r.message, "all items packed: put the parcel on the scale and scan DONE");
    EXPECT_EQ(orders->state_of("1001"), OrderState::packed);

    r = scan("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "weighing: keep the parcel still on the scale");
    EXPECT_EQ(orders->state_of("1001"), OrderState::packed) << "nothing ships before the scale has settled";
    put_on_scale(905);
    ASSERT_TRUE(wait_for_later(1));
    ASSERT_TRUE(later[0].ok) << later[0].message;
    EXPECT_EQ(later[0].message, "order 1001 shipped at 905 g");
    EXPECT_EQ(later[0].weight_g, 905);
    EXPECT_EQ(later[0].state, StationState::idle);
    EXPECT_EQ(orders->state_of("1001"), OrderState::shipped);
    const auto shipments = outbox("/out/shipments");
    ASSERT_EQ(shipments.size(), 1u);
    EXPECT_EQ(shipments[0]["weight_g"], 905);
    EXPECT_EQ(shipments[0]["carrier"], "UPS") << "the order's carrier when the station names none";
    EXPECT_TRUE(outbox("/out/alerts").empty()) << "880 g of items within tolerance of 905 g";
    EXPECT_EQ(inventory->level("MUG").on_hand, 8);
    EXPECT_EQ(station->view()["state"], "idle");
}

TEST_F(PackStationTest, WrongExtraAndUnknownItemsAreRefusedAndChangeNothing) {
    create("7", {{"MUG", 1}});
    ASSERT_TRUE(scan("7").ok);  // the shop's plain order number works too
    auto r = scan("TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "TEE is not in order 7: take it out of the parcel");
    r = scan("MUG-PAIR");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "order 7 needs 1 of MUG and 0 are packed: take this one out (its code counts 2)");
    r = scan("4000000000006");  // a valid EAN-13 the catalogue does not know
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "product 4000000000006 is not in the catalogue: put it aside");
    r = scan("4006381333932");  // the mug's GTIN with a wrong check digit
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("check digit"), std::string::npos) << r.message;
    ASSERT_EQ(r.progress.size(), 1u);
    EXPECT_EQ(r.progress[0].packed, 0) << "a refused scan packs nothing";
    EXPECT_EQ(r.state, StationState::packing);
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "still to pack: MUG x1");
    EXPECT_EQ(orders->state_of("7"), OrderState::picking);
}

TEST_F(PackStationTest, AShopOrderNumberIsFoundBehindTheScannersSymbologyIdentifier) {
    create("1002", {{"CAP", 1}});
    auto r = scan("]C01002");  // Code 128, as a scanner with AIM identifiers switched on sends it
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "1002");
}

TEST_F(PackStationTest, ACaseCodeCountsItsPackQuantity) {
    create("8", {{"MUG", 2}});
    ASSERT_TRUE(scan("8").ok);
    auto r = scan("MUG-PAIR");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.state, StationState::weighing);
}

TEST_F(PackStationTest, ItemsBeforeAnOrderAndCommandsWithoutOneAreRefused) {
    auto r = scan("TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "scan an order first, then its items");
    r = scan("DONE");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "no order is open: scan an order first (DONE needs one)");
    r = scan("ORD-404");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "no order here has the order ORD-404");
    r = scan("A-01");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message,
              "a location scan means nothing at a pack station: scan an order, its items or a command");
    EXPECT_EQ(station->view()["recent"].size(), 4u) << "every scan is one reply on the station";
}

TEST_F(PackStationTest, TheTrackingBarcodeOnTheLabelOpensItsOrder) {
    create("55", {{"CAP", 1}}, "1Z999AA10123456784");
    auto r = scan("1Z999AA10123456784");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "55");
}

TEST_F(PackStationTest, ACarriersBarcodeOpensTheOrderByTheTrackingNumberInIt) {
    create("56", {{"CAP", 1}}, "987654312345672");  // the FedEx Ground number in the 96 barcode
    auto r = scan("9611020987654312345672");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "56");
    ASSERT_TRUE(scan("CANCEL").ok);
    create("57", {{"CAP", 1}}, "420221539101026837331000039521");  // the shop kept the whole USPS barcode
    r = scan("420221539101026837331000039521");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "57");
}

TEST_F(PackStationTest, AShopOrderNumberShapedLikeACarriersNumberStillOpensTheOrder) {
    create("3318810025", {{"CAP", 1}});  // ten digits that are also a valid DHL Express waybill number
    auto r = scan("3318810025");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.order_id, "3318810025");
}

TEST_F(PackStationTest, OneOrderAtATimeAndNeverAtTwoStations) {
    create("1", {{"CAP", 1}});
    create("2", {{"CAP", 1}});
    ASSERT_TRUE(scan("1").ok);
    auto r = scan("2");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message,
              "order 1 is open at this station: finish it with DONE or scan CANCEL before order 2");
    auto other = make_station("pack2");
    r = scan("1", other.get());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "order 1 is open at station pack1");
    EXPECT_TRUE(scan("2", other.get()).ok);
}

TEST_F(PackStationTest, HeldShippedAndCancelledOrdersDoNotOpen) {
    create("big", {{"CAP", 50}});
    auto r = scan("big");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message.rfind("order big is held: ", 0), 0u) << r.message;
    create("gone", {{"CAP", 1}});
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->cancel("gone", "c-1").ok());
        tx.commit();
    }
    r = scan("gone");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "order gone is cancelled: put it aside, do not pack it");
    EXPECT_EQ(r.state, StationState::idle);
}

TEST_F(PackStationTest, ARestartResumesWhereThePackerWas) {
    create("9", {{"MUG", 1}, {"TEE", 2}});
    ASSERT_TRUE(scan("9").ok);
    ASSERT_TRUE(scan("TEE-BLK").ok);
    station.reset();
    station = make_station();
    const auto view = station->view();
    EXPECT_EQ(view["order_id"], "9");
    EXPECT_EQ(view["state"], "packing");
    EXPECT_EQ(view["progress"][1]["sku"], "TEE");
    EXPECT_EQ(view["progress"][1]["packed"], 1);
    auto r = scan("TEE-BLK");
    EXPECT_EQ(r.message, "TEE 2/2; still to pack: MUG x1");
}

TEST_F(PackStationTest, NoStableWeightInTimeShipsNothingAndDoneAgainDoes) {
    create("3", {{"CAP", 1}});
    ASSERT_TRUE(scan("3").ok);
    ASSERT_TRUE(scan("CAP-RED").ok);
    ASSERT_TRUE(scan("DONE").ok);
    scale->set_weight({95000, false, true, ""});  // in motion
    ASSERT_TRUE(wait_for_later(1));
    EXPECT_FALSE(later[0].ok);
    EXPECT_EQ(later[0].message.rfind("no stable weight in time", 0), 0u) << later[0].message;
    EXPECT_EQ(later[0].state, StationState::weighing);
    EXPECT_EQ(orders->state_of("3"), OrderState::packed);
    put_on_scale(96);
    ASSERT_TRUE(scan("DONE").ok);
    ASSERT_TRUE(wait_for_later(2));
    EXPECT_TRUE(later[1].ok) << later[1].message;
    EXPECT_EQ(orders->state_of("3"), OrderState::shipped);
}

TEST_F(PackStationTest, AnEmptyScaleIsNotAParcelWeight) {
    create("4", {{"CAP", 1}});
    ASSERT_TRUE(scan("4").ok);
    ASSERT_TRUE(scan("CAP-RED").ok);
    put_on_scale(0);
    ASSERT_TRUE(scan("DONE").ok);
    ASSERT_TRUE(wait_for_later(1));
    EXPECT_FALSE(later[0].ok);
    EXPECT_EQ(later[0].message, "the scale reads 0 g: put the parcel on the scale and scan DONE again");
    EXPECT_EQ(orders->state_of("4"), OrderState::packed);
}

TEST_F(PackStationTest, AParcelOffItsWeightShipsWithAnAlertTheStationSees) {
    create("5", {{"MUG", 2}});
    ASSERT_TRUE(scan("5").ok);
    ASSERT_TRUE(scan("MUG-PAIR").ok);
    put_on_scale(350);  // one mug short
    ASSERT_TRUE(scan("DONE").ok);
    ASSERT_TRUE(wait_for_later(1));
    ASSERT_TRUE(later[0].ok) << later[0].message;
    EXPECT_NE(later[0].message.find("weight check:"), std::string::npos) << later[0].message;
    const auto alerts = outbox("/out/alerts");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["kind"], "weight_mismatch");
    EXPECT_EQ(alerts[0]["measured_g"], 350);
}

TEST_F(PackStationTest, CancelWhileWeighingDropsTheLateWeight) {
    create("6", {{"CAP", 1}});
    ASSERT_TRUE(scan("6").ok);
    ASSERT_TRUE(scan("CAP-RED").ok);
    ASSERT_TRUE(scan("DONE").ok);
    auto r = scan("CANCEL");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "order 6 put aside, nothing shipped; scanning it again starts over");
    put_on_scale(100);
    for (int i = 0; i < 40; ++i) {
        io.restart();
        io.run_for(10ms);  // past the 200 ms weighing timeout, so any answer would have come
    }
    EXPECT_TRUE(later.empty());
    EXPECT_EQ(orders->state_of("6"), OrderState::packed);
    r = scan("6");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.progress[0].packed, 0) << "the parcel is checked again from the start";
}

TEST_F(PackStationTest, AnOrderCancelledWhileBeingPackedIsUnpacked) {
    create("13", {{"CAP", 1}, {"TEE", 1}});
    ASSERT_TRUE(scan("13").ok);
    ASSERT_TRUE(scan("CAP-RED").ok);
    {
        Transaction tx(store->db());
        auto c = orders->cancel("13", "cancel-13");
        ASSERT_TRUE(c.ok()) << c.error().message;
        tx.commit();
    }
    auto r = scan("TEE-BLK");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(
        r.message,
        "order 13 was cancelled while it was being packed: take the items out and put them back; scan again");
    EXPECT_EQ(r.state, StationState::idle);
    create("14", {{"TEE", 1}});
    EXPECT_TRUE(scan("14").ok) << "the station is free for the next order";
}

TEST_F(PackStationTest, UndoTakesBackTheLastItem) {
    create("10", {{"CAP", 1}, {"TEE", 1}});
    ASSERT_TRUE(scan("10").ok);
    ASSERT_TRUE(scan("CAP-RED").ok);
    ASSERT_TRUE(scan("TEE-BLK").ok);
    auto r = scan("UNDO");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "took back 1 x TEE; still to pack: TEE x1");
    EXPECT_EQ(r.state, StationState::packing);
    EXPECT_FALSE(scan("DONE").ok);
}

TEST_F(PackStationTest, WithoutAScaleDoneShipsAtOnceWithoutAWeight) {
    station->use_scale(nullptr);
    create("11", {{"CAP", 1}});
    ASSERT_TRUE(scan("11").ok);
    auto r = scan("CAP-RED");
    EXPECT_EQ(r.message, "all items packed: scan DONE to ship");
    r = scan("DONE");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.message, "order 11 shipped");
    EXPECT_TRUE(r.shipment_id.has_value());
    EXPECT_EQ(orders->state_of("11"), OrderState::shipped);
}

TEST_F(PackStationTest, ReprintNeedsAPrintedLabelAndSaysWhichPrinter) {
    create("12", {{"CAP", 1}});
    ASSERT_TRUE(scan("12").ok);
    auto r = scan("REPRINT");
    EXPECT_FALSE(r.ok) << "no label was printed for this order";
    const int64_t job = store->print_job_add("desk", "shipping", "12", "^XA^XZ", "", false);
    ASSERT_TRUE(store->print_job_done(job).ok());
    r = scan("REPRINT");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.reprint_printer, "desk");
    r = scan("SKIP");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.message, "SKIP means nothing at a pack station (DONE, CANCEL, UNDO, REPRINT do)");
}

}  // namespace
}  // namespace packd::fulfillment
