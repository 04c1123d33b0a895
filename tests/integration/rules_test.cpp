// Merchant rules on the real packd with a real mosquitto and a shop listening: the example rules shipped
// in config/rules/ fire on their triggers and what they did is checked in the store and in what the shop
// heard; a redelivered event does not fire a rule twice; a rules file that does not compile is refused at
// reload and the old rules stay; a rule that fails or tries to leave its sandbox is skipped with a trace and
// an alert while the order goes on; kill -9 during a burst of orders never leaves half a rule.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "fault_support.hpp"
#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// packd's own order JSON with the fields rules read: total, currency, billing country, carrier.
std::string order(const std::string& event, const std::string& id, const std::string& sku, int qty,
                  json extra = json::object(), json ship_to = json()) {
    if (ship_to.is_null()) {
        ship_to = {{"name", "Jana M"},
                   {"street1", "Hauptstr. 1"},
                   {"city", "Koeln"},
                   {"postal_code", "50667"},
                   {"country", "DE"}};
    }
    json o{{"id", id}, {"ship_to", ship_to}, {"lines", {{{"sku", sku}, {"quantity", qty}}}}};
    o.update(extra);
    return json{{"event_id", event}, {"type", "order.created"}, {"order", o}}.dump();
}

class Rules : public ::testing::Test {
  protected:
    void SetUp() override {
        namespace fs = std::filesystem;
        fs::create_directories(dir.file("rules"));
        for (const auto& entry : fs::directory_iterator(source_dir() + "/config/rules")) {
            fs::copy_file(entry.path(), dir.file("rules/" + entry.path().filename().string()));
        }
        write_config();
        packd = start_packd(dir);
        seed_catalogue(dir);
        write_file(dir.file("more.csv"),
                   "sku,name,unit_weight_g,reorder_point,reorder_qty\nSALE-SOCKS,Socks on sale,80,0,0\n"
                   "ANVIL,Anvil,40000,0,0\n");
        ASSERT_EQ(packctl(dir, {"import", "products", dir.file("more.csv")}).code, 0);
        ASSERT_EQ(packctl(dir, {"adjust", "SALE-SOCKS", "A-01-01", "20", "--reason", "receive"}).code, 0);
        ASSERT_EQ(packctl(dir, {"adjust", "ANVIL", "A-01-02", "3", "--reason", "receive"}).code, 0);
    }

    void write_config(const std::string& rules_extra = "") {
        write_file(dir.file("packd.toml"),
                   daemon_config(dir, broker.port(),
                                 "[scanners.fgun]\ntype = \"sim\"\nfifo = \"" + dir.file("freight.fifo") +
                                     "\"\n[stations.freight]\nscanner = \"fgun\"\n[rules]\ndir = \"" +
                                     dir.file("rules") + "\"\ncutoff = \"00:00\"\n" + rules_extra));
    }

