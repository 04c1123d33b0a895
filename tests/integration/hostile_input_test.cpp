// Hostile input through the real broker into the real packd, each checked on what the store holds afterwards
// and on what the shop receives: payloads over the size limit, JSON nested 100,000 deep, invalid UTF-8 inside
// an otherwise good order, ZPL commands in every text field (the printed label must stay one format), SQL
// metacharacters in every text field (stored verbatim), ids above 2^53 and 2^63, empty SKUs. Each refusal is
// a dead letter with a reason that names the problem, leaves the store as it was and packd running.
// (Credentials and certificates: broker_auth_test.cpp.)

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "fault_support.hpp"
#include "label_reading.hpp"
#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace reading = fulfillment::label_reading;

constexpr const char* kOrders = "packd/v1/it/in/orders";
constexpr const char* kDeadLetter = "packd/v1/it/out/dead-letter";

json good_order(const std::string& event, const std::string& id) {
    return json::parse(order_payload(event, id, "MUG-RED", 1));
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
        ++n;
    }
    return n;
}

class HostileInput : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
        packd = start_packd(dir);
        seed_catalogue(dir);
        ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
        before = fingerprint();
    }
    /// Still running after everything the test sent, and stopping cleanly (under the sanitizers, leaks left
    /// by the hostile input would show here).
    void TearDown() override {
        ASSERT_TRUE(packd);
        EXPECT_TRUE(packd->running()) << packd->output();
        packd->signal(SIGTERM);
        EXPECT_EQ(packd->wait(30s), 0);
        if (HasFailure()) {
            std::cerr << packd->output();
        }
    }

    /// Everything an order, a label or a stock change would touch, counted.
    std::string fingerprint() {
        StoreFile store(dir.file("state/packd.db"));
        std::string out;
        for (const char* table : {"orders", "order_lines", "print_jobs", "reservations", "movements",
                                  "applied_events", "inbox", "shipments", "products", "stock"}) {
            out += std::string(table) + "=" +
                   std::to_string(store.scalar(std::string("SELECT count(*) FROM ") + table)) + " ";
        }
        return out + "on_hand=" + std::to_string(store.scalar("SELECT total(on_hand) FROM stock"));
    }

    /// Publishes `payload` and returns the dead letter it caused; the store must be as it was.
    json refused(const std::string& payload, const std::string& topic = kOrders) {
        const std::size_t letters = shop.on(kDeadLetter).size();
        mouth.burst(topic, 0, 1, [&](int) { return payload; });
        if (!wait_until([&] { return shop.on(kDeadLetter).size() > letters; }, 30s)) {
            ADD_FAILURE() << "no dead letter for a payload of " << payload.size() << " bytes";
            return nullptr;
        }
        EXPECT_EQ(shop.on(kDeadLetter).size(), letters + 1);
        EXPECT_TRUE(packd->running()) << packd->output();
        EXPECT_EQ(fingerprint(), before) << "a refused message changed the store";
        return json::parse(shop.on(kDeadLetter)[letters]);
    }
    std::string reason_of(const std::string& payload) {
        const json letter = refused(payload);
        return letter.is_object() ? letter.value("reason", "") : "";
    }

    /// Publishes an order that must be taken, and waits for its status.
    json taken(const json& order) {
        const std::string id = order["order"]["id"].is_string() ? order["order"]["id"].get<std::string>()
                                                                : order["order"]["id"].dump();
        mouth.burst(kOrders, 0, 1, [&](int) { return order.dump(); });
        const std::string topic = "packd/v1/it/out/orders/" + id + "/status";
        EXPECT_TRUE(wait_until([&] { return !shop.on(topic).empty(); }, 30s)) << "no status for " << id;
        return shop.on(topic).empty() ? json() : json::parse(shop.on(topic).front());
    }
    json stored(const std::string& id) {
        const RunResult r = packctl(dir, {"--json", "order", id});
        EXPECT_EQ(r.code, 0) << r.output;
        const json j = json::parse(r.output, nullptr, false);
        return j.is_object() && j.contains("order") ? j["order"] : json();
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
    ShopEar shop{broker.uri(), "hostile-shop-" + std::to_string(::getpid()), {"packd/v1/it/out/#"}};
    ShopMouth mouth{broker.uri(), "hostile-pub-" + std::to_string(::getpid())};
    std::string before;
};

