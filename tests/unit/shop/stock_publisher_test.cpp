#include "packd/fulfillment/shop/stock_publisher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

/// Stands in for the broker: keeps what was published and lets the test PUBACK it.
struct FakeBroker {
    std::vector<OutboxMessage> sent;
    std::vector<std::function<void(bool)>> acks;

    StockPublisher::Publish publisher() {
        return [this](const OutboxMessage& m, std::function<void(bool)> acked) {
            sent.push_back(m);
            acks.push_back(std::move(acked));
        };
    }
    void ack_all(bool ok) {
        auto pending = std::move(acks);
        acks.clear();
        for (auto& a : pending) {
            a(ok);
        }
    }
};

class StockPublisherTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        publisher =
            std::make_unique<StockPublisher>(*store, *inventory, Topics("packd/v1", "t"), broker.publisher());
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 0, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"A/B+C#%", "Odd", 0, {}, {}, {}, 0, 0, true}).ok());
        tx.commit();
    }

    void receive(const std::string& sku, int64_t n) {
        Transaction tx(store->db());
        ASSERT_TRUE(
            inventory->record({sku, "RECEIVING", "", "", n, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }

    test::TempDir dir;
    FakeBroker broker;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<StockPublisher> publisher;
};

TEST_F(StockPublisherTest, ABurstOfMovementsPublishesOnceWithTheLatestLevel) {
    for (int i = 0; i < 50; ++i) {
        receive("MUG", 1);
    }
    EXPECT_EQ(publisher->publish_pending(), 1);
    ASSERT_EQ(broker.sent.size(), 1u);
    EXPECT_EQ(broker.sent[0].topic, "packd/v1/t/out/stock/MUG");
    EXPECT_TRUE(broker.sent[0].retain);
    EXPECT_EQ(broker.sent[0].qos, 1);
    auto doc = nlohmann::json::parse(broker.sent[0].payload);
    EXPECT_EQ(doc["available"], 50);
    EXPECT_EQ(doc["on_hand"], 50);
    broker.ack_all(true);
    EXPECT_EQ(publisher->publish_pending(), 0) << "acknowledged: nothing left to send";
}

TEST_F(StockPublisherTest, AChangeWhileInFlightIsSentAfterThePuback) {
    receive("MUG", 5);
    ASSERT_EQ(publisher->publish_pending(), 1);
    receive("MUG", 2);
    EXPECT_EQ(publisher->publish_pending(), 0) << "one message per SKU in flight";
    broker.ack_all(true);
    ASSERT_EQ(publisher->publish_pending(), 1) << "the newer version is still marked";
    EXPECT_EQ(nlohmann::json::parse(broker.sent.back().payload)["available"], 7);
    broker.ack_all(true);
    EXPECT_EQ(publisher->publish_pending(), 0);
}

TEST_F(StockPublisherTest, TheVersionOnlyEverGrowsAcrossAcknowledgementsAndRestarts) {
    std::vector<int64_t> versions;
    const auto publish_and_ack = [&] {
        ASSERT_EQ(publisher->publish_pending(), 1);
        versions.push_back(nlohmann::json::parse(broker.sent.back().payload)["version"].get<int64_t>());
        broker.ack_all(true);
        EXPECT_EQ(publisher->publish_pending(), 0) << "acknowledged: nothing due";
    };
    for (int round = 0; round < 4; ++round) {
        receive("MUG", 1);
        publish_and_ack();
    }
    // A restart: a new publisher on the same store.
    publisher =
        std::make_unique<StockPublisher>(*store, *inventory, Topics("packd/v1", "t"), broker.publisher());
    receive("MUG", 1);
    publish_and_ack();
    // The store rebuilt from nothing (restored from a backup, resynced) some time later: the clock keeps
    // the version ahead of every one sent before.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    store->db().exec("DELETE FROM stock_out");
    receive("MUG", 1);
    publish_and_ack();
    ASSERT_EQ(versions.size(), 6u);
    for (std::size_t i = 1; i < versions.size(); ++i) {
        EXPECT_GT(versions[i], versions[i - 1]) << "version " << i << " fell back";
    }
}

TEST_F(StockPublisherTest, ALostPublishStaysMarkedAndGoesAgain) {
    receive("MUG", 3);
    ASSERT_EQ(publisher->publish_pending(), 1);
    broker.ack_all(false);
    EXPECT_EQ(publisher->publish_pending(), 1);
    EXPECT_EQ(broker.sent.size(), 2u);
}

TEST_F(StockPublisherTest, MarksSurviveARestartAndReservationsCount) {
    receive("MUG", 4);
    publisher =
        std::make_unique<StockPublisher>(*store, *inventory, Topics("packd/v1", "t"), broker.publisher());
    {
        Transaction tx(store->db());
        store->db().exec(
            "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) "
            "VALUES "
            "('o1','accepted','e1','test','{}','','now','now')");
        ASSERT_TRUE(inventory->reserve("o1", {{"MUG", 3}}).ok());
        tx.commit();
    }
    ASSERT_EQ(publisher->publish_pending(), 1);
    auto doc = nlohmann::json::parse(broker.sent.back().payload);
    EXPECT_EQ(doc["on_hand"], 4);
    EXPECT_EQ(doc["reserved"], 3);
    EXPECT_EQ(doc["available"], 1);
}

TEST_F(StockPublisherTest, SkuCharactersATopicCannotHoldAreEncoded) {
    receive("A/B+C#%", 1);
    ASSERT_EQ(publisher->publish_pending(), 1);
    EXPECT_EQ(broker.sent[0].topic, "packd/v1/t/out/stock/A%2FB%2BC%23%25");
    EXPECT_EQ(nlohmann::json::parse(broker.sent[0].payload)["sku"], "A/B+C#%");
}

}  // namespace
}  // namespace packd::fulfillment
