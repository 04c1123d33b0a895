// The store's look-up verbs as the admin socket (and a web UI through it) calls them, on a real store: find
// and what it refuses, movements and its limits, stock by location, an order's timeline and labels.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "packd/host/store_commands.hpp"
#include "test_env.hpp"

namespace packd::host {
namespace {

namespace ful = packd::fulfillment;
using nlohmann::json;

class StoreLookups : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = ful::Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<ful::Inventory>(*store, ful::Topics("packd/v1", "t"));
        orders = std::make_unique<ful::OrderBook>(*store, *inventory, ful::Topics("packd/v1", "t"));
        commands = std::make_unique<StoreCommands>(*store, *inventory, *orders);
        ful::Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG-RED", "Mug, red", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"MUG-BLUE", "Mug, blue", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG-RED", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(inventory
                        ->record({"MUG-RED", "A-01", "L1", "2027-01-31", 60, ful::MovementReason::receive,
                                  "PO-9", "desk", "alice", "first delivery"})
                        .ok());
        ASSERT_TRUE(
            inventory->record({"MUG-BLUE", "A-01", "", "", 4, ful::MovementReason::receive, "", "", "", ""})
                .ok());
        tx.commit();
    }

    json ask(const std::string& verb, json request) {
        request["cmd"] = verb;
        auto answer = commands->handle(verb, request);
        EXPECT_TRUE(answer.has_value()) << verb;
        return answer.value_or(json::object());
    }

    std::string refusal(const std::string& verb, json request) {
        const json a = ask(verb, std::move(request));
        EXPECT_FALSE(a.value("ok", true)) << a.dump();
        return a.value("error", "");
    }

    test::TempDir dir;
    std::unique_ptr<ful::Store> store;
    std::unique_ptr<ful::Inventory> inventory;
    std::unique_ptr<ful::OrderBook> orders;
    std::unique_ptr<StoreCommands> commands;
};

TEST_F(StoreLookups, FindAnswersProductsLocationsAndOrders) {
    const json a = ask("find", {{"query", " mug-red\n"}});
    ASSERT_TRUE(a.value("ok", false)) << a.dump();
    EXPECT_EQ(a["query"], "mug-red") << "the blanks a scanner or a copy adds are not part of it";
    ASSERT_EQ(a["products"].size(), 1u) << a.dump();
    const json& p = a["products"][0];
    EXPECT_EQ(p["sku"], "MUG-RED");
    EXPECT_EQ(p["name"], "Mug, red");
    EXPECT_EQ(p["barcodes"], json::array({"4006381333931"}));
    EXPECT_EQ(p["on_hand"], 60);
    EXPECT_EQ(p["reserved"], 0);
    EXPECT_EQ(p["available"], 60);
    EXPECT_EQ(a["locations"], json::array());
    EXPECT_EQ(a["orders"], json::array());

    const json codes = ask("find", {{"query", "4006381333931"}});
    ASSERT_EQ(codes["products"].size(), 1u);
    EXPECT_EQ(codes["products"][0]["matched"], "barcode");
    const json bins = ask("find", {{"query", "a-0"}});
    ASSERT_EQ(bins["locations"].size(), 1u);
    EXPECT_EQ(bins["locations"][0]["code"], "A-01");
    EXPECT_EQ(bins["locations"][0]["kind"], "bin");
    EXPECT_EQ(ask("find", {{"query", "MUG"}})["products"].size(), 2u);
}

