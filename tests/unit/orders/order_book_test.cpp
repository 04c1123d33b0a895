#include "packd/fulfillment/orders/order_book.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

class OrderBookTest : public ::testing::Test {
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
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(
            inventory->record({"MUG", "A-01", "", "", 10, MovementReason::receive, "", "", "", ""}).ok());
        ASSERT_TRUE(
            inventory->record({"TEE", "A-01", "", "", 4, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }

    static OrderEvent order(const std::string& id, std::vector<OrderLine> lines) {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = std::move(lines);
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
        ev.carrier = "DHL";
        return ev;
    }

    Result<OrderOutcome> create(const OrderEvent& ev) {
        Transaction tx(store->db());
        auto r = orders->create(ev, "{}", "test");
        tx.commit();
        return r;
    }

    std::vector<std::string> statuses(const std::string& order_id) {
        std::vector<std::string> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic == "packd/v1/t/out/orders/" + order_id + "/status") {
                auto j = nlohmann::json::parse(m.payload);
                out.push_back(j["state"].get<std::string>() +
                              (j.contains("reason") ? ": " + j["reason"].get<std::string>() : ""));
            }
        }
        return out;
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
};

TEST_F(OrderBookTest, AcceptingReservesAndCancellingReleases) {
    auto r = create(order("1", {{"MUG", 3}, {"TEE", 1}}));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->state, OrderState::accepted);
    EXPECT_EQ(inventory->level("MUG").available, 7);
    Transaction tx(store->db());
    auto c = orders->cancel("1", "cancel-1");
    tx.commit();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->state, OrderState::cancelled);
    EXPECT_EQ(inventory->level("MUG").available, 10);
    EXPECT_EQ(inventory->level("TEE").reserved, 0);
    EXPECT_EQ(statuses("1"), (std::vector<std::string>{"accepted", "cancelled"}));
    EXPECT_TRUE(inventory->verify().problems.empty());
}

// The order counts of `packctl status` are kept by triggers (schema 8), not counted per request.
TEST_F(OrderBookTest, TheStatusCountsFollowOrdersAsTheyOpenAndClose) {
    ASSERT_TRUE(create(order("1", {{"MUG", 1}})).ok());
    ASSERT_TRUE(create(order("2", {{"MUG", 1}})).ok());
    EXPECT_EQ(store->counts()->orders, 2);
    EXPECT_EQ(store->counts()->orders_open, 2);
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->cancel("1", "cancel-1").ok());
        ASSERT_TRUE(orders->ship("2", {"DHL", "T2", 400, "", "", ""}).ok());
        tx.commit();
    }
    EXPECT_EQ(store->counts()->orders, 2);
    EXPECT_EQ(store->counts()->orders_open, 0);
    ASSERT_TRUE(create(order("3", {{"GHOST", 1}})).ok());  // held: unknown SKU, still open
    EXPECT_EQ(store->counts()->orders_open, 1);
    auto st = store->db().prepare(
        "SELECT count(*) FROM orders WHERE state IN "
        "('received','accepted','held','picking','packed','labelled')");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(store->counts()->orders_open, st.int64(0));
}

TEST_F(OrderBookTest, UnknownSkuHoldsTheOrderWithTheReason) {
    auto r = create(order("2", {{"MUG", 1}, {"GHOST", 1}}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, OrderState::held);
    EXPECT_EQ(r->reason, "unknown SKU: GHOST");
    EXPECT_EQ(inventory->level("MUG").reserved, 0) << "a held order reserves nothing";
    EXPECT_EQ(statuses("2"), (std::vector<std::string>{"held: unknown SKU: GHOST"}));
    auto d = orders->detail("2");
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->hold_reason, "unknown SKU: GHOST");
    EXPECT_EQ(d->lines.size(), 2u);
}

