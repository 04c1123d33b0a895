// An order's history (order_history, schema 11) as the order book writes it, in the transaction of each
// change of state: what entered which state, why and at which station; and the orders a text names.

#include <gtest/gtest.h>

#include "packd/fulfillment/orders/order_book.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

class OrderHistoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        orders = std::make_unique<OrderBook>(*store, *inventory, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(
            inventory->record({"MUG", "A-01", "", "", 10, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }

    static OrderEvent order(const std::string& id, int64_t mugs) {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = {{"MUG", mugs}};
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
        ev.carrier = "DHL";
        return ev;
    }

    /// Runs `change` in one committed transaction and expects it to succeed.
    template <class Change>
    void in_tx(Change&& change) {
        Transaction tx(store->db());
        auto r = change();
        ASSERT_TRUE(r.ok()) << r.error().message;
        tx.commit();
    }

    /// "state: detail [station/operator]" for each row of the order's history, oldest first.
    std::vector<std::string> timeline(const std::string& id) {
        std::vector<std::string> out;
        for (const auto& h : orders->history(id)) {
            std::string row = std::string(to_string(h.state));
            if (!h.detail.empty()) {
                row += ": " + h.detail;
            }
            if (!h.station.empty() || !h.operator_name.empty()) {
                row += " [" + h.station + "/" + h.operator_name + "]";
            }
            out.push_back(row);
        }
        return out;
    }

    int64_t rows_in_table() {
        auto st = store->db().prepare("SELECT count(*) FROM order_history");
        st.step();
        return st.int64(0);
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
};

TEST_F(OrderHistoryTest, PackedAndShippedAtAStationWithItsOperator) {
    in_tx([&] { return orders->create(order("1", 2), "{}", "shopify"); });
    const OrderActor packer{"pack1", "badge-7"};
    in_tx([&] { return orders->advance("1", OrderState::picking, packer); });
    in_tx([&] { return orders->advance("1", OrderState::packed, packer); });
    ShipmentInfo parcel;
    parcel.tracking_number = "JJD1";
    parcel.weight_g = 800;
    parcel.station = "pack1";
    parcel.operator_name = "badge-7";
    in_tx([&] { return orders->ship("1", parcel); });
    EXPECT_EQ(timeline("1"), (std::vector<std::string>{"received: event evt-1 from shopify", "accepted",
                                                       "picking [pack1/badge-7]", "packed [pack1/badge-7]",
                                                       "shipped: DHL JJD1, 800 g [pack1/badge-7]"}));
    const auto rows = orders->history("1");
    ASSERT_EQ(rows.size(), 5u);
    for (size_t i = 1; i < rows.size(); ++i) {
        EXPECT_GE(rows[i].at_ms, rows[i - 1].at_ms) << "row " << i;
    }
    EXPECT_GT(rows.front().at_ms, 1'700'000'000'000) << "milliseconds since the epoch";
    const auto detail = orders->detail("1");
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->timeline.size(), 5u) << "the order's detail carries the same timeline";
}

TEST_F(OrderHistoryTest, HeldForStockRetriedInVainAndAcceptedWhenStockArrives) {
    in_tx([&] { return orders->create(order("2", 12), "{}", "packd"); });
    EXPECT_EQ(timeline("2"),
              (std::vector<std::string>{"received: event evt-2 from packd",
                                        "held: not enough stock of MUG: 12 wanted, 10 available"}));
    // Every stock correction retries the held orders; one that stays held adds nothing, so the history
    // stays a few rows however often stock moves.
    for (int i = 0; i < 5; ++i) {
        in_tx([&] { return orders->retry_held("2"); });
    }
    EXPECT_EQ(timeline("2").size(), 2u);
    in_tx([&] {
        return inventory->record({"MUG", "A-01", "", "", 5, MovementReason::receive, "", "", "", ""});
    });
    in_tx([&] { return orders->retry_held("2"); });
    EXPECT_EQ(timeline("2").back(), "accepted: stock available");
    EXPECT_EQ(rows_in_table(), 3);
}

TEST_F(OrderHistoryTest, AShortPickARuleHoldAndAReleaseSayWhoAndWhy) {
    in_tx([&] { return orders->create(order("3", 1), "{}", "packd"); });
    in_tx([&] { return orders->advance("3", OrderState::picking, {"pick1", "badge-2"}); });
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->hold("3", "short pick at A-01", {"pick1", "badge-2"}).ok());
        tx.commit();
    }
    in_tx([&] { return orders->release("3", {"packctl", "alice"}); });
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->hold_for_rule("3", "value over 500", "review-high-value").ok());
        tx.commit();
    }
    in_tx([&] { return orders->release("3", {}, "review-high-value"); });
    EXPECT_EQ(timeline("3"),
              (std::vector<std::string>{"received: event evt-3 from packd", "accepted",
                                        "picking [pick1/badge-2]", "held: short pick at A-01 [pick1/badge-2]",
                                        "accepted: released by alice [packctl/alice]",
                                        "held: value over 500 (rule review-high-value)",
                                        "accepted: released by rule review-high-value"}));
}

