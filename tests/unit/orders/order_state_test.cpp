// Order and station states: each word names its state and no other, the store's CHECK constraint accepts
// every word the enum has, and a row whose state is none of them is reported as a damaged file.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "packd/fulfillment/domain/order_state.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/stations/pack_station.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

TEST(OrderState, EveryWordNamesItsStateAndNoOther) {
    std::set<std::string_view> words;
    for (auto state : kOrderStates) {
        EXPECT_EQ(order_state_named(to_string(state)), state);
        words.insert(to_string(state));
    }
    EXPECT_EQ(words.size(), kOrderStates.size());
    EXPECT_FALSE(order_state_named("Accepted"));
    EXPECT_FALSE(order_state_named(""));
    EXPECT_FALSE(order_state_named("accepted "));
}

TEST(OrderState, OnlyShippedCancelledAndRejectedAreFinal) {
    std::set<OrderState> final;
    for (auto state : kOrderStates) {
        EXPECT_NE(is_final(state), is_open(state));
        if (is_final(state)) {
            final.insert(state);
        }
    }
    EXPECT_EQ(final,
              (std::set<OrderState>{OrderState::shipped, OrderState::cancelled, OrderState::rejected}));
    EXPECT_LT(forward_rank(OrderState::accepted), forward_rank(OrderState::picking));
    EXPECT_LT(forward_rank(OrderState::labelled), forward_rank(OrderState::shipped));
    EXPECT_EQ(forward_rank(OrderState::held), -1);
}

class StoredOrderState : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
    }

    void insert(const std::string& id, std::string_view state) {
        store->db()
            .prepare(
                "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) "
                "VALUES (?, ?, ?, 'test', '{}', x'', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
            .bind(1, id)
            .bind(2, state)
            .bind(3, "evt-" + id)
            .run();
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
};

TEST_F(StoredOrderState, TheTableTakesEveryStateAndReadsItBack) {
    Inventory inventory(*store, Topics("packd/v1", "t"));
    OrderBook orders(*store, inventory, Topics("packd/v1", "t"));
    for (auto state : kOrderStates) {
        const std::string id = "o-" + std::string(to_string(state));
        insert(id, to_string(state));
        EXPECT_EQ(orders.state_of(id), state);
    }
    EXPECT_EQ(test::value_of(store->orders(100)).size(), kOrderStates.size());
    EXPECT_THROW(insert("bad", "lost"), SqliteError) << "the CHECK constraint refuses other words";
}

TEST(StoredOrderStateWord, AnUnknownWordIsADamagedFile) {
    EXPECT_EQ(stored_order_state("1", "held"), OrderState::held);
    try {
        stored_order_state("1", "lost");
        FAIL() << "an unknown state was read as a state";
    } catch (const SqliteError& e) {
        EXPECT_EQ(e.code(), SQLITE_CORRUPT);
    }
}

TEST(StationState, EveryWordNamesItsState) {
    for (auto state : {StationState::idle, StationState::packing, StationState::weighing}) {
        EXPECT_EQ(station_state_named(to_string(state)), state);
    }
    EXPECT_FALSE(station_state_named("shipped"));
}

}  // namespace
}  // namespace packd::fulfillment
