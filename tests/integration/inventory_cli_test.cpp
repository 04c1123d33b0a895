// packctl's store verbs against the real packd: imports, stock, adjust, verify, export, ship,
// and orders over MQTT that reserve, hold and release stock.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <nlohmann/json.hpp>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

class InventoryCli : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
        packd = start_packd(dir);
        seed_catalogue(dir);
    }

    TempDir dir;
    std::unique_ptr<Process> packd;
};

TEST_F(InventoryCli, StockShowsLocationsAndTotals) {
    auto r = packctl(dir, {"stock", "MUG-RED"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output,
              "MUG-RED  Mug, red, 330 ml\n"
              "  on hand 60, reserved 0, available 60 (reorder point 10)\n"
              "    A-01-01: 60\n");
    auto unknown = packctl(dir, {"stock", "NOPE"});
    EXPECT_EQ(unknown.code, 1);
    EXPECT_NE(unknown.output.find("unknown SKU \"NOPE\""), std::string::npos);
}

TEST_F(InventoryCli, AdjustNeedsAReasonAndIsRecordedInTheLedger) {
    auto no_reason = packctl(dir, {"adjust", "MUG-RED", "A-01-01", "-2"});
    EXPECT_EQ(no_reason.code, 2);
    EXPECT_NE(no_reason.output.find("adjust needs --reason"), std::string::npos) << no_reason.output;
    auto r =
        packctl(dir, {"adjust", "MUG-RED", "A-01-01", "-2", "--reason", "adjust", "--note", "broken in bin"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("on hand 58"), std::string::npos) << r.output;
    auto below = packctl(dir, {"adjust", "MUG-RED", "A-01-01", "-100", "--reason", "adjust"});
    EXPECT_EQ(below.code, 1);
    EXPECT_NE(below.output.find("on hand 58, a change of -100 would go below zero"), std::string::npos)
        << below.output;
    auto verify = packctl(dir, {"verify"});
    EXPECT_EQ(verify.code, 0) << verify.output;
    EXPECT_NE(verify.output.find("on hand matches the ledger; all invariants hold"), std::string::npos);
    EXPECT_NE(verify.output.find("4 movements"), std::string::npos) << verify.output;
}

TEST_F(InventoryCli, ABadImportAppliesNothingAndNamesTheLines) {
    write_file(dir.file("bad.csv"),
               "sku,qty,location\nMUG-RED,5,A-01-01\nGHOST,1,A-01-01\nTEE-BLK-L,-1,A-01-02\n");
    auto r = packctl(dir, {"import", "stock", dir.file("bad.csv")});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.output.find("stock import refused: 2 problems, nothing was applied"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("line 3: unknown SKU \"GHOST\""), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("line 4: a received quantity must be from 1"), std::string::npos) << r.output;
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("on hand 60,"), std::string::npos);
}

TEST_F(InventoryCli, ExportWritesCsvThatImportsBack) {
    auto r = packctl(dir, {"export", "stock", dir.file("out.csv")});
    ASSERT_EQ(r.code, 0) << r.output;
    const std::string csv = read_file(dir.file("out.csv"));
    EXPECT_NE(csv.find("MUG-RED,\"Mug, red, 330 ml\",A-01-01,,,60,0,60\r\n"), std::string::npos) << csv;
    // The export's own columns work as a count file.
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port(), "[import]\nquantity = \"on_hand\"\n"));
    packd->signal(SIGHUP);
    ASSERT_TRUE(packd->wait_for_output("config reloaded", 10s));
    auto count = packctl(dir, {"import", "stock", dir.file("out.csv"), "--mode", "count"});
    ASSERT_EQ(count.code, 0) << count.output;
    EXPECT_NE(count.output.find("(0 units, 0 movements)"), std::string::npos) << count.output;
}

