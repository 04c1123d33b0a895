// An order published to a real mosquitto becomes a stored order, a label in the printer's
// folder and a status message back to the shop; bad input goes to the dead-letter topic.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// The shop's side of the broker.
class ShopClient {
  public:
    explicit ShopClient(const Broker& broker)
        : client_(broker.uri(), "shop-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++),
                  nullptr) {
        client_.start_consuming();
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    }
    ~ShopClient() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    void subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait(); }
    void publish(const std::string& topic, const std::string& payload) {
        client_.publish(mqtt::make_message(topic, payload, 1, false))->wait();
    }
    /// The next message on `topic`, waiting up to `timeout`.
    std::optional<std::string> next(const std::string& topic, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            mqtt::const_message_ptr msg;
            if (client_.try_consume_message_for(&msg, 100ms) && msg && msg->get_topic() == topic) {
                return msg->get_payload_str();
            }
        }
        return std::nullopt;
    }

  private:
    static inline int counter_ = 0;
    mqtt::async_client client_;
};

std::string order_json(const std::string& event_id, const std::string& order_id,
                       const std::string& name = "Jana Müller") {
    return json{{"event_id", event_id},
                {"type", "order.created"},
                {"order",
                 {{"id", order_id},
                  {"carrier", "DHL"},
                  {"service", "Paket"},
                  {"tracking_number", "JJD0001234567" + order_id},
                  {"ship_to",
                   {{"name", name},
                    {"street1", "Hauptstr. 1"},
                    {"city", "Köln"},
                    {"postal_code", "50667"},
                    {"country", "DE"}}},
                  {"lines", {{{"sku", "MUG-RED"}, {"quantity", 2}}}}}}}
        .dump();
}

size_t count_files(const std::string& folder, const std::string& suffix) {
    size_t n = 0;
    if (!std::filesystem::exists(folder)) {
        return 0;
    }
    for (const auto& e : std::filesystem::directory_iterator(folder)) {
        const auto name = e.path().filename().string();
        if (name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            ++n;
        }
    }
    return n;
}

class OrderFlow : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
        packd = start_packd(dir);
        seed_catalogue(dir);
        ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
        shop.subscribe("packd/v1/it/out/#");
        shop.subscribe("packd/v1/it/status");
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
    ShopClient shop{broker};
};

TEST_F(OrderFlow, OrderBecomesALabelAndAStatusMessage) {
    shop.publish("packd/v1/it/in/orders", order_json("evt-1", "1001"));
    ASSERT_TRUE(wait_for_file(dir.file("labels/1001-shipping-1.zpl"), 20s)) << packd->output();
    const std::string zpl = read_file(dir.file("labels/1001-shipping-1.zpl"));
    EXPECT_EQ(zpl.rfind("^XA", 0), 0u) << zpl;
    EXPECT_NE(zpl.find("^CI28"), std::string::npos);
    EXPECT_NE(zpl.find("JJD00012345671001"), std::string::npos) << "the tracking number must be on the label";
    const std::string png = read_file(dir.file("labels/1001-shipping-1.png"));
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    // The file printer's preview was drawn from the label the job keeps; asked for, it is the same picture.
    auto preview = packctl(dir, {"label", "preview", "1001", "--out", dir.file("asked.png")});
    EXPECT_EQ(preview.code, 0) << preview.output;
    EXPECT_EQ(read_file(dir.file("asked.png")), png);
    auto by_job = packctl(dir, {"label", "preview", "--job", "1", "--out", dir.file("job.png")});
    EXPECT_EQ(by_job.code, 0) << by_job.output;
    EXPECT_EQ(read_file(dir.file("job.png")), png);

    auto status = shop.next("packd/v1/it/out/orders/1001/status", 20s);
    ASSERT_TRUE(status.has_value()) << packd->output();
    auto j = json::parse(*status);
    EXPECT_EQ(j["state"], "accepted");
    EXPECT_EQ(j["event_id"], "evt-1");

    auto orders = packctl(dir, {"orders"});
    EXPECT_EQ(orders.code, 0);
    EXPECT_NE(orders.output.find("1001  accepted  1 lines  DHL Paket"), std::string::npos) << orders.output;
}

TEST_F(OrderFlow, StockLevelsAreRetainedPerSkuAndFollowReservations) {
    auto level = shop.next("packd/v1/it/out/stock/MUG-RED", 20s);
    ASSERT_TRUE(level.has_value()) << packd->output();
    EXPECT_EQ(nlohmann::json::parse(*level)["available"], 60);
    shop.publish("packd/v1/it/in/orders", order_json("evt-st", "6001"));
    std::optional<std::string> after;
    for (int i = 0; i < 20; ++i) {
        after = shop.next("packd/v1/it/out/stock/MUG-RED", 20s);
        if (!after || nlohmann::json::parse(*after)["available"] == 58) {
            break;
        }
    }
    ASSERT_TRUE(after.has_value()) << packd->output();
    auto doc = nlohmann::json::parse(*after);
    EXPECT_EQ(doc["available"], 58);
    EXPECT_EQ(doc["reserved"], 2);
    // A shop that connects later gets the retained level at once.
    ShopClient late(broker);
    late.subscribe("packd/v1/it/out/stock/MUG-RED");
    auto retained = late.next("packd/v1/it/out/stock/MUG-RED", 20s);
    ASSERT_TRUE(retained.has_value());
    EXPECT_EQ(nlohmann::json::parse(*retained)["available"], 58);
}

