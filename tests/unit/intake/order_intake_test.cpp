// Group commit in the order intake, on a real SQLite file: a batch of messages from the broker is stored and
// applied in one durable transaction; a message in it that is refused, or that breaks the intake, is
// dead-lettered alone and the rest of its batch stays applied; a backlog is applied in slices that keep
// their order and their budget.

#include "packd/fulfillment/intake/order_intake.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "packd/fulfillment/shop/mqtt/order_subscription.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

class OrderIntakeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, topics);
        orders = std::make_unique<OrderBook>(*store, *inventory, topics);
        intake = std::make_unique<OrderIntake>(*store, *orders, *inventory, topics, 256 * 1024);
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(
            inventory->record({"MUG", "A-01", "", "", 100000, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }

    static InboundMessage order(const std::string& id) {
        const json body{{"event_id", "evt-" + id},
                        {"type", "order.created"},
                        {"order",
                         {{"id", id},
                          {"carrier", "DHL"},
                          {"ship_to",
                           {{"name", "Jana"},
                            {"street1", "Hauptstr. 1"},
                            {"city", "Köln"},
                            {"postal_code", "50667"},
                            {"country", "DE"}}},
                          {"lines", {{{"sku", "MUG"}, {"quantity", 1}}}}}}};
        const std::string payload = body.dump();
        return {"packd/v1/t/in/orders", payload, payload.size(), false};
    }

    int64_t scalar(const std::string& sql) {
        auto st = store->db().prepare(sql);
        EXPECT_TRUE(st.step()) << sql;
        return st.int64(0);
    }

    std::vector<json> dead_letters() {
        std::vector<json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 100000))) {
            if (m.topic == topics.dead_letter()) {
                out.push_back(json::parse(m.payload));
            }
        }
        return out;
    }

    test::TempDir dir;
    Topics topics{"packd/v1", "t"};
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
    std::unique_ptr<OrderIntake> intake;
};

TEST_F(OrderIntakeTest, APoisonedMessageInABatchIsDeadLetteredAloneAndTheRestIsApplied) {
    // An image scan whose sink throws stands for a message that breaks the intake half way.
    intake->set_image_scan_sink(
        [](const std::string&, std::string) -> Status { throw std::runtime_error("decoder exploded"); });
    const std::vector<InboundMessage> batch{
        order("1001"), {"packd/v1/t/in/orders", "this is not json", 16, false},
        order("1002"), {"packd/v1/t/in/scans/pack1", "GIF89a", 6, false},
        order("1001"),  // delivered twice within one batch
        order("1003"),
    };
    // A budget no machine runs out of: what is applied must not depend on how busy it is.
    auto result = intake->store_and_apply(batch, IntakeBudget{std::chrono::seconds(10), 256});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->stored, 6);
    EXPECT_EQ(result->applied, 3);
    EXPECT_EQ(result->duplicates, 1);
    EXPECT_EQ(result->rejected, 2);
    EXPECT_FALSE(result->more);

    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE state = 'accepted'"), 3);
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 0) << "every message of the batch is finished";
    EXPECT_EQ(scalar("SELECT count(*) FROM applied_events"), 3);
    EXPECT_EQ(inventory->level("MUG").reserved, 3) << "the duplicate reserved nothing";
    const auto letters = dead_letters();
    ASSERT_EQ(letters.size(), 2u);
    EXPECT_NE(letters[0]["reason"].get<std::string>().find("invalid JSON"), std::string::npos) << letters[0];
    EXPECT_NE(letters[1]["reason"].get<std::string>().find("decoder exploded"), std::string::npos)
        << letters[1];
    EXPECT_EQ(intake->totals().batches, 1);
    EXPECT_EQ(intake->totals().largest_batch, 6);
    EXPECT_TRUE(inventory->verify().problems.empty());
}

TEST_F(OrderIntakeTest, ABatchBeyondTheBudgetIsStoredWholeAndTheRestAppliedInOrderInSlices) {
    std::vector<InboundMessage> batch;
    for (int i = 0; i < 40; ++i) {
        batch.push_back(order(std::to_string(2000 + i)));
    }
    auto first = intake->store_and_apply(batch, IntakeBudget{std::chrono::seconds(10), 7});
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->stored, 40);
    EXPECT_EQ(first->applied, 7);
    EXPECT_TRUE(first->more);
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 33) << "stored durably, applied later";
    auto counts = store->counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->inbox, 33);

    int slices = 0;
    for (bool more = true; more; ++slices) {
        auto slice = intake->apply_pending(IntakeBudget{std::chrono::seconds(10), 10});
        ASSERT_TRUE(slice.ok()) << slice.error().message;
        EXPECT_LE(slice->applied, 10);
        more = slice->more;
        ASSERT_LT(slices, 10);
    }
    EXPECT_EQ(slices, 4);  // 10 + 10 + 10 + 3
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE state = 'accepted'"), 40);
    EXPECT_EQ(scalar("SELECT count(*) FROM applied_events"), 40);
    // Applied oldest first: the orders' acceptance follows the order the broker delivered them in.
    std::vector<std::string> accepted;
    for (const auto& m : test::value_of(store->outbox_pending(0, 100000))) {
        const auto j = json::parse(m.payload);
        if (j.value("state", "") == "accepted") {
            accepted.push_back(j.value("order_id", ""));
        }
    }
    ASSERT_EQ(accepted.size(), 40u);
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(accepted[static_cast<std::size_t>(i)], std::to_string(2000 + i));
    }
    EXPECT_EQ(intake->totals().applied, 40);
    EXPECT_EQ(store->counts()->inbox, 0);
}