TEST_F(OrderHistoryTest, AReleaseThatFindsNoStockIsRecordedAndTheOrderStaysHeld) {
    in_tx([&] { return orders->create(order("4", 3), "{}", "packd"); });
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->hold_for_rule("4", "address check", "check-address").ok());
        tx.commit();
    }
    in_tx([&] {
        return inventory->record({"MUG", "A-01", "", "", -9, MovementReason::adjust, "", "", "", ""});
    });
    in_tx([&] { return orders->release("4", {"packctl", "alice"}); });
    EXPECT_EQ(orders->state_of("4"), OrderState::held);
    EXPECT_EQ(timeline("4").back(),
              "held: released by alice; still held: not enough stock of MUG: 3 wanted, 1 available "
              "[packctl/alice]");
}

TEST_F(OrderHistoryTest, UpdatesAndCancelsAreRowsAndAChangeRolledBackLeavesNone) {
    in_tx([&] { return orders->create(order("5", 1), "{}", "packd"); });
    OrderEvent changed = order("5", 2);
    changed.event_id = "upd-5";
    changed.type = OrderEventType::updated;
    in_tx([&] { return orders->update(changed, "{}", "packd"); });
    in_tx([&] { return orders->update(changed, "{}", "packd"); });  // the same content again: no change
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->cancel("5", "never-committed").ok());
    }  // rolled back
    in_tx([&] { return orders->cancel("5", "cancel-5"); });
    EXPECT_EQ(timeline("5"),
              (std::vector<std::string>{"received: event evt-5 from packd", "accepted",
                                        "accepted: updated by event upd-5", "cancelled: event cancel-5"}));
}

TEST_F(OrderHistoryTest, OrdersAreFoundByIdAndByTheTrackingNumbersOfTheirParcelsAndLabels) {
    in_tx([&] { return orders->create(order("6", 1), "{}", "packd"); });
    in_tx([&] { return orders->create(order("7", 1), "{}", "packd"); });
    in_tx([&] { return orders->create(order("8", 1), "{}", "packd"); });
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->set_tracking("6", "1Z999AA10123456784").ok());
        const Label label{LabelSize::inches(4, 6, 203), {TextField{10, 10, 20, 0, "7", false}}};
        store->print_job_add("desk", "shipping", "7", to_zpl(label), label, false, "JJD0099");
        tx.commit();
    }
    ShipmentInfo parcel;
    parcel.carrier = "DPD";
    parcel.tracking_number = "DPD-5";
    in_tx([&] { return orders->ship("8", parcel); });

    const auto only = [&](const std::string& text) {
        std::vector<std::string> out;
        for (const auto& m : orders->find(text, 20)) {
            out.push_back(m.id + " by " + m.matched);
        }
        return out;
    };
    EXPECT_EQ(only("6"), (std::vector<std::string>{"6 by id"}));
    EXPECT_EQ(only("1Z999AA10123456784"), (std::vector<std::string>{"6 by tracking_number"}));
    EXPECT_EQ(only("JJD0099"), (std::vector<std::string>{"7 by tracking_number"}));
    EXPECT_EQ(only("DPD-5"), (std::vector<std::string>{"8 by shipment"}));
    EXPECT_TRUE(only("").empty());
    EXPECT_TRUE(only("%").empty());
    EXPECT_TRUE(only("1Z999").empty()) << "tracking numbers are matched whole";
    const auto found = orders->find("8", 20);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].state, OrderState::shipped);
    EXPECT_FALSE(found[0].created_at.empty());
}

}  // namespace
}  // namespace packd::fulfillment