TEST_F(OrderBookTest, ShortStockHoldsAndRetryAcceptsOnceStockArrives) {
    auto r = create(order("3", {{"TEE", 6}}));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, OrderState::held);
    EXPECT_EQ(r->reason, "not enough stock of TEE: 6 wanted, 4 available");
    Transaction tx(store->db());
    ASSERT_TRUE(inventory->record({"TEE", "A-01", "", "", 2, MovementReason::receive, "", "", "", ""}).ok());
    auto again = orders->retry_held("3");
    tx.commit();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->state, OrderState::accepted);
    EXPECT_EQ(inventory->level("TEE").available, 0);
}

TEST_F(OrderBookTest, ShippingTurnsTheReservationIntoShipMovements) {
    ASSERT_TRUE(create(order("4", {{"MUG", 2}, {"TEE", 1}})).ok());
    Transaction tx(store->db());
    ASSERT_TRUE(orders->advance("4", OrderState::picking).ok());
    ASSERT_TRUE(orders->advance("4", OrderState::packed).ok());
    EXPECT_FALSE(orders->advance("4", OrderState::picking).ok()) << "orders only move forward";
    auto id = orders->ship("4", {"DHL", "JJD000123", 1240, "label-7", "pack1", "ann"});
    tx.commit();
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*orders->state_of("4"), OrderState::shipped);
    const auto mug = inventory->level("MUG");
    EXPECT_EQ(mug.on_hand, 8);
    EXPECT_EQ(mug.reserved, 0);
    EXPECT_TRUE(inventory->verify().problems.empty());
    bool confirmed = false;
    for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
        if (m.topic == "packd/v1/t/out/shipments") {
            auto j = nlohmann::json::parse(m.payload);
            EXPECT_EQ(j["tracking_number"], "JJD000123");
            EXPECT_EQ(j["weight_g"], 1240);
            // An ISO 8601 UTC time, e.g. 2026-11-23T20:41:07.123Z.
            const std::string at = j["shipped_at"];
            EXPECT_EQ(at.size(), 24u) << at;
            EXPECT_EQ(at[10], 'T');
            EXPECT_EQ(at.back(), 'Z');
            confirmed = true;
        }
    }
    EXPECT_TRUE(confirmed);
}

TEST_F(OrderBookTest, AParcelOffItsItemsWeightRaisesAWeightMismatchAlert) {
    auto alerts = [&] {
        std::vector<nlohmann::json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic == "packd/v1/t/out/alerts") {
                auto j = nlohmann::json::parse(m.payload);
                if (j["kind"] == "weight_mismatch") {
                    out.push_back(j);
                }
            }
        }
        return out;
    };
    // Two mugs of 350 g and a tee of 180 g: 880 g; 5 % or 50 g, whichever is more, is allowed.
    ASSERT_TRUE(create(order("8", {{"MUG", 2}, {"TEE", 1}})).ok());
    ASSERT_TRUE(create(order("9", {{"MUG", 2}, {"TEE", 1}})).ok());
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->ship("8", {"DHL", "W8", 900, "", "", ""}).ok());
        tx.commit();
    }
    EXPECT_TRUE(alerts().empty()) << "900 g is within 50 g of 880 g";
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->ship("9", {"DHL", "W9", 530, "", "", ""}).ok());  // a mug missing?
        tx.commit();
    }
    const auto found = alerts();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["order_id"], "9");
    EXPECT_EQ(found[0]["expected_g"], 880);
    EXPECT_EQ(found[0]["measured_g"], 530);
    EXPECT_FALSE(found[0]["reason"].get<std::string>().empty());
}

TEST_F(OrderBookTest, CancelAfterShippingIsRecordedAndReportedNotApplied) {
    ASSERT_TRUE(create(order("5", {{"MUG", 1}})).ok());
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->ship("5", {"DHL", "T5", 400, "", "", ""}).ok());
        tx.commit();
    }
    Transaction tx(store->db());
    auto c = orders->cancel("5", "late-cancel");
    tx.commit();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->state, OrderState::shipped);
    EXPECT_FALSE(c->changed);
    EXPECT_EQ(c->reason, "cancel arrived after shipping; recorded, not applied");
    EXPECT_EQ(orders->detail("5")->late_cancel_event, "late-cancel");
    EXPECT_EQ(inventory->level("MUG").on_hand, 9) << "the stock stays shipped";
}

