#include "packd/fulfillment/rules/rule_engine.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

/// A real store in a temporary folder with the areas and the rule engine wired as the daemon wires them
/// (firmware-host/src/daemon.cpp): RuleEffects as the engine's actions, the engine as the store's event
/// sink and transaction hooks.
class RuleEngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, topics);
        orders = std::make_unique<OrderBook>(*store, *inventory, topics);
        intake = std::make_unique<OrderIntake>(*store, *orders, *inventory, topics, size_t{1} << 20);
        engine = std::make_unique<RuleEngine>(*store, *orders, *inventory, topics);
        effects = std::make_unique<RuleEffects>(*store, *orders, *intake, topics);
        engine->set_actions(effects.get());
        store->set_event_sink(engine.get(), engine.get());
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(
            inventory->record({"MUG", "A-01", "", "", 100, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }

    void TearDown() override { store->set_event_sink(nullptr, nullptr); }

    Status load(const std::string& text, RuleSettings settings = {}) {
        return engine->load({{"rules/test.toml", text}}, settings);
    }

    static OrderEvent order(const std::string& id, const std::string& country = "DE") {
        OrderEvent ev;
        ev.event_id = "evt-" + id;
        ev.type = OrderEventType::created;
        ev.order_id = id;
        ev.lines = {{"MUG", 1}};
        ev.ship_to = {"Jana", "", "Hauptstr. 1", "", "Koeln", "", "50667", country};
        ev.carrier = "DHL";
        return ev;
    }

    static std::string original(double total) {
        return json{{"order", {{"total", total}, {"currency", "EUR"}}}}.dump();
    }

    /// OrderBook::create in a transaction of its own, as the intake applies an order.
    OrderOutcome create(const std::string& id, double total = 20, const std::string& country = "DE") {
        Transaction tx(store->db());
        auto created = orders->create(order(id, country), original(total), "test");
        EXPECT_TRUE(created.ok()) << created.error().message;
        tx.commit();
        return created ? *created : OrderOutcome{};
    }

    std::string text(const std::string& sql) {
        auto st = store->db().prepare(sql);
        return st.step() ? st.text(0) : std::string("<no row>");
    }
    int64_t count(const std::string& sql) {
        auto st = store->db().prepare(sql);
        return st.step() ? st.int64(0) : -1;
    }
    int64_t rows(const std::string& table) { return count("SELECT count(*) FROM " + table); }

    /// The outcome and reason of every run of `rule`, oldest first: "done", "failed: <reason>", ...
    std::vector<std::string> runs(const std::string& rule) {
        std::vector<std::string> out;
        auto st =
            store->db().prepare("SELECT outcome, reason, subject FROM rule_runs WHERE rule = ? ORDER BY id");
        st.bind(1, rule);
        while (st.step()) {
            out.push_back(st.text(0) + (st.text(1).empty() ? "" : ": " + st.text(1)));
        }
        return out;
    }

    std::vector<json> alerts(const std::string& kind) {
        std::vector<json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 10000))) {
            if (m.topic == topics.alerts()) {
                auto doc = json::parse(m.payload);
                if (doc.value("kind", "") == kind) {
                    out.push_back(doc);
                }
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
    std::unique_ptr<RuleEngine> engine;
    std::unique_ptr<RuleEffects> effects;
};

const std::string kHoldBig = R"(
[[rule]]
name = "hold-big"
on = "order.accepted"
if = "order.total > 500"

[[rule.do]]
action = "hold"
reason = "review: {{ order.total }} {{ order.currency }}"
)";