    int64_t count(const std::string& sql) {
        StoreFile store(store_path(dir));
        return store.scalar(sql);
    }
    std::string text(const std::string& sql) {
        StoreFile store(store_path(dir));
        const auto rows = store.column(sql);
        return rows.empty() ? std::string("(no row)") : rows.front();
    }
    bool store_reaches(const std::string& sql, int64_t value) {
        return wait_until([&] { return count(sql) == value; }, 20s);
    }
    bool shop_hears(const ShopEar& shop, const std::string& topic,
                    const std::function<bool(const json&)>& pred) {
        return wait_until(
            [&] {
                for (const auto& m : shop.on(topic)) {
                    const json j = json::parse(m, nullptr, false);
                    if (j.is_object() && pred(j)) {
                        return true;
                    }
                }
                return false;
            },
            30s);
    }
    int64_t runs(const std::string& rule, const std::string& subject, const std::string& outcome) {
        return count("SELECT count(*) FROM rule_runs WHERE rule = '" + rule + "' AND subject = '" + subject +
                     "' AND outcome = '" + outcome + "'");
    }
    void expect_books_hold() {
        const auto r = packctl(dir, {"verify"});
        EXPECT_EQ(r.code, 0) << r.output;
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
};

TEST_F(Rules, OrdersForReviewAreHeldOnceAndReleasedByAnOperator) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    const std::string big = order("e-big", "1001", "MUG-RED", 2, {{"total", 900}, {"currency", "EUR"}});
    publish(broker.port(), "packd/v1/it/in/orders", big);
    ASSERT_TRUE(
        store_reaches("SELECT count(*) FROM orders WHERE id = '1001' AND state = 'held' AND "
                      "hold_by = 'rule:hold-for-review'",
                      1))
        << packd->output();
    EXPECT_EQ(text("SELECT hold_reason FROM orders WHERE id = '1001'"),
              "review: order of 900 EUR is over 500");
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/orders/1001/status",
                           [](const json& j) { return j.value("state", "") == "held"; }));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/alerts", [](const json& j) {
        return j.value("kind", "") == "order_review" && j.value("order_id", "") == "1001";
    }));
    // A held order prints nothing; its stock is free for others.
    EXPECT_EQ(count("SELECT count(*) FROM print_jobs WHERE order_id = '1001' AND state <> 'cancelled'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM reservations WHERE order_id = '1001'"), 0);
    EXPECT_EQ(runs("hold-for-review", "1001", "done"), 1);

    // The shop sends the same event again: applied once, so the rule fired once.
    publish(broker.port(), "packd/v1/it/in/orders", big);
    ASSERT_TRUE(wait_until([&] { return intake_duplicates(dir) >= 1; }, 20s));
    EXPECT_EQ(count("SELECT count(*) FROM rule_runs WHERE rule = 'hold-for-review' AND subject = '1001'"), 1);

    // Billed to another country; the third order to one address within a day.
    publish(broker.port(), "packd/v1/it/in/orders",
            order("e-bill", "1002", "MUG-RED", 1, {{"total", 20}, {"bill_to", {{"country", "FR"}}}}));
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '1002' AND state = 'held'", 1));
    EXPECT_EQ(text("SELECT hold_reason FROM orders WHERE id = '1002'"),
              "review: billed to FR, shipped to DE");
    const json same{{"name", "Max K"},
                    {"street1", "Ring 2"},
                    {"city", "Bonn"},
                    {"postal_code", "53111"},
                    {"country", "DE"}};
    for (const std::string id : {"1003", "1004", "1005"}) {
        publish(broker.port(), "packd/v1/it/in/orders",
                order("e-" + id, id, "TEE-BLK-L", 1, {{"total", 10}}, same));
        ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '" + id + "'", 1));
    }
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1003'"), "accepted");
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1004'"), "accepted");
    EXPECT_EQ(text("SELECT state || ': ' || hold_reason FROM orders WHERE id = '1005'"),
              "held: review: 3 orders to this address within a day");

    // Stock arriving does not release a rule's hold; an operator does, and the label prints then.
    ASSERT_EQ(packctl(dir, {"adjust", "MUG-RED", "A-01-01", "5", "--reason", "receive"}).code, 0);
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1001'"), "held");
    const auto released = packctl(dir, {"release", "1001"});
    ASSERT_EQ(released.code, 0) << released.output;
    EXPECT_EQ(text("SELECT state FROM orders WHERE id = '1001'"), "accepted");
    EXPECT_TRUE(store_reaches(
        "SELECT count(*) FROM print_jobs WHERE order_id = '1001' AND kind = 'shipping' AND state = 'done'",
        1));
    // Re-accepted, the order is not held again: once per order.
    EXPECT_EQ(runs("hold-for-review", "1001", "done"), 1);
    EXPECT_EQ(runs("hold-for-review", "1001", "limited"), 1);
    const auto log = packctl(dir, {"rules", "log", "hold-for-review"});
    EXPECT_EQ(log.code, 0);
    EXPECT_NE(log.output.find("hold reason=review: order of 900 EUR is over 500"), std::string::npos)
        << log.output;
    expect_books_hold();
}