TEST_F(StoreLookups, FindRefusesWhatItCannotLookUpAndWildcardsMatchNothing) {
    EXPECT_NE(refusal("find", json::object()).find("find needs \"query\""), std::string::npos);
    EXPECT_NE(refusal("find", {{"query", 42}}).find("find needs \"query\""), std::string::npos);
    EXPECT_NE(refusal("find", {{"query", ""}}).find("find needs a text"), std::string::npos);
    EXPECT_NE(refusal("find", {{"query", "   "}}).find("find needs a text"), std::string::npos);
    EXPECT_EQ(refusal("find", {{"query", std::string(10 * 1024, 'M')}}),
              "the text to find is 10240 bytes; at most 128 are looked up");
    EXPECT_EQ(refusal("find", {{"query", std::string(129, 'M')}}),
              "the text to find is 129 bytes; at most 128 are looked up");
    EXPECT_EQ(refusal("find", {{"query", std::string("MUG\xff\xfe")}}), "the text to find is not UTF-8");
    EXPECT_EQ(refusal("find", {{"query", std::string("MUG\x1b[2J")}}),
              "the text to find holds a control character");
    EXPECT_TRUE(ask("find", {{"query", std::string(128, 'M')}}).value("ok", false)) << "128 bytes are fine";

    for (const char* wild : {"%", "_", "%%", "M%", "_UG", "' OR '1'='1", "\\"}) {
        const json a = ask("find", {{"query", wild}});
        ASSERT_TRUE(a.value("ok", false)) << wild << ": " << a.dump();
        EXPECT_EQ(a["products"], json::array()) << wild;
        EXPECT_EQ(a["locations"], json::array()) << wild;
        EXPECT_EQ(a["orders"], json::array()) << wild;
    }
}

TEST_F(StoreLookups, MovementsNewestFirstWithinTheirLimits) {
    {
        ful::Transaction tx(store->db());
        for (int i = 0; i < 600; ++i) {
            ASSERT_TRUE(
                inventory
                    ->record({"MUG-BLUE", "A-01", "", "", i % 2 == 0 ? 1 : -1, ful::MovementReason::adjust,
                              "", "packctl", "bob", "recount " + std::to_string(i)})
                    .ok());
        }
        tx.commit();
    }
    const json a = ask("movements", json::object());
    ASSERT_TRUE(a.value("ok", false)) << a.dump();
    EXPECT_EQ(a["limit"], 50);
    ASSERT_EQ(a["movements"].size(), 50u) << "50 unless asked";
    const json& newest = a["movements"][0];
    EXPECT_EQ(newest["note"], "recount 599");
    EXPECT_EQ(newest["delta"], -1);
    EXPECT_EQ(newest["reason"], "adjust");
    EXPECT_EQ(newest["operator"], "bob");
    for (const char* key :
         {"id", "at", "at_ms", "sku", "location", "lot", "expiry", "reference", "station"}) {
        EXPECT_TRUE(newest.contains(key)) << key;
    }
    EXPECT_GT(newest["id"].get<int64_t>(), a["movements"][1]["id"].get<int64_t>());

    EXPECT_EQ(ask("movements", {{"limit", 500}})["movements"].size(), 500u);
    EXPECT_EQ(ask("movements", {{"limit", 1}})["movements"].size(), 1u);
    for (const json& bad : {json(501), json(0), json(-3), json("ten"), json(2.5), json(1e12)}) {
        EXPECT_EQ(refusal("movements", {{"limit", bad}}),
                  "movements: limit must be a whole number from 1 to 500")
            << bad.dump();
    }
    const json red = ask("movements", {{"sku", "MUG-RED"}});
    ASSERT_EQ(red["movements"].size(), 1u);
    EXPECT_EQ(red["movements"][0]["lot"], "L1");
    EXPECT_EQ(red["movements"][0]["expiry"], "2027-01-31");
    EXPECT_EQ(red["movements"][0]["reference"], "PO-9");
    EXPECT_EQ(
        ask("movements", {{"location", "A-01"}, {"sku", "MUG-BLUE"}, {"limit", 500}})["movements"].size(),
        500u);
    EXPECT_EQ(refusal("movements", {{"sku", "NOPE"}}), "unknown SKU \"NOPE\"");
    EXPECT_EQ(refusal("movements", {{"location", "Z-99"}}), "unknown location \"Z-99\"");
    EXPECT_EQ(refusal("movements", {{"sku", 7}}), "movements: \"sku\" must be a text");
}