TEST_F(RuleEngineTest, AHoldRuleHoldsTheOrderInItsOwnTransaction) {
    ASSERT_TRUE(load(kHoldBig).ok());
    EXPECT_EQ(engine->rule_count(), 1u);
    create("BIG", 620.5);
    create("SMALL", 20);

    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'BIG'"), "held");
    EXPECT_EQ(text("SELECT hold_by FROM orders WHERE id = 'BIG'"), "rule:hold-big");
    EXPECT_EQ(text("SELECT hold_reason FROM orders WHERE id = 'BIG'"), "review: 620.5 EUR");
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'SMALL'"), "accepted");
    EXPECT_EQ(inventory->level("MUG").reserved, 1) << "the held order's stock is released";

    EXPECT_EQ(count("SELECT count(*) FROM rule_runs WHERE rule = 'hold-big' AND subject = 'BIG' AND "
                    "outcome = 'done' AND matched = 1 AND trig = 'order.accepted' AND event_id = 'evt-BIG'"),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM rule_runs WHERE rule = 'hold-big' AND subject = 'SMALL' AND "
                    "outcome = 'skipped' AND matched = 0"),
              1);
    const json done = json::parse(text("SELECT actions FROM rule_runs WHERE subject = 'BIG'"));
    ASSERT_EQ(done.size(), 1u) << done.dump();
    EXPECT_EQ(done[0]["action"], "hold");
    EXPECT_EQ(done[0]["args"]["reason"], "review: 620.5 EUR");
    EXPECT_EQ(done[0]["result"], "order BIG held: review: 620.5 EUR");
    EXPECT_EQ(engine->list().at(0)["fired"], 1);
    EXPECT_EQ(engine->list().at(0)["runs"], 2);
}

TEST_F(RuleEngineTest, AFailingConditionIsTracedAlertedOnceAndTheOrderIsStillAccepted) {
    ASSERT_TRUE(load(R"(
[[rule]]
name = "broken"
on = "order.accepted"
if = "order.total + nil > 1"

[[rule.do]]
action = "hold"
reason = "never"
)")
                    .ok());
    create("1");
    create("2");
    create("3");
    for (const char* id : {"1", "2", "3"}) {
        EXPECT_EQ(text(std::string("SELECT state FROM orders WHERE id = '") + id + "'"), "accepted") << id;
    }
    const auto traced = runs("broken");
    ASSERT_EQ(traced.size(), 3u);
    for (const auto& run : traced) {
        EXPECT_EQ(
            run.rfind("failed: condition: rules/test.toml:5: attempt to perform arithmetic on a nil value",
                      0),
            0u)
            << run;
    }
    const auto raised = alerts("rule_failed");
    ASSERT_EQ(raised.size(), 1u) << "one alert a minute per rule, however many events fail";
    EXPECT_EQ(raised[0]["rule"], "broken");
    EXPECT_EQ(raised[0]["trigger"], "order.accepted");
    EXPECT_EQ(raised[0]["order_id"], "1");
    EXPECT_NE(raised[0]["reason"].get<std::string>().find("arithmetic on a nil value"), std::string::npos);
    EXPECT_EQ(engine->list().at(0)["failed"], 3);
}

TEST_F(RuleEngineTest, AFailingActionUndoesTheRulesOtherActionsOnly) {
    ASSERT_TRUE(load(R"(
[[rule]]
name = "tag-then-fail"
on = "order.accepted"

[[rule.do]]
action = "tag"
tag = "first"

[[rule.do]]
action = "tag"
tag = "a,b"
)")
                    .ok());
    create("1");
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1'"), "accepted");
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = '1'"), "") << "the first tag is undone with the rule";
    EXPECT_EQ(runs("tag-then-fail"),
              (std::vector<std::string>{"failed: tag: a tag is 1 to 40 bytes without a comma"}));
    EXPECT_EQ(alerts("rule_failed").size(), 1u);
}

TEST_F(RuleEngineTest, ABadLoadKeepsTheRulesInUse) {
    ASSERT_TRUE(load(kHoldBig).ok());
    ASSERT_EQ(engine->rule_count(), 1u);
    const std::string two_rules = kHoldBig + R"(
[[rule]]
name = "tag-all"
on = "order.accepted"
if = "order.total > > 1"

[[rule.do]]
action = "tag"
tag = "seen"
)";
    auto refused = load(two_rules);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message.rfind("rules/test.toml:14:", 0), 0u) << refused.error().message;
    auto not_toml = load("[[rule]\n");
    ASSERT_FALSE(not_toml.ok());
    EXPECT_NE(not_toml.error().message.find("not valid TOML"), std::string::npos);
    EXPECT_EQ(engine->rule_count(), 1u);

    create("BIG", 900);
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'BIG'"), "held") << "the old rule still fires";
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'BIG'"), "");
    EXPECT_EQ(runs("tag-all").size(), 0u);
}