TEST_F(Rules, ShippingRulesTagRouteHoldAndAddAReturnLabel) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    // After the cut-off (00:00) every order is next-day; to DE a return label goes in the parcel.
    publish(broker.port(), "packd/v1/it/in/orders", order("s-1", "2001", "MUG-RED", 1, {{"total", 15}}));
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '2001' AND state = 'accepted'", 1))
        << packd->output();
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = '2001'"), "next-day");
    EXPECT_TRUE(
        store_reaches("SELECT count(*) FROM print_jobs WHERE order_id = '2001' AND state = 'done'", 2));
    EXPECT_EQ(count("SELECT count(*) FROM print_jobs WHERE order_id = '2001' AND kind = 'return'"), 1);
    // To the US: no return label.
    publish(broker.port(), "packd/v1/it/in/orders",
            order("s-2", "2002", "MUG-RED", 1, {{"total", 15}},
                  {{"name", "Al"},
                   {"street1", "1 Main St"},
                   {"city", "Austin"},
                   {"postal_code", "78701"},
                   {"country", "US"}}));
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '2002' AND state = 'accepted'", 1));
    EXPECT_EQ(count("SELECT count(*) FROM print_jobs WHERE order_id = '2002' AND kind = 'return'"), 0);

    // Heavy: routed to the freight station, which the pack station refuses to open.
    publish(broker.port(), "packd/v1/it/in/orders", order("s-3", "2003", "ANVIL", 1, {{"total", 90}}));
    ASSERT_TRUE(
        store_reaches("SELECT count(*) FROM orders WHERE id = '2003' AND route_station = 'freight'", 1));
    const auto at_pack = packctl(dir, {"--json", "scan", "pack1", "2003"});
    const json reply = json::parse(at_pack.output, nullptr, false);
    ASSERT_TRUE(reply.is_object()) << at_pack.output;
    EXPECT_FALSE(reply["scan"]["station_reply"].value("ok", true)) << at_pack.output;
    EXPECT_EQ(count("SELECT count(*) FROM station_sessions WHERE order_id = '2003'"), 0);

    // A postal code the carrier does not serve: held with the reason, and the shop hears it.
    publish(broker.port(), "packd/v1/it/in/orders",
            order("s-4", "2004", "MUG-RED", 1, {{"total", 15}, {"carrier", "DHL"}},
                  {{"name", "Inga"},
                   {"street1", "Am Hafen 1"},
                   {"city", "Helgoland"},
                   {"postal_code", "27498"},
                   {"country", "DE"}}));
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '2004' AND state = 'held'", 1));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/orders/2004/status", [](const json& j) {
        return j.value("state", "") == "held" && j.value("reason", "") == "DHL does not deliver to 27498";
    }));
    expect_books_hold();
}

TEST_F(Rules, StockRulesReorderInCasesAndTellTheShopWhenASkuIsBack) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    // MUG-RED: 60 on hand, reorder point 10, reorder quantity 48, cases of 12.
    ASSERT_EQ(packctl(dir, {"adjust", "MUG-RED", "A-01-01", "-55", "--reason", "count"}).code, 0);
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/reorders", [](const json& j) {
        return j.value("sku", "") == "MUG-RED" && j.value("quantity", 0) == 48 &&
               j.value("rule", "") == "reorder-in-cases";
    }));
    // The rule took over the reorder request: one message, not two; the low_stock alert stays.
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/alerts",
                           [](const json& j) { return j.value("kind", "") == "low_stock"; }));
    EXPECT_EQ(shop.on("packd/v1/it/out/reorders").size(), 1u);

    ASSERT_EQ(packctl(dir, {"adjust", "MUG-RED", "A-01-01", "-5", "--reason", "count"}).code, 0);
    ASSERT_TRUE(store_reaches("SELECT out_of_stock FROM products WHERE sku = 'MUG-RED'", 1));
    ASSERT_EQ(packctl(dir, {"adjust", "MUG-RED", "A-01-01", "7", "--reason", "receive"}).code, 0);
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/rules/back-in-stock/MUG-RED", [](const json& j) {
        return j.value("sku", "") == "MUG-RED" && j.value("available", 0) == 7;
    }));
    // Below the reorder point still, and within a day: no second reorder.
    EXPECT_EQ(count("SELECT count(*) FROM rule_runs WHERE rule = 'reorder-in-cases' AND outcome = 'done'"),
              1);
    expect_books_hold();
}