TEST_F(StoreLookups, StockOfALocationHasEachSkuWithLotAndExpiry) {
    const json a = ask("stock", {{"location", "A-01"}});
    ASSERT_TRUE(a.value("ok", false)) << a.dump();
    EXPECT_EQ(a["location"], (json{{"code", "A-01"}, {"kind", "bin"}, {"on_hand", 64}}));
    EXPECT_EQ(a["rows"],
              json::parse(R"([{"sku":"MUG-BLUE","name":"Mug, blue","lot":"","expiry":"","on_hand":4},
                              {"sku":"MUG-RED","name":"Mug, red","lot":"L1","expiry":"2027-01-31","on_hand":60}])"));
    EXPECT_EQ(ask("stock", {{"location", "A-01"}, {"sku", "MUG-RED"}})["rows"].size(), 1u);
    EXPECT_NE(refusal("stock", {{"location", "a-01"}}).find("unknown location \"a-01\""), std::string::npos);

    // A SKU's stock keeps its shape: levels with a row per location, lot and expiry.
    const json sku = ask("stock", {{"sku", "MUG-RED"}});
    ASSERT_EQ(sku["stock"].size(), 1u);
    EXPECT_EQ(sku["stock"][0]["rows"],
              json::parse(R"([{"location":"A-01","lot":"L1","expiry":"2027-01-31","on_hand":60}])"));
}

TEST_F(StoreLookups, AnOrderAnswersItsTimelineAndLabels) {
    ful::OrderEvent ev;
    ev.event_id = "e-1";
    ev.type = ful::OrderEventType::created;
    ev.order_id = "SO-1";
    ev.lines = {{"MUG-RED", 2}};
    ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
    ev.carrier = "DHL";
    {
        ful::Transaction tx(store->db());
        ASSERT_TRUE(orders->create(ev, "{}", "packd").ok());
        const ful::Label label{ful::LabelSize::inches(4, 6, 203),
                               {ful::TextField{10, 10, 20, 0, "SO-1", false}}};
        store->print_job_add("desk", "shipping", "SO-1", ful::to_zpl(label), label, false, "JJD1");
        store->print_job_add("desk", "pick_list", "SO-1", ful::to_zpl(label), label, false);
        tx.commit();
    }
    const json a = ask("order", {{"id", "SO-1"}});
    ASSERT_TRUE(a.value("ok", false)) << a.dump();
    const json& timeline = a["order"]["timeline"];
    ASSERT_EQ(timeline.size(), 2u) << a.dump();
    EXPECT_EQ(timeline[0]["state"], "received");
    EXPECT_EQ(timeline[0]["detail"], "event e-1 from packd");
    EXPECT_TRUE(timeline[0]["at"].is_number_integer());
    EXPECT_EQ(timeline[1]["state"], "accepted");
    const json& labels = a["order"]["labels"];
    ASSERT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels[0]["kind"], "shipping");
    EXPECT_EQ(labels[0]["printer"], "desk");
    EXPECT_EQ(labels[0]["state"], "pending");
    EXPECT_EQ(labels[0]["tracking_number"], "JJD1");
    EXPECT_TRUE(labels[0]["job"].is_number_integer());
    EXPECT_FALSE(labels[0]["created_at"].get<std::string>().empty());
    EXPECT_EQ(labels[1]["kind"], "pick_list");
    EXPECT_FALSE(labels[1].contains("tracking_number")) << "a pick list carries none";
    EXPECT_EQ(a["order"]["lines"].size(), 1u) << "the fields the order had stay";

    const json found = ask("find", {{"query", "JJD1"}});
    ASSERT_EQ(found["orders"].size(), 1u);
    EXPECT_EQ(found["orders"][0], (json{{"id", "SO-1"},
                                        {"state", "accepted"},
                                        {"created_at", a["order"]["created_at"]},
                                        {"matched", "tracking_number"}}));
}

}  // namespace
}  // namespace packd::host