TEST_F(RuleEngineTest, OncePerOrderFiresOnceWhenTheTriggerComesTwice) {
    ASSERT_TRUE(load(R"(
[[rule]]
name = "review-once"
on = "order.accepted"
once_per = "order"

[[rule.do]]
action = "hold"
reason = "first order to look at"
)")
                    .ok());
    create("1");
    ASSERT_EQ(text("SELECT state FROM orders WHERE id = '1'"), "held");
    {
        // An operator releases it: accepted again, which is the rule's trigger a second time.
        Transaction tx(store->db());
        auto released = orders->release("1");
        ASSERT_TRUE(released.ok()) << released.error().message;
        EXPECT_EQ(released->state, OrderState::accepted);
        tx.commit();
    }
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1'"), "accepted") << "not held again";
    EXPECT_EQ(runs("review-once"), (std::vector<std::string>{"done", "limited: fired for order 1 already"}));
    EXPECT_EQ(count("SELECT count(*) FROM rule_marks WHERE rule = 'review-once' AND subject = '1'"), 1);

    create("2");
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '2'"), "held") << "another order is another subject";
}

TEST_F(RuleEngineTest, ARolledBackTransactionLeavesNoRunAndNoEffect) {
    ASSERT_TRUE(load(kHoldBig).ok());
    const int64_t outbox_before = rows("outbox");
    {
        Transaction tx(store->db());
        ASSERT_TRUE(orders->create(order("GONE"), original(900), "test").ok());
        tx.rollback();
    }
    {
        // Rules run early (Store::settle_events, as the intake does before a label), then it all rolls back.
        Transaction tx(store->db());
        ASSERT_TRUE(orders->create(order("EARLY"), original(900), "test").ok());
        store->settle_events();
        ASSERT_EQ(text("SELECT state FROM orders WHERE id = 'EARLY'"), "held") << "the rule ran inside it";
        tx.rollback();
    }
    {
        // A part of a transaction undone alone: its events are forgotten, the rest commits.
        Transaction outer(store->db());
        {
            Transaction part(store->db());
            ASSERT_TRUE(orders->create(order("PART"), original(900), "test").ok());
            part.rollback();
        }
        outer.commit();
    }
    EXPECT_EQ(rows("rule_runs"), 0);
    EXPECT_EQ(rows("orders"), 0);
    EXPECT_EQ(rows("outbox"), outbox_before);
    EXPECT_EQ(inventory->level("MUG").reserved, 0);

    // The next committed order runs the rule for itself only: nothing of the undone events was kept.
    create("KEPT", 900);
    EXPECT_EQ(runs("hold-big"), (std::vector<std::string>{"done"}));
    EXPECT_EQ(text("SELECT subject FROM rule_runs"), "KEPT");
}

TEST_F(RuleEngineTest, TestEvaluatesWithoutWritingAnything) {
    ASSERT_TRUE(load(kHoldBig).ok());
    {
        // The order is there before the rules listen, so only test() evaluates them against it.
        store->set_event_sink(nullptr, nullptr);
        create("BIG", 750.5);
        store->set_event_sink(engine.get(), engine.get());
    }
    const std::vector<std::string> tables = {"rule_runs", "rule_marks", "outbox", "orders", "movements"};
    std::vector<int64_t> before;
    for (const auto& t : tables) {
        before.push_back(rows(t));
    }
    DomainEvent event;
    event.trigger = "order.accepted";
    event.order_id = "BIG";
    auto result = engine->test("hold-big", event);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ((*result)["matches"], true);
    EXPECT_EQ((*result)["listens"], true);
    EXPECT_EQ((*result)["limited"], false);
    ASSERT_EQ((*result)["would"].size(), 1u);
    EXPECT_EQ((*result)["would"][0]["action"], "hold");
    EXPECT_EQ((*result)["would"][0]["args"]["reason"], "review: 750.5 EUR");

    event.trigger = "order.held";
    auto other = engine->test("hold-big", event);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ((*other)["listens"], false);

    for (size_t i = 0; i < tables.size(); ++i) {
        EXPECT_EQ(rows(tables[i]), before[i]) << tables[i];
    }
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'BIG'"), "accepted");
    EXPECT_EQ(engine->list().at(0)["runs"], 0) << "a test is not a run";
    EXPECT_FALSE(engine->test("no-such-rule", event).ok());
}

