// The actions of merchant rules on a real store, through the intake as the shop's orders arrive: a carrier
// set and a printer chosen before the label is drawn, a hold an interval rule releases (and the label then
// prints), a time-of-day rule that fires once when its minute comes, and a rule whose second action fails
// leaving nothing of its first.

#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "packd/fulfillment/rules/rule_engine.hpp"
#include "source_label_templates.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

/// 10:30 local time today, plus `minutes`.
std::chrono::system_clock::time_point at_local(int minutes) {
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    local.tm_hour = 10;
    local.tm_min = 30;
    local.tm_sec = 0;
    return std::chrono::system_clock::from_time_t(std::mktime(&local)) + std::chrono::minutes(minutes);
}

class RuleActionsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, topics);
        orders = std::make_unique<OrderBook>(*store, *inventory, topics);
        intake = std::make_unique<OrderIntake>(*store, *orders, *inventory, topics, 256 * 1024);
        LabelRoute route;
        route.printer = "desk";
        route.templates = std::make_shared<LabelTemplates>(test::source_label_templates());
        intake->set_label_route(route);
        engine = std::make_unique<RuleEngine>(*store, *orders, *inventory, topics);
        effects = std::make_unique<RuleEffects>(*store, *orders, *intake, topics);
        engine->set_actions(effects.get());
        store->set_event_sink(engine.get(), engine.get());
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(
            inventory->record({"MUG", "A-01", "", "", 1000, MovementReason::receive, "", "", "", ""}).ok());
        tx.commit();
    }
    void TearDown() override { store->set_event_sink(nullptr, nullptr); }

    void load(const std::string& text) { ASSERT_TRUE(engine->load({{"rules/t.toml", text}}, {}).ok()); }

    void arrive(const std::string& id, const std::string& carrier = "DHL") {
        const json body{{"event_id", "evt-" + id},
                        {"type", "order.created"},
                        {"order",
                         {{"id", id},
                          {"carrier", carrier},
                          {"ship_to",
                           {{"name", "Jana"},
                            {"street1", "Hauptstr. 1"},
                            {"city", "Koeln"},
                            {"postal_code", "50667"},
                            {"country", "DE"}}},
                          {"lines", {{{"sku", "MUG"}, {"quantity", 1}}}}}}};
        const std::string payload = body.dump();
        ASSERT_TRUE(
            intake->store_and_apply({{"packd/v1/t/in/orders", payload, payload.size(), false}}, {}).ok());
    }

    std::string text(const std::string& sql) {
        auto st = store->db().prepare(sql);
        return st.step() ? st.text(0) : std::string("(no row)");
    }
    int64_t scalar(const std::string& sql) {
        auto st = store->db().prepare(sql);
        EXPECT_TRUE(st.step()) << sql;
        return st.int64(0);
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

TEST_F(RuleActionsTest, CarrierAndPrinterSetByARuleAreWhatTheLabelIsDrawnFor) {
    load(R"(
[[rule]]
name = "ups-for-de"
on = "order.accepted"
if = "order.ship_to.country == 'DE'"
[[rule.do]]
action = "set_carrier"
carrier = "UPS"
service = "Standard"
[[rule.do]]
action = "route"
printer = "big"
)");
    arrive("A-1");
    EXPECT_EQ(text("SELECT carrier || ' ' || service FROM orders WHERE id = 'A-1'"), "UPS Standard");
    EXPECT_EQ(text("SELECT printer FROM print_jobs WHERE order_id = 'A-1' AND kind = 'shipping'"), "big");
    EXPECT_NE(text("SELECT zpl FROM print_jobs WHERE order_id = 'A-1'").find("UPS"), std::string::npos);
    EXPECT_EQ(scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'A-1'"), 1);
}

TEST_F(RuleActionsTest, AnIntervalRuleReleasesARuleHoldAndTheLabelPrintsThen) {
    load(R"(
[[rule]]
name = "hold-all"
on = "order.accepted"
once_per = "order"
[[rule.do]]
action = "hold"
reason = "wait for the morning"

[[rule]]
name = "release-held"
on = "interval"
every = "1m"
if = "orders_in_state('held') > 0"
[[rule.do]]
action = "release"
order = "B-1"
)");
    arrive("B-1");
    EXPECT_EQ(text("SELECT state || ' ' || hold_by FROM orders WHERE id = 'B-1'"), "held rule:hold-all");
    EXPECT_EQ(scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'B-1' AND state <> 'cancelled'"), 0);
    // Stock arriving does not end a rule's hold.
    ASSERT_TRUE(intake->retry_held().ok());
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'B-1'"), "held");

    const auto start = std::chrono::system_clock::now();
    engine->tick(start);                             // the interval starts counting
    engine->tick(start + std::chrono::seconds(30));  // not yet
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'B-1'"), "held");
    engine->tick(start + std::chrono::seconds(61));
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = 'B-1'"), "accepted");
    EXPECT_EQ(scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'B-1' AND state = 'pending'"), 1);
    EXPECT_EQ(effects->take_printers(), std::set<std::string>{"desk"});
    // Accepted again, the order is not held again: once per order.
    EXPECT_EQ(scalar("SELECT count(*) FROM rule_runs WHERE rule = 'hold-all' AND outcome = 'limited'"), 1);
}

TEST_F(RuleActionsTest, ATimeOfDayRuleFiresOnceWhenItsMinuteComes) {
    load(R"(
[[rule]]
name = "cutoff-report"
on = "time"
at = "10:31"
[[rule.do]]
action = "alert"
kind = "cutoff"
message = "{{ orders_in_state('accepted') }} orders left at {{ event.data }}"
)");
    arrive("C-1");
    auto alerts = [&] {
        return scalar(
            "SELECT count(*) FROM outbox WHERE topic = 'packd/v1/t/out/alerts' AND CAST(payload AS TEXT) "
            "LIKE "
            "'%\"cutoff\"%'");
    };
    engine->tick(at_local(-1));  // 10:29
    engine->tick(at_local(0));   // 10:30
    EXPECT_EQ(alerts(), 0);
    engine->tick(at_local(2));  // 10:32: 10:31 passed between two ticks
    EXPECT_EQ(alerts(), 1);
    EXPECT_NE(text("SELECT payload FROM outbox WHERE CAST(payload AS TEXT) LIKE '%\"cutoff\"%'")
                  .find("1 orders left at 10:31"),
              std::string::npos);
    engine->tick(at_local(3));
    EXPECT_EQ(alerts(), 1);
}

TEST_F(RuleActionsTest, ARuleWhoseLaterActionFailsLeavesNothingOfItsEarlierOnes) {
    load(R"(
[[rule]]
name = "tag-then-fail"
on = "order.accepted"
[[rule.do]]
action = "tag"
tag = "first"
[[rule.do]]
action = "reject_return"
rma = "NO-SUCH-RMA"
reason = "x"
)");
    arrive("D-1");
    EXPECT_EQ(text("SELECT state || '/' || tags FROM orders WHERE id = 'D-1'"), "accepted/");
    EXPECT_EQ(text("SELECT outcome FROM rule_runs WHERE rule = 'tag-then-fail'"), "failed");
    EXPECT_NE(text("SELECT reason FROM rule_runs WHERE rule = 'tag-then-fail'").find("NO-SUCH-RMA"),
              std::string::npos);
    EXPECT_EQ(scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'D-1'"), 1);
    EXPECT_EQ(scalar("SELECT count(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%rule_failed%'"), 1);
}

}  // namespace
}  // namespace packd::fulfillment