TEST_F(OrderFlow, DuplicateDeliveryAppliesOnce) {
    shop.publish("packd/v1/it/in/orders", order_json("evt-7", "2001"));
    ASSERT_TRUE(shop.next("packd/v1/it/out/orders/2001/status", 20s).has_value()) << packd->output();
    // The status goes out when the label is queued; the printer writes it a moment later.
    ASSERT_TRUE(wait_for_file(dir.file("labels/2001-shipping-1.zpl"), 20s)) << packd->output();
    shop.publish("packd/v1/it/in/orders", order_json("evt-7", "2001"));
    // The second delivery is counted a duplicate and changes nothing in the store.
    ASSERT_TRUE(wait_until([&] { return intake_duplicates(dir) == 1; }, 20s)) << packd->output();
    {
        StoreFile store(store_path(dir));
        EXPECT_EQ(store.scalar("SELECT count(*) FROM applied_events WHERE event_id = 'evt-7'"), 1);
        EXPECT_EQ(store.scalar("SELECT count(*) FROM print_jobs WHERE order_id = '2001'"), 1);
        EXPECT_EQ(store.scalar("SELECT count(*) FROM inbox"), 0);
    }
    // A different event that would create the same order again is refused too.
    shop.publish("packd/v1/it/in/orders", order_json("evt-8", "2001"));
    auto dead = shop.next("packd/v1/it/out/dead-letter", 20s);
    ASSERT_TRUE(dead.has_value()) << packd->output();
    EXPECT_NE(json::parse(*dead)["reason"].get<std::string>().find("order 2001 exists already"),
              std::string::npos);
    EXPECT_EQ(count_files(dir.file("labels"), ".zpl"), 1u);
}

TEST_F(OrderFlow, BadPayloadsGoToTheDeadLetterTopicAndNothingElseChanges) {
    const std::string hostile =
        "{\"event_id\": \"e\", \"type\": \"order.created\", \"order\": {\"id\": \"../x\"}}";
    shop.publish("packd/v1/it/in/orders", "this is not json");
    auto dead = shop.next("packd/v1/it/out/dead-letter", 20s);
    ASSERT_TRUE(dead.has_value()) << packd->output();
    auto j = json::parse(*dead);
    EXPECT_NE(j["reason"].get<std::string>().find("invalid JSON at byte"), std::string::npos) << *dead;
    EXPECT_EQ(j["original"], "this is not json");
    EXPECT_EQ(j["topic"], "packd/v1/it/in/orders");

    shop.publish("packd/v1/it/in/orders", std::string("\xff\xfe\x00"
                                                      "binary",
                                                      9));
    dead = shop.next("packd/v1/it/out/dead-letter", 20s);
    ASSERT_TRUE(dead.has_value());
    EXPECT_EQ(json::parse(*dead)["original_base64"], "//4AYmluYXJ5");

    shop.publish("packd/v1/it/in/orders", hostile);
    dead = shop.next("packd/v1/it/out/dead-letter", 20s);
    ASSERT_TRUE(dead.has_value());
    EXPECT_NE(json::parse(*dead)["reason"].get<std::string>().find("may hold only"), std::string::npos)
        << *dead;

    EXPECT_TRUE(packd->running());
    EXPECT_EQ(count_files(dir.file("labels"), ".zpl"), 0u);
    auto orders = packctl(dir, {"orders"});
    EXPECT_NE(orders.output.find("no orders"), std::string::npos) << orders.output;

    // And the next good order goes through.
    shop.publish("packd/v1/it/in/orders", order_json("evt-ok", "3001"));
    EXPECT_TRUE(wait_for_file(dir.file("labels/3001-shipping-1.zpl"), 20s)) << packd->output();
}

TEST_F(OrderFlow, StatusTopicSaysOnlineAndOfflineOnStop) {
    auto online = shop.next("packd/v1/it/status", 20s);
    ASSERT_TRUE(online.has_value());
    EXPECT_EQ(json::parse(*online)["state"], "online");
    EXPECT_EQ(json::parse(*online)["devices"]["printers"]["desk"], "ready");
    packd->signal(SIGTERM);
    EXPECT_EQ(packd->wait(20s), 0) << packd->output();
    auto offline = shop.next("packd/v1/it/status", 20s);
    ASSERT_TRUE(offline.has_value());
    EXPECT_EQ(json::parse(*offline)["state"], "offline");
}