TEST_F(RuleEngineTest, TheInstructionBudgetStopsAnEndlessConditionAndTheNextEventIsHandled) {
    RuleSettings settings;
    settings.limits.instructions = 100000;
    ASSERT_TRUE(load(R"toml(
[[rule]]
name = "spin"
on = "order.accepted"
if = "order.id ~= 'LOOP' or (function() while true do end end)()"

[[rule.do]]
action = "tag"
tag = "checked"
)toml",
                     settings)
                    .ok());
    create("LOOP");
    create("NEXT");
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'LOOP'"), "accepted");
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'LOOP'"), "");
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'NEXT'"), "checked");
    const auto traced = runs("spin");
    ASSERT_EQ(traced.size(), 2u);
    EXPECT_NE(traced[0].find("failed: condition: "), std::string::npos) << traced[0];
    EXPECT_NE(traced[0].find("instruction budget of 100000 exceeded"), std::string::npos) << traced[0];
    EXPECT_EQ(traced[1], "done");
}

TEST_F(RuleEngineTest, EventsTheActionsEmitAreHandledInTheSamePass) {
    ASSERT_TRUE(load(kHoldBig + R"(
[[rule]]
name = "tag-held"
on = "order.held"

[[rule.do]]
action = "tag"
tag = "held-by-rule"
)")
                    .ok());
    create("BIG", 900);
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'BIG'"), "held-by-rule");
    EXPECT_EQ(runs("tag-held"), (std::vector<std::string>{"done"}));
}

// A rule that keeps what it builds in a global fills the state to its memory cap. The engine then cannot
// even give the next event its names (the tables event, order, now): that is the rules' failure, traced and
// alerted, and the order goes on; it used to be a Lua panic that aborted packd.
TEST_F(RuleEngineTest, AStateAtItsMemoryCapFailsTheRulesNotTheProcess) {
    RuleSettings settings;
    settings.limits.memory_bytes = 1u << 20;
    ASSERT_TRUE(load(R"toml(
[[rule]]
name = "hoard"
on = "order.accepted"
if = "(function() keep = keep or {} for i = 1, 20000 do keep[#keep + 1] = {} end return false end)()"

[[rule.do]]
action = "tag"
tag = "x"
)toml",
                     settings)
                    .ok());
    for (int i = 0; i < 20; ++i) {
        create("H" + std::to_string(i));
    }
    EXPECT_EQ(count("SELECT count(*) FROM orders WHERE state = 'accepted'"), 20);
    const auto traced = runs("hoard");
    ASSERT_EQ(traced.size(), 20u);
    int without_names = 0;
    for (const auto& run : traced) {
        EXPECT_EQ(run.rfind("failed: ", 0), 0u) << run;
        EXPECT_NE(run.find("memory cap of 1024 KiB reached"), std::string::npos) << run;
        without_names += run.find("the event's names: ") != std::string::npos ? 1 : 0;
    }
    EXPECT_GT(without_names, 0) << "the state filled up so far that the event's names no longer fit";
    EXPECT_EQ(alerts("rule_failed").size(), 1u);

    DomainEvent event;
    event.trigger = "order.accepted";
    event.order_id = "H0";
    auto tested = engine->test("hoard", event);
    ASSERT_TRUE(tested.ok()) << tested.error().message;
    EXPECT_EQ((*tested)["matches"], false);
    EXPECT_NE((*tested)["error"].get<std::string>().find("memory cap"), std::string::npos) << tested->dump();

    // Loading the rules again starts a fresh state.
    ASSERT_TRUE(load(R"(
[[rule]]
name = "tag-all"
on = "order.accepted"

[[rule.do]]
action = "tag"
tag = "fresh"
)",
                     settings)
                    .ok());
    create("AFTER");
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'AFTER'"), "fresh");
}

TEST_F(RuleEngineTest, ArgumentsWriteNumbersAsLuaDoes) {
    // A whole total is an integer (rule_facts.cpp), so it reads as the shop sent it: 42, not 42.0.
    ASSERT_TRUE(load(R"(
[[rule]]
name = "numbers"
on = "order.accepted"

[[rule.do]]
action = "tag"
tag = "{{ 3 }} {{ 2.0 }} {{ 0.1 + 0.2 }} {{ 1 / 0 }} {{ order.total }} {{ 'x' }}{{ nil }}{{ true }}"
)")
                    .ok());
    create("N", 42);
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = 'N'"), "3 2.0 0.3 inf 42 xtrue");
}

}  // namespace
}  // namespace packd::fulfillment