TEST_F(HostileInput, PayloadsOverTheSizeLimitAreDeadLettered) {
    // Over the limit: refused with the original kept in the dead letter.
    json big = good_order("evt-big", "BIG1");
    big["order"]["ship_to"]["company"] = std::string(300000, 'x');
    const std::string payload = big.dump();
    const json letter = refused(payload);
    EXPECT_EQ(letter.value("reason", ""),
              "payload is " + std::to_string(payload.size()) + " bytes, over the limit of 262144");
    EXPECT_EQ(letter.value("original", ""), payload);
    // Over four times the limit (and the 64 KiB allowed for the rest of the packet): not even kept in memory;
    // the dead letter says how big it was.
    big["order"]["ship_to"]["company"] = std::string(1300000, 'x');
    const json huge = refused(big.dump());
    EXPECT_EQ(huge.value("size", 0u), big.dump().size()) << huge.dump().substr(0, 300);
    EXPECT_NE(huge.value("reason", "").find("too big to keep, not stored"), std::string::npos) << huge.dump();
    EXPECT_FALSE(huge.contains("original"));
}

TEST_F(HostileInput, JsonNested100000DeepIsDeadLettered) {
    constexpr int kDepth = 100000;
    const std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
    EXPECT_EQ(reason_of(arrays), "payload must be a JSON object, found array");
    // Objects take more bytes per level: half as deep fits under the size limit.
    std::string objects;
    for (int i = 0; i < kDepth / 2; ++i) {
        objects += "{\"\":";
    }
    objects += "1" + std::string(kDepth / 2, '}');
    EXPECT_NE(reason_of(objects).find("neither packd's order JSON nor a Shopify or WooCommerce order"),
              std::string::npos);
    // Deep inside an otherwise good order, where a line belongs.
    std::string order = good_order("evt-deep", "DEEP1").dump();
    const std::string lines = "\"lines\":[{\"quantity\":1,\"sku\":\"MUG-RED\"}]";
    ASSERT_NE(order.find(lines), std::string::npos) << order;
    order.replace(order.find(lines), lines.size(), "\"lines\":[" + arrays + "]");
    EXPECT_EQ(reason_of(order), "order.lines[0] must be an object");
    // Never closed: the parser gives up at the end, not at a stack limit.
    EXPECT_NE(reason_of(std::string(kDepth, '[')).find("invalid JSON at byte"), std::string::npos);
}

TEST_F(HostileInput, InvalidUtf8InsideAGoodOrderIsDeadLetteredWithTheOriginalAsBase64) {
    for (const std::string& bad : {std::string("J\xff\xfe"), std::string("\xc0\xaf"),  // overlong '/'
                                   std::string("\xed\xa0\x80"),                        // a UTF-16 surrogate
                                   std::string("M\xc3"), std::string("\xf8\x88\x80\x80\x80")}) {
        std::string payload = good_order("evt-utf8", "UTF1").dump();
        payload.replace(payload.find("\"A\""), 3, "\"" + bad + "\"");
        const json letter = refused(payload);
        EXPECT_NE(letter.value("reason", "").find("UTF-8"), std::string::npos) << letter.dump();
        EXPECT_FALSE(letter.contains("original"));
        EXPECT_TRUE(letter.contains("original_base64")) << letter.dump();
    }
    // A lone surrogate written as a JSON escape: valid bytes, invalid text.
    std::string escaped = good_order("evt-utf8e", "UTF2").dump();
    escaped.replace(escaped.find("\"A\""), 3, "\"\\ud800x\"");
    EXPECT_NE(reason_of(escaped).find("surrogate"), std::string::npos);
}