TEST_F(OrderBookTest, ATrackingNumberIsNeverUsedTwice) {
    ASSERT_TRUE(create(order("6", {{"MUG", 1}})).ok());
    ASSERT_TRUE(create(order("7", {{"MUG", 1}})).ok());
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->ship("6", {"DHL", "SAME", 0, "", "", ""}).ok());
        tx.commit();
    }
    Transaction tx(store->db());
    auto second = orders->ship("7", {"DHL", "SAME", 0, "", "", ""});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().message, "tracking number SAME of DHL is used by another shipment");
}

TEST_F(OrderBookTest, DuplicateOrderIdIsRefusedAndNothingChanges) {
    ASSERT_TRUE(create(order("8", {{"MUG", 1}})).ok());
    auto again = order("8", {{"MUG", 5}});
    again.event_id = "other";
    Transaction tx(store->db());
    auto r = orders->create(again, "{}", "test");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "order 8 exists already; event other would create it twice");
    EXPECT_EQ(inventory->level("MUG").reserved, 1);
}

TEST_F(OrderBookTest, UpdateBeforePickingReplacesLinesAndReservesAgain) {
    ASSERT_TRUE(create(order("u1", {{"MUG", 2}})).ok());
    auto changed = order("u1", {{"MUG", 1}, {"TEE", 2}});
    changed.event_id = "evt-u1-2";
    Transaction tx(store->db());
    auto r = orders->update(changed, "{}", "test");
    tx.commit();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->state, OrderState::accepted);
    EXPECT_TRUE(r->changed);
    EXPECT_TRUE(r->needs_label);
    EXPECT_EQ(inventory->level("MUG").reserved, 1);
    EXPECT_EQ(inventory->level("TEE").reserved, 2);
    EXPECT_EQ(orders->detail("u1")->lines.size(), 2u);
    EXPECT_TRUE(inventory->verify().problems.empty());
}

TEST_F(OrderBookTest, UpdateWithTheSameContentChangesNothing) {
    ASSERT_TRUE(create(order("u2", {{"MUG", 2}})).ok());
    auto again = order("u2", {{"MUG", 2}});
    again.event_id = "evt-u2-paid";
    Transaction tx(store->db());
    auto r = orders->update(again, "{}", "test");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->changed);
    EXPECT_FALSE(r->needs_label) << "a payment update must not print a second label";
    EXPECT_EQ(r->reason, "no change to lines, address or carrier");
}

TEST_F(OrderBookTest, UpdateAfterPickingIsRecordedNotApplied) {
    ASSERT_TRUE(create(order("u3", {{"MUG", 2}})).ok());
    Transaction tx(store->db());
    ASSERT_TRUE(orders->advance("u3", OrderState::picking).ok());
    auto changed = order("u3", {{"MUG", 5}});
    changed.event_id = "evt-u3-2";
    auto r = orders->update(changed, "{}", "test");
    tx.commit();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, OrderState::picking);
    EXPECT_EQ(r->reason, "update arrived after picking; recorded, not applied");
    EXPECT_EQ(inventory->level("MUG").reserved, 2);
}

TEST_F(OrderBookTest, UpdateOfAnUnknownOrderCreatesIt) {
    Transaction tx(store->db());
    auto r = orders->update(order("u4", {{"TEE", 1}}), "{}", "test");
    tx.commit();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->state, OrderState::accepted);
    EXPECT_TRUE(r->needs_label);
}

TEST_F(OrderBookTest, UnknownOrderCannotBeCancelledOrShipped) {
    Transaction tx(store->db());
    EXPECT_FALSE(orders->cancel("nope", "e").ok());
    EXPECT_FALSE(orders->ship("nope", {}).ok());
}

}  // namespace
}  // namespace packd::fulfillment
