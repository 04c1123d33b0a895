// Shop webhook bodies bridged to MQTT unchanged: Shopify and WooCommerce orders become packd
// orders, updates re-reserve and relabel, cancels release, redeliveries change nothing.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

class ShopOrders : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
        packd = start_packd(dir);
        ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
        write_file(dir.file("products.csv"),
                   "sku,name,unit_weight_g\nMUG-RED,Mug,350\nTOWEL-SAGE,Towel,400\nWRAP-3P,Wraps,90\n"
                   "BAG-LINEN-NAT,Bag,120\n");
        write_file(dir.file("stock.csv"),
                   "sku,qty,location\nMUG-RED,10,RECEIVING\nTOWEL-SAGE,10,RECEIVING\nWRAP-3P,10,RECEIVING\n"
                   "BAG-LINEN-NAT,10,RECEIVING\n");
    }

    void load_catalogue() {
        ASSERT_EQ(packctl(dir, {"import", "products", dir.file("products.csv")}).code, 0);
        ASSERT_EQ(packctl(dir, {"import", "stock", dir.file("stock.csv")}).code, 0);
    }

    std::string sample(const std::string& name) {
        return read_file(source_dir() + "/tests/data/shop/" + name);
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
};

TEST_F(ShopOrders, ShopifyOrderIsHeldForAnUnknownSkuThenCancelled) {
    publish(broker.port(), "packd/v1/it/in/orders/orders/create", sample("shopify-orders-create.json"));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "5719302455372", "held")) << packd->output();
    EXPECT_NE(packd->output().find(", shopify)"), std::string::npos) << "the detected shape is logged";
    auto order = packctl(dir, {"order", "5719302455372"});
    EXPECT_NE(order.output.find("unknown SKU"), std::string::npos) << order.output;
    EXPECT_NE(order.output.find("(event shopify:5719302455372:"), std::string::npos) << order.output;

    publish(broker.port(), "packd/v1/it/in/orders/orders/cancelled", sample("shopify-orders-cancelled.json"));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "5719302455372", "cancelled")) << packd->output();
}

TEST_F(ShopOrders, ShopifyOrderIsAcceptedAndARedeliveryChangesNothing) {
    load_catalogue();
    publish(broker.port(), "packd/v1/it/in/orders/orders/create", sample("shopify-orders-create.json"));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "5719302455372", "accepted")) << packd->output();
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("reserved 2"), std::string::npos);
    const auto duplicates = [&] { return intake_duplicates(dir); };
    EXPECT_EQ(duplicates(), 0);
    publish(broker.port(), "packd/v1/it/in/orders/orders/create", sample("shopify-orders-create.json"));
    ASSERT_TRUE(wait_until([&] { return duplicates() == 1; }, 20s)) << packd->output();
    EXPECT_NE(packctl(dir, {"stock", "MUG-RED"}).output.find("reserved 2"), std::string::npos);
    StoreFile store(store_path(dir));
    EXPECT_EQ(store.scalar("SELECT count(*) FROM orders"), 1);
    EXPECT_EQ(store.scalar("SELECT count(*) FROM inbox"), 0);
}

TEST_F(ShopOrders, WooCommerceUpdateBeforePickingReReservesAndReprintsTheLabel) {
    load_catalogue();
    std::string created = sample("woocommerce-order-created.json");
    publish(broker.port(), "packd/v1/it/in/orders/order.created", created);
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "4821", "accepted")) << packd->output();
    ASSERT_TRUE(wait_for_file(dir.file("labels/4821-shipping-1.zpl"), 20s)) << packd->output();

    // The same order, one more bag, modified a minute later.
    auto doc = nlohmann::json::parse(created);
    doc["date_modified_gmt"] = "2024-03-05T17:13:44";
    for (auto& line : doc["line_items"]) {
        if (line["sku"] == "BAG-LINEN-NAT") {
            line["quantity"] = 3;
        }
    }
    publish(broker.port(), "packd/v1/it/in/orders/order.updated", doc.dump());
    ASSERT_TRUE(packd->wait_for_output("order 4821 accepted: updated", 20s)) << packd->output();
    EXPECT_NE(packctl(dir, {"stock", "BAG-LINEN-NAT"}).output.find("reserved 3"), std::string::npos);
    EXPECT_TRUE(wait_for_file(dir.file("labels/4821-shipping-2-reprint.zpl"), 20s)) << packd->output();

    // A change that does not touch what ships (here: only the modification time) prints nothing.
    doc["date_modified_gmt"] = "2024-03-05T17:20:00";
    publish(broker.port(), "packd/v1/it/in/orders/order.updated", doc.dump());
    ASSERT_TRUE(packd->wait_for_output("no change to lines, address or carrier", 20s)) << packd->output();
    EXPECT_FALSE(std::filesystem::exists(dir.file("labels/4821-shipping-3-reprint.zpl")));
}

TEST_F(ShopOrders, AnUnknownShapeGoesToTheDeadLetterTopic) {
    publish(broker.port(), "packd/v1/it/in/orders", R"({"hello": "world"})");
    ASSERT_TRUE(packd->wait_for_output("rejected message", 20s)) << packd->output();
    EXPECT_TRUE(packd->running());
}

}  // namespace
}  // namespace packd::test