TEST_F(HostileInput, ZplCommandsInEveryTextFieldPrintAsTextInOneFormat) {
    const std::string zpl = "^XZ^XA^FO9,9^FDX^FS~JA~JR\x01_5E";
    json order = good_order("evt-zpl", "ZPL1");
    auto& to = order["order"]["ship_to"];
    const std::vector<std::string> fields{"name", "company", "street1", "street2", "city", "region"};
    for (const auto& field : fields) {
        to[field] = field + zpl;
    }
    to["postal_code"] = "9^XZ^XA~JA_";
    order["order"]["carrier"] = "DHL^XZ^XA";
    order["order"]["service"] = "Paket^XZ^XA~JA";
    order["order"]["tracking_number"] = "JJD^XZ^XA~JA_1";
    EXPECT_EQ(taken(order).value("state", ""), "accepted") << packd->output();
    ASSERT_TRUE(wait_for_file(dir.file("labels/ZPL1-shipping-1.zpl"), 30s)) << packd->output();
    const std::string label = read_file(dir.file("labels/ZPL1-shipping-1.zpl"));

    // One format, no device command the text brought with it.
    EXPECT_EQ(occurrences(label, "^XA"), 1u) << label;
    EXPECT_EQ(occurrences(label, "^XZ"), 1u) << label;
    EXPECT_EQ(label.rfind("^XA", 0), 0u);
    EXPECT_EQ(label.find("~JA"), std::string::npos) << label;
    EXPECT_EQ(label.find("~JR"), std::string::npos) << label;
    EXPECT_EQ(label.find('\x01'), std::string::npos) << "a control byte reached the printer raw";
    std::vector<std::string> printed;
    for (const auto& f : reading::zpl_fields(label)) {
        EXPECT_EQ(f.data.find_first_of("^~"), std::string::npos)
            << "raw command inside field data: " << f.data;
        if (f.commands.find("^FH") != std::string::npos) {
            const auto text = reading::decode_field_hex(f.data);
            ASSERT_TRUE(text.has_value()) << f.data;
            printed.push_back(*text);
        }
    }
    // And each field's text prints as the shop sent it, a control character as a space (a newline typed into
    // a checkout form must not break the label's lines).
    for (std::string text : {to["name"].get<std::string>(), to["street1"].get<std::string>()}) {
        text.replace(text.find('\x01'), 1, " ");
        bool found = false;
        for (const auto& p : printed) {
            found = found || p.find(text) != std::string::npos;
        }
        EXPECT_TRUE(found) << "\"" << text << "\" is not on the label:\n" << label;
    }
    // The store keeps the text verbatim too.
    EXPECT_EQ(stored("ZPL1")["ship_to"]["city"], "city" + zpl);
}

TEST_F(HostileInput, SqlMetacharactersInEveryTextFieldAreStoredVerbatim) {
    const std::string sql = "x'); DROP TABLE orders; -- \" OR \"\"=\" %_\\ /* ;";
    json order = good_order("evt-sql'); DELETE FROM applied_events; --", "SQL1");
    auto& to = order["order"]["ship_to"];
    for (const char* field : {"name", "company", "street1", "street2", "city", "region"}) {
        to[field] = std::string(field) + sql;
    }
    to["postal_code"] = "1' OR '1'='1";
    order["order"]["carrier"] = "DHL'; --";
    order["order"]["service"] = "Paket\" OR 1=1";
    EXPECT_EQ(taken(order).value("state", ""), "accepted") << packd->output();
    const json kept = stored("SQL1");
    for (const char* field : {"name", "company", "street1", "street2", "city", "region", "postal_code"}) {
        EXPECT_EQ(kept["ship_to"][field], to[field]) << field;
    }
    EXPECT_EQ(kept["carrier"], "DHL'; --");
    EXPECT_EQ(kept["service"], "Paket\" OR 1=1");
    EXPECT_EQ(kept["event_id"], "evt-sql'); DELETE FROM applied_events; --");
    // A SKU made of SQL: an unknown SKU, held with the reason naming it exactly.
    json held = good_order("evt-sql-2", "SQL2");
    held["order"]["lines"][0]["sku"] = "MUG' OR sku LIKE '%";
    const json status = taken(held);
    EXPECT_EQ(status.value("state", ""), "held");
    EXPECT_EQ(status.value("reason", ""), "unknown SKU: MUG' OR sku LIKE '%");
    // Nothing else moved: every table still there, the catalogue untouched, the original kept byte for byte.
    StoreFile store(dir.file("state/packd.db"));
    EXPECT_EQ(store.scalar("SELECT count(*) FROM orders"), 2);
    EXPECT_EQ(store.scalar("SELECT count(*) FROM applied_events"), 2);
    EXPECT_EQ(store.column("SELECT original FROM orders WHERE id = 'SQL1'"),
              std::vector<std::string>{order.dump()});
    EXPECT_NE(before.find("products=" + std::to_string(store.scalar("SELECT count(*) FROM products"))),
              std::string::npos);
}