TEST_F(OrderIntakeTest, AnEventDeliveredAgainInALaterBatchIsAppliedOnce) {
    // The broker delivers again what it did not see acknowledged (a PUBACK lost with the connection).
    auto first =
        intake->store_and_apply({order("4001"), order("4002")}, IntakeBudget{std::chrono::seconds(10), 256});
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->applied, 2);
    const int64_t outbox_after_first = scalar("SELECT count(*) FROM outbox");
    EXPECT_GT(outbox_after_first, 0) << "an accepted order tells the shop";

    auto again =
        intake->store_and_apply({order("4002"), order("4003")}, IntakeBudget{std::chrono::seconds(10), 256});
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->stored, 2);
    EXPECT_EQ(again->applied, 1);
    EXPECT_EQ(again->duplicates, 1);
    EXPECT_EQ(again->rejected, 0);

    EXPECT_EQ(scalar("SELECT count(*) FROM orders"), 3);
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE id = '4002'"), 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM applied_events WHERE event_id = 'evt-4002'"), 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 0)
        << "the duplicate is finished, not left to apply again";
    EXPECT_EQ(inventory->level("MUG").reserved, 3);
    // The duplicate added no outbox row: the shop hears about order 4002 once.
    std::map<std::string, int> accepted;
    for (const auto& m : test::value_of(store->outbox_pending(0, 100000))) {
        const auto j = json::parse(m.payload);
        if (j.value("state", "") == "accepted") {
            ++accepted[j.value("order_id", "")];
        }
    }
    EXPECT_EQ(accepted, (std::map<std::string, int>{{"4001", 1}, {"4002", 1}, {"4003", 1}}));
    EXPECT_TRUE(dead_letters().empty());
}

TEST_F(OrderIntakeTest, AnOverSizePayloadBecomesADeadLetterAndIsNotStored) {
    // The subscription drops a payload over the limit and hands over its topic and size only.
    const InboundMessage too_big{"packd/v1/t/in/orders", "", 300 * 1024, true};
    auto result = intake->store_and_apply({order("5001"), too_big, order("5002")},
                                          IntakeBudget{std::chrono::seconds(10), 256});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->stored, 2);
    EXPECT_EQ(result->rejected, 1);
    EXPECT_EQ(result->applied, 2);
    EXPECT_TRUE(result->outbox_grew);

    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE state = 'accepted'"), 2);
    EXPECT_EQ(scalar("SELECT count(*) FROM applied_events"), 2);
    const auto letters = dead_letters();
    ASSERT_EQ(letters.size(), 1u);
    EXPECT_EQ(letters[0]["topic"], "packd/v1/t/in/orders");
    EXPECT_EQ(letters[0]["size"], 300 * 1024);
    EXPECT_NE(letters[0]["reason"].get<std::string>().find("over the limit of 262144 bytes"),
              std::string::npos)
        << letters[0];
}

TEST_F(OrderIntakeTest, ABatchWithinTheBudgetIsAppliedWholeWithItsOutboxRowsInOneCall) {
    // Within the budget (a batch of exactly the budget reports `more`: the intake does not look past its
    // budget, and the next slice finds the inbox empty).
    auto result = intake->store_and_apply({order("6001"), order("6002"), order("6003")},
                                          IntakeBudget{std::chrono::seconds(10), 4});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->stored, 3);
    EXPECT_EQ(result->applied, 3);
    EXPECT_FALSE(result->more) << "nothing waits";
    EXPECT_TRUE(result->outbox_grew);
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE state = 'accepted'"), 3);
    EXPECT_EQ(scalar("SELECT count(*) FROM reservations"), 3);
    int accepted = 0;
    for (const auto& m : test::value_of(store->outbox_pending(0, 100000))) {
        if (json::parse(m.payload).value("state", "") == "accepted") {
            EXPECT_EQ(m.qos, 1) << m.topic;
            ++accepted;
        }
    }
    EXPECT_EQ(accepted, 3);

    // One message over the budget: stored with the rest, left in the inbox, and `more` says so.
    auto over = intake->store_and_apply({order("6004"), order("6005"), order("6006"), order("6007")},
                                        IntakeBudget{std::chrono::seconds(10), 3});
    ASSERT_TRUE(over.ok()) << over.error().message;
    EXPECT_EQ(over->stored, 4);
    EXPECT_EQ(over->applied, 3);
    EXPECT_TRUE(over->more);
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM orders WHERE id = '6007'"), 0);
}

TEST_F(OrderIntakeTest, AFailedBatchStoresNothing) {
    // A full disk (here: a read-only database) refuses the batch: nothing of it may be acknowledged.
    store->db().exec("PRAGMA query_only=ON");
    auto result = intake->store_and_apply({order("3001"), order("3002")}, IntakeBudget{});
    EXPECT_FALSE(result.ok());
    store->db().exec("PRAGMA query_only=OFF");
    EXPECT_EQ(scalar("SELECT count(*) FROM inbox"), 0);
    EXPECT_EQ(scalar("SELECT count(*) FROM orders"), 0);
    EXPECT_EQ(intake->totals().stored, 0);
}

}  // namespace
}  // namespace packd::fulfillment