TEST(InventoryOrders, OrdersReserveHoldReleaseAndShip) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e1", "A1", "MUG-RED", 5));
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e2", "A2", "GHOST", 1));
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e3", "A3", "TEE-BLK-L", 30));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A3", "held")) << packd->output();
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A2", "held")) << packd->output();
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A1", "accepted")) << packd->output();
    EXPECT_NE(packctl(dir, {"order", "A2"}).output.find("held (unknown SKU: GHOST)"), std::string::npos);
    EXPECT_NE(packctl(dir, {"order", "A3"})
                  .output.find("held (not enough stock of TEE-BLK-L: 30 wanted, 25 available)"),
              std::string::npos);
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("reserved 5, available 55"), std::string::npos);
    EXPECT_TRUE(wait_for_file(dir.file("labels/A1-shipping-1.zpl"), 20s)) << "accepted orders print";
    EXPECT_FALSE(std::filesystem::exists(dir.file("labels/A2-shipping-2.zpl"))) << "held orders do not";

    publish(broker.port(), "packd/v1/it/in/orders",
            R"({"event_id": "c1", "type": "order.cancelled", "order": {"id": "A1"}})");
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A1", "cancelled")) << packd->output();
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("reserved 0, available 60"), std::string::npos);

    ASSERT_EQ(publish_order(dir, broker.port(), "e4", "A4", "MUG-RED", 2), "accepted") << packd->output();
    auto shipped = packctl(dir, {"ship", "A4", "--carrier", "DHL", "--tracking", "JJD1", "--weight", "800"});
    ASSERT_EQ(shipped.code, 0) << shipped.output;
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("on hand 58, reserved 0, available 58"),
              std::string::npos);
    publish(broker.port(), "packd/v1/it/in/orders",
            R"({"event_id": "c4", "type": "order.cancelled", "order": {"id": "A4"}})");
    ASSERT_TRUE(wait_until([&] { return event_outcome(store_path(dir), "c4") != "none"; }, 20s))
        << packd->output();
    EXPECT_EQ(order_state(store_path(dir), "A4"), "shipped");
    auto detail = packctl(dir, {"order", "A4"});
    EXPECT_NE(detail.output.find("order A4: shipped"), std::string::npos) << detail.output;
    EXPECT_NE(detail.output.find("a cancel arrived after shipping (event c4)"), std::string::npos)
        << detail.output;
    EXPECT_NE(detail.output.find("shipped DHL JJD1, 800 g"), std::string::npos) << detail.output;
    EXPECT_EQ(packctl(dir, {"verify"}).code, 0);

    // Stock arrives for the held order A3: it is accepted and its label prints.
    auto received = packctl(dir, {"adjust", "TEE-BLK-L", "A-01-02", "10", "--reason", "receive"});
    ASSERT_EQ(received.code, 0) << received.output;
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A3", "accepted")) << packd->output();
    EXPECT_NE(packctl(dir, {"stock", "TEE-BLK-L"}).output.find("reserved 30, available 5"),
              std::string::npos);
    EXPECT_NE(packctl(dir, {"order", "A2"}).output.find("held (unknown SKU: GHOST)"), std::string::npos)
        << "an order held for an unknown SKU stays held";
    bool label = false;
    for (int i = 0; i < 200 && !label; ++i) {
        for (const auto& e : std::filesystem::directory_iterator(dir.file("labels"))) {
            label = label || e.path().filename().string().rfind("A3-shipping-", 0) == 0;
        }
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(label) << packd->output();
    EXPECT_EQ(packctl(dir, {"verify"}).code, 0);
}

TEST(InventoryOrders, StockCorrectionsFromTheShopApplyOnceAndReleaseHeldOrders) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e3", "A3", "TEE-BLK-L", 30));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A3", "held")) << packd->output();

    // The shop books a delivery it received: the held order goes, once, however often it is sent.
    const std::string receipt =
        R"({"event_id":"st-1","type":"stock.adjusted","sku":"TEE-BLK-L","location":"A-01-02","delta":10,)"
        R"("reason":"receive"})";
    publish(broker.port(), "packd/v1/it/in/stock", receipt);
    publish(broker.port(), "packd/v1/it/in/stock", receipt);
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "A3", "accepted")) << packd->output();
    ASSERT_TRUE(wait_until([&] { return intake_duplicates(dir) == 1; }, 20s)) << packd->output();
    EXPECT_NE(event_outcome(store_path(dir), "st-1").rfind("rejected", 0), 0U);
    EXPECT_NE(packctl(dir, {"stock", "TEE-BLK-L"}).output.find("on hand 35, reserved 30, available 5"),
              std::string::npos)
        << packctl(dir, {"stock", "TEE-BLK-L"}).output;

    // A count sets the location to what was counted.
    publish(
        broker.port(), "packd/v1/it/in/stock",
        R"({"event_id":"st-2","type":"stock.counted","sku":"MUG-RED","location":"A-01-01","quantity":42})");
    ASSERT_TRUE(wait_until([&] { return event_outcome(store_path(dir), "st-2") != "none"; }, 20s))
        << packd->output();
    {
        StoreFile store(store_path(dir));
        EXPECT_EQ(
            store.scalar("SELECT sum(on_hand) FROM stock WHERE sku = 'MUG-RED' AND location = 'A-01-01'"),
            42);
    }

    // Bad corrections are refused with the reason and change nothing.
    const std::string before = packctl(dir, {"stock"}).output;
    publish(broker.port(), "packd/v1/it/in/stock",
            R"({"event_id":"st-3","type":"stock.adjusted","sku":"GHOST","location":"A-01-01","delta":1})");
    publish(broker.port(), "packd/v1/it/in/stock",
            R"({"event_id":"st-4","type":"stock.adjusted","sku":"MUG-RED","location":"A-01-01","delta":1,)"
            R"("reason":"ship"})");
    publish(broker.port(), "packd/v1/it/in/parcels", R"({"event_id":"p-1"})");
    // Each refusal is recorded with its reason against its event.
    const auto outcome = [&](const std::string& event) {
        wait_until([&] { return event_outcome(store_path(dir), event) != "none"; }, 20s);
        return event_outcome(store_path(dir), event);
    };
    EXPECT_NE(outcome("st-3").find("GHOST"), std::string::npos) << outcome("st-3");
    // A payload that does not parse has no event to record against: only the log says why.
    ASSERT_TRUE(packd->wait_for_output("is not one for a correction", 20s)) << packd->output();
    ASSERT_TRUE(packd->wait_for_output("is not one packd takes", 20s)) << packd->output();
    EXPECT_EQ(packctl(dir, {"stock"}).output, before);
    EXPECT_EQ(packctl(dir, {"verify"}).code, 0);
}

}  // namespace
}  // namespace packd::test