TEST_F(Rules, ReturnsInsidePolicyAreApprovedAndFinalSaleIsRejected) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    publish(broker.port(), "packd/v1/it/in/orders", order("r-1", "3001", "MUG-RED", 1, {{"total", 15}}));
    publish(broker.port(), "packd/v1/it/in/orders", order("r-2", "3002", "SALE-SOCKS", 2, {{"total", 9}}));
    ASSERT_TRUE(
        store_reaches("SELECT count(*) FROM orders WHERE id IN ('3001','3002') AND state = 'accepted'", 2))
        << packd->output();
    ASSERT_EQ(packctl(dir, {"ship", "3001", "--weight", "400"}).code, 0);
    ASSERT_EQ(packctl(dir, {"ship", "3002", "--weight", "200"}).code, 0);
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"rr-1","type":"return.requested","rma":"RMA-1","order_id":"3001",)"
            R"("lines":[{"sku":"MUG-RED","quantity":1}]})");
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"rr-2","type":"return.requested","rma":"RMA-2","order_id":"3002",)"
            R"("lines":[{"sku":"SALE-SOCKS","quantity":2}]})");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM returns WHERE rma = 'RMA-1' AND state = 'approved'", 1))
        << packd->output();
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM returns WHERE rma = 'RMA-2' AND state = 'rejected'", 1));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/returns/RMA-1/label",
                           [](const json& j) { return !j.value("pdf_base64", "").empty(); }));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/returns/RMA-2/status", [](const json& j) {
        return j.value("state", "") == "rejected" && j.value("reason", "") == "SALE-SOCKS is final sale";
    }));
    // A dry run says what a rule would do and changes nothing.
    write_file(dir.file("event.json"), R"({"trigger":"return.requested","rma":"RMA-2"})");
    const int64_t before = count("SELECT count(*) FROM rule_runs");
    const auto dry = packctl(dir, {"rules", "test", "reject-returns-outside-policy", dir.file("event.json")});
    EXPECT_EQ(dry.code, 0) << dry.output;
    EXPECT_NE(dry.output.find("reject_return reason=SALE-SOCKS is final sale"), std::string::npos)
        << dry.output;
    EXPECT_EQ(count("SELECT count(*) FROM rule_runs"), before);
    EXPECT_EQ(text("SELECT state FROM returns WHERE rma = 'RMA-2'"), "rejected");
    expect_books_hold();
}