TEST_F(HostileInput, IdsAbove2To53KeepEveryDigit) {
    // 2^53 + 1: a double would make it ...992.
    json order = good_order("evt-big-id", "x");
    order["order"]["id"] = 9007199254740993ULL;
    EXPECT_EQ(taken(order).value("order_id", ""), "9007199254740993");
    EXPECT_EQ(stored("9007199254740993")["id"], "9007199254740993");
    // A Shopify order id above 2^53, as Shopify's own ids will be one day.
    json shopify = json::parse(read_file(source_dir() + "/tests/data/shop/shopify-orders-create.json"));
    shopify["id"] = 9007199254740995ULL;
    mouth.burst(std::string(kOrders) + "/orders/create", 0, 1, [&](int) { return shopify.dump(); });
    EXPECT_TRUE(
        wait_until([&] { return !shop.on("packd/v1/it/out/orders/9007199254740995/status").empty(); }, 30s));
    // Above 2^63 the number does not fit a signed 64-bit integer: it must keep its digits or be refused, not
    // wrap to a negative id.
    json wide = good_order("evt-wide-id", "x");
    wide["order"]["id"] = 18446744073709551615ULL;
    mouth.burst(kOrders, 0, 1, [&](int) { return wide.dump(); });
    ASSERT_TRUE(wait_until([&] { return shop.heard_text("evt-wide-id"); }, 30s)) << packd->output();
    StoreFile store(dir.file("state/packd.db"));
    EXPECT_EQ(store.scalar("SELECT count(*) FROM orders WHERE id LIKE '-%'"), 0)
        << "order id 18446744073709551615 was stored as "
        << store.column("SELECT id FROM orders WHERE id LIKE '-%'")[0];
    // A quantity above 2^63 is refused, not wrapped into range.
    json many = good_order("evt-many", "MANY1");
    many["order"]["lines"][0]["quantity"] = 9223372036854775809ULL;
    before = fingerprint();
    EXPECT_EQ(reason_of(many.dump()), "order.lines[0].quantity must be from 1 to 1000000");
}

TEST_F(HostileInput, EmptySkusAreRefused) {
    json order = good_order("evt-empty-sku", "EMPTY1");
    order["order"]["lines"][0]["sku"] = "";
    EXPECT_EQ(reason_of(order.dump()), "order.lines[0].sku is empty");
    order["order"]["lines"] =
        json::array({{{"sku", "MUG-RED"}, {"quantity", 1}}, {{"sku", ""}, {"quantity", 2}}});
    EXPECT_EQ(reason_of(order.dump()), "order.lines[1].sku is empty");
    const json letter =
        refused(R"({"event_id":"st-empty","type":"stock.adjusted","sku":"","location":"A-01-01","delta":5})",
                "packd/v1/it/in/stock");
    EXPECT_NE(letter.value("reason", "").find("sku"), std::string::npos) << letter.dump();
    // And the next good order still goes through.
    EXPECT_EQ(taken(good_order("evt-after", "AFTER1")).value("state", ""), "accepted");
}

}  // namespace
}  // namespace packd::test