TEST_F(OrderFlow, LabelQueuedWhilePackdWasKilledPrintsAfterRestart) {
    // Orders stored and applied survive kill -9; their pending label prints at the next start.
    packd->signal(SIGSTOP);  // the printer folder vanishes while packd is frozen
    std::filesystem::remove_all(dir.file("labels"));
    write_file(dir.file("labels"), "not a folder");
    packd->signal(SIGCONT);
    shop.publish("packd/v1/it/in/orders", order_json("evt-k", "4001"));
    // The queue tried once and failed: the job is back to pending, with an attempt counted.
    ASSERT_TRUE(wait_until(
        [&] {
            StoreFile store(store_path(dir));
            return store.scalar(
                       "SELECT attempts FROM print_jobs WHERE order_id = '4001' AND state = 'pending'") >= 1;
        },
        20s))
        << packd->output();
    packd->signal(SIGKILL);
    packd->wait(10s);
    std::filesystem::remove(dir.file("labels"));
    auto again = start_packd(dir);
    EXPECT_TRUE(wait_for_file(dir.file("labels/4001-shipping-1.zpl"), 20s)) << again->output();
    EXPECT_EQ(count_files(dir.file("labels"), ".zpl"), 1u);
}

TEST(OrderFlowBroker, PackdStartedBeforeTheBrokerConnectsWhenItComes) {
    TempDir dir;
    const int port = free_port();
    write_file(dir.file("packd.toml"), daemon_config(dir, port));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("cannot reach the broker", 20s)) << packd->output();
    Broker broker("", port);
    ASSERT_TRUE(packd->wait_for_output("connected to broker", 20s)) << packd->output();
    ShopClient shop(broker);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    shop.publish("packd/v1/it/in/orders", order_json("evt-late", "5001"));
    EXPECT_TRUE(wait_for_file(dir.file("labels/5001-shipping-1.zpl"), 20s)) << packd->output();
}

TEST(OrderFlowBroker, BoxesInOneSharedGroupEachGetAnOrderOnce) {
    Broker broker;
    TempDir a;
    TempDir b;
    std::vector<std::unique_ptr<Process>> boxes;
    for (TempDir* dir : {&a, &b}) {
        std::string cfg = daemon_config(*dir, broker.port());
        const std::string anchor = "reconnect_max_ms = 1000\n";
        cfg.replace(cfg.find(anchor), anchor.size(), anchor + "shared_group = \"zone-a\"\n");
        write_file(dir->file("packd.toml"), cfg);
        boxes.push_back(start_packd(*dir));
        ASSERT_TRUE(boxes.back()->wait_for_output("subscribed to $share/zone-a/packd/v1/it/in/#", 20s))
            << boxes.back()->output();
    }
    constexpr int kOrders = 12;
    ShopClient shop(broker);
    for (int i = 0; i < kOrders; ++i) {
        // Appended, not "x" + s: g++ 12 at -O3 warns (-Wrestrict) inside std::string for that.
        shop.publish("packd/v1/it/in/orders", order_json(std::string("evt-s").append(std::to_string(i)),
                                                         std::string("S").append(std::to_string(i))));
    }
    // Every order is applied by exactly one box (held there: these boxes have no catalogue), as their stores
    // show.
    const auto held = [&](const TempDir& dir) {
        StoreFile store(store_path(dir));
        return store.column("SELECT id FROM orders WHERE state = 'held' ORDER BY id");
    };
    ASSERT_TRUE(wait_until([&] { return held(a).size() + held(b).size() >= kOrders; }, 20s))
        << boxes[0]->output() << boxes[1]->output();
    const auto in_a = held(a);
    const auto in_b = held(b);
    std::set<std::string> all(in_a.begin(), in_a.end());
    for (const auto& id : in_b) {
        EXPECT_TRUE(all.insert(id).second) << "order " << id << " was applied by both boxes";
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kOrders));
    EXPECT_FALSE(in_a.empty()) << "the group spreads orders over both boxes";
    EXPECT_FALSE(in_b.empty()) << "the group spreads orders over both boxes";
}

TEST(OrderFlowBroker, ADeviceInFaultIsAlertedToTheShop) {
    TempDir dir;
    Broker broker;
    ShopClient shop(broker);
    shop.subscribe("packd/v1/it/out/alerts");
    // The printer's folder cannot be made: a file stands where its parent should be.
    write_file(dir.file("blocker"), "not a folder");
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port(),
                                                     "[printers.dock]\ntype = \"file\"\ndirectory = \"" +
                                                         dir.file("blocker/labels") + "\"\n"));
    auto packd = start_packd(dir);
    auto alert = shop.next("packd/v1/it/out/alerts", 20s);
    ASSERT_TRUE(alert.has_value()) << packd->output();
    const auto j = json::parse(*alert);
    EXPECT_EQ(j["kind"], "device_fault");
    EXPECT_EQ(j["role"], "printer");
    EXPECT_EQ(j["device"], "dock");
    EXPECT_NE(j["detail"].get<std::string>().find("blocker"), std::string::npos) << *alert;
    // One alert per change, not one per look.
    EXPECT_FALSE(shop.next("packd/v1/it/out/alerts", 5s).has_value());
}

}  // namespace
}  // namespace packd::test