TEST_F(Rules, BadRulesNeverHurtTheWarehouse) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    const auto before = packctl(dir, {"--json", "rules"});
    const size_t loaded = json::parse(before.output)["rules"].size();
    ASSERT_GE(loaded, 9u);
    // A file that does not compile: refused at reload with its place; the old rules stay.
    write_file(dir.file("rules/broken.toml"),
               "[[rule]]\nname = \"broken\"\non = \"order.accepted\"\nif = \"order.total >\"\n"
               "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n");
    packd->signal(SIGHUP);
    EXPECT_TRUE(packd->wait_for_output("rules/broken.toml:4:", 10s)) << packd->output();
    EXPECT_EQ(json::parse(packctl(dir, {"--json", "rules"}).output)["rules"].size(), loaded);

    // Rules that fail at run time, or try to leave the sandbox: skipped with the reason, the order goes on.
    write_file(
        dir.file("rules/broken.toml"),
        "[[rule]]\nname = \"always-errors\"\non = \"order.accepted\"\nif = \"error('boom')\"\n"
        "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n"
        "[[rule]]\nname = \"shell-out\"\non = \"order.accepted\"\nif = \"os.execute('touch " +
            dir.file("pwned") +
            "')\"\n[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n"
            "[[rule]]\nname = \"read-files\"\non = \"order.accepted\"\nif = \"io.open('/etc/passwd')\"\n"
            "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n"
            "[[rule]]\nname = \"spins\"\non = \"order.accepted\"\nif = \"\"\"\nwhile true do end\n\"\"\"\n"
            "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n"
            "[[rule]]\nname = \"hoards\"\non = \"order.accepted\"\nif = \"\"\"\nlocal t = {}\n"
            "for i = 1, 1e9 do t[i] = string.rep('x', 100000) .. i end\n\"\"\"\n"
            "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n");
    packd->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] {
            return json::parse(packctl(dir, {"--json", "rules"}).output)["rules"].size() == loaded + 5;
        },
        10s))
        << packd->output();
    publish(broker.port(), "packd/v1/it/in/orders", order("b-1", "4001", "MUG-RED", 1, {{"total", 15}}));
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = '4001' AND state = 'accepted'", 1))
        << packd->output();
    for (const char* rule : {"always-errors", "shell-out", "read-files", "spins", "hoards"}) {
        EXPECT_EQ(runs(rule, "4001", "failed"), 1) << rule;
    }
    EXPECT_NE(text("SELECT reason FROM rule_runs WHERE rule = 'spins'").find("instruction budget"),
              std::string::npos);
    EXPECT_NE(text("SELECT reason FROM rule_runs WHERE rule = 'hoards'").find("memory cap"),
              std::string::npos);
    EXPECT_EQ(text("SELECT tags FROM orders WHERE id = '4001'"), "next-day");
    EXPECT_FALSE(std::filesystem::exists(dir.file("pwned")));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/alerts", [](const json& j) {
        return j.value("kind", "") == "rule_failed" && j.value("rule", "") == "always-errors";
    }));
    EXPECT_TRUE(
        store_reaches("SELECT count(*) FROM print_jobs WHERE order_id = '4001' AND kind = 'shipping'", 1));
    const auto status = packctl(dir, {"status"});
    EXPECT_EQ(status.code, 0) << status.output;
    expect_books_hold();
}

TEST_F(Rules, IntervalRulesRunOnTheirOwnAndTheCheckNamesABrokenRule) {
    ShopEar shop(broker.uri(), "shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"});
    write_file(dir.file("rules/tick.toml"),
               "[[rule]]\nname = \"held-orders-report\"\non = \"interval\"\nevery = \"1s\"\n"
               "if = \"orders_in_state('held') >= 0\"\n[[rule.do]]\naction = \"publish\"\n"
               "topic = \"held-report\"\npayload = '{\"held\": {{ orders_in_state(\"held\") }}}'\n");
    packd->signal(SIGHUP);
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/rules/held-report", [](const json& j) {
        return j.contains("held") && j["held"].is_number();
    })) << packd->output();
    EXPECT_GE(count("SELECT count(*) FROM rule_runs WHERE rule = 'held-orders-report' AND outcome = 'done'"),
              1);

    // --check-config compiles the rules as start would, and names the place of a broken one.
    write_file(dir.file("rules/zz.toml"),
               "[[rule]]\nname = \"z\"\non = \"order.accepted\"\n"
               "if = \"order.total >> \"\n[[rule.do]]\naction = \"tag\"\ntag = \"z\"\n");
    const auto check = run({packd_binary(), "--config", dir.file("packd.toml"), "--check-config"}, 20s);
    EXPECT_EQ(check.code, 1) << check.output;
    EXPECT_NE(check.output.find("rules/zz.toml:4:"), std::string::npos) << check.output;
    std::filesystem::remove(dir.file("rules/zz.toml"));
    const auto fine = run({packd_binary(), "--config", dir.file("packd.toml"), "--check-config"}, 20s);
    EXPECT_EQ(fine.code, 0) << fine.output;
}

TEST_F(Rules, KillNineDuringABurstNeverLeavesHalfARule) {
    // Every other order is over the review threshold. Whatever a kill cut off, each order in the store was
    // handled with its rules in the same commit: held by the rule exactly when the rule's run is recorded
    // as done, and accepted with its label otherwise.
    ASSERT_EQ(packctl(dir, {"adjust", "TEE-BLK-L", "A-01-02", "700", "--reason", "receive"}).code, 0);
    int published = 0;
    int kills_mid_burst = 0;
    for (int round = 0; round < 3; ++round) {
        mqtt::async_client burst(
            broker.uri(), "burst-" + std::to_string(::getpid()) + "-" + std::to_string(round), nullptr);
        burst.connect(mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize())
            ->wait();
        std::vector<mqtt::delivery_token_ptr> tokens;
        for (int i = 0; i < 200; ++i, ++published) {
            const std::string id = "K" + std::to_string(published);
            if (tokens.size() >= 64) {
                ASSERT_TRUE(tokens[tokens.size() - 64]->wait_for(30s));
            }
            if (i == 100 + 30 * round) {
                packd->signal(SIGKILL);  // in the middle of the burst
            }
            tokens.push_back(burst.publish(mqtt::make_message(
                "packd/v1/it/in/orders",
                order("k-" + id, id, "TEE-BLK-L", 1, {{"total", published % 2 == 0 ? 700 : 7}},
                      {{"name", "N" + id},
                       {"street1", "S 1"},
                       {"city", "C"},
                       {"postal_code", "1"},
                       {"country", "US"}}),
                1, false)));
        }
        for (auto& t : tokens) {
            ASSERT_TRUE(t->wait_for(30s));
        }
        burst.disconnect()->wait();
        ASSERT_TRUE(packd->wait(10s).has_value());
        if (count("SELECT count(*) FROM orders WHERE id LIKE 'K%'") < published) {
            ++kills_mid_burst;
        }
        packd.reset();
        packd = start_packd(dir);
    }
    ASSERT_TRUE(wait_until([&] { return count("SELECT count(*) FROM inbox") == 0; }, 60s));
    const int64_t stored = count("SELECT count(*) FROM orders WHERE id LIKE 'K%'");
    EXPECT_GT(stored, 0);
    EXPECT_EQ(
        count(
            "SELECT count(*) FROM orders o WHERE o.id LIKE 'K%' AND (o.hold_by = 'rule:hold-for-review') <> "
            "EXISTS (SELECT 1 FROM rule_runs r WHERE r.rule = 'hold-for-review' AND r.subject = o.id AND "
            "r.outcome = 'done')"),
        0);
    EXPECT_EQ(
        count("SELECT count(*) FROM orders o WHERE o.id LIKE 'K%' AND NOT EXISTS (SELECT 1 FROM rule_runs r "
              "WHERE r.rule = 'hold-for-review' AND r.subject = o.id)"),
        0);
    EXPECT_EQ(
        count("SELECT count(*) FROM orders o WHERE o.id LIKE 'K%' AND o.state = 'held' AND EXISTS (SELECT 1 "
              "FROM print_jobs p WHERE p.order_id = o.id AND p.state <> 'cancelled')"),
        0);
    ASSERT_GE(kills_mid_burst, 1) << "no kill landed while orders were still coming: proved nothing";
    EXPECT_EQ(stored, published);
    EXPECT_EQ(count("SELECT count(*) FROM (SELECT subject FROM rule_runs WHERE rule = 'hold-for-review' AND "
                    "outcome = 'done' GROUP BY subject HAVING count(*) > 1)"),
              0);
    EXPECT_EQ(count("SELECT count(*) FROM orders WHERE id LIKE 'K%' AND hold_by = 'rule:hold-for-review'"),
              published / 2);
    expect_books_hold();
}

}  // namespace
}  // namespace packd::test
