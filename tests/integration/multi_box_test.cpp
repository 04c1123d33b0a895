// Two boxes at one site share the order stream through an MQTT shared subscription ($share/<group>/...), and
// each is killed with SIGKILL in the middle of the stream and started again. The broker keeps each box's
// persistent session (and its share of the group's messages) while it is down, so afterwards every order is
// in exactly one of the two stores (none in both, none missing), each with one shipping label, and the shop
// has heard a status for every order.

#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "fault_support.hpp"
#include "packd_fixture.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

constexpr int kOrders = 600;
constexpr const char* kOrdersTopic = "packd/v1/it/in/orders";
constexpr const char* kStatusPrefix = "packd/v1/it/out/orders/";

std::string order_id(int i) {
    return std::to_string(500000 + i);
}

std::string order(int i) {
    const std::string id = order_id(i);
    return order_payload(std::string("evt-mb-").append(id), id, "MUG-RED", 1);
}

/// One box: its folder, its own network printer and the packd running there.
struct Box {
    TempDir dir;
    ZplPrinterEmulator printer;
    std::unique_ptr<Process> packd;

    void configure(int broker_port) {
        std::string cfg = daemon_config(dir, broker_port,
                                        "[printers.zebra]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = " +
                                            std::to_string(printer.port()) + "\n");
        const std::string anchor = "reconnect_max_ms = 1000\n";
        cfg.replace(cfg.find(anchor), anchor.size(), anchor + "shared_group = \"zone-a\"\n");
        const std::string desk = "[labels]\nprinter = \"desk\"";
        cfg.replace(cfg.find(desk), desk.size(), "[labels]\nprinter = \"zebra\"");
        write_file(dir.file("packd.toml"), cfg);
    }
    bool subscribed() const {
        return packd->wait_for_output("subscribed to $share/zone-a/packd/v1/it/in/#", 20s);
    }
    std::string store() const { return dir.file("state/packd.db"); }
};

TEST(MultiBox, SharedGroupSurvivesKillNineOfEitherBoxAndEachOrderLandsInExactlyOneStore) {
    Broker broker;
    ShopEar shop(broker.uri(), "mb-shop-" + std::to_string(::getpid()), {"packd/v1/it/out/orders/+/status"});
    Box boxes[2];
    for (Box& box : boxes) {
        box.configure(broker.port());
        box.packd = start_packd(box.dir);
        ASSERT_TRUE(box.subscribed()) << box.packd->output();
        seed_catalogue(box.dir);
        ASSERT_EQ(
            packctl(box.dir, {"adjust", "MUG-RED", "A-01-01", std::to_string(kOrders), "--reason", "receive"})
                .code,
            0);
    }

    ShopMouth mouth(broker.uri(), "mb-pub-" + std::to_string(::getpid()));
    std::string logs;
    // Each half of the stream is published at about 500 orders a second; box k is killed a third of the way
    // into half k, and started again while the rest of that half is still coming.
    int published_at_kill[2] = {0, 0};
    for (int k = 0; k < 2; ++k) {
        const int first = k * kOrders / 2;
        const int last = (k + 1) * kOrders / 2;
        std::thread publisher([&] { mouth.burst(kOrdersTopic, first, last, order, 16, 2ms); });
        ASSERT_TRUE(wait_until([&] { return mouth.published() >= first + kOrders / 6; }, 30s));
        boxes[k].packd->signal(SIGKILL);
        published_at_kill[k] = mouth.published();
        ASSERT_TRUE(boxes[k].packd->wait(10s).has_value());
        logs += boxes[k].packd->output();
        {
            StoreFile killed(boxes[k].store());
            EXPECT_GT(killed.scalar("SELECT count(*) FROM orders"), 0)
                << "box " << k << " had taken no order before it was killed: the kill proved nothing";
        }
        boxes[k].packd = start_packd(boxes[k].dir);
        ASSERT_TRUE(boxes[k].subscribed()) << boxes[k].packd->output();
        publisher.join();
        EXPECT_LT(published_at_kill[k], last) << "box " << k << " was killed after its half of the stream";
    }
    ASSERT_EQ(mouth.published(), kOrders);

    std::set<std::string> expected;
    for (int i = 0; i < kOrders; ++i) {
        expected.insert(order_id(i));
    }
    EXPECT_TRUE(
        wait_until([&] { return shop.orders_with_status(kStatusPrefix).size() >= expected.size(); }, 120s))
        << "the shop heard " << shop.orders_with_status(kStatusPrefix).size() << " of " << kOrders;
    EXPECT_EQ(shop.orders_with_status(kStatusPrefix), expected) << "the shop must hear every order's status";

    std::set<std::string> in_store[2];
    for (int k = 0; k < 2; ++k) {
        StoreFile store(boxes[k].store());
        const auto ids = store.column("SELECT id FROM orders");
        in_store[k].insert(ids.begin(), ids.end());
        EXPECT_EQ(ids.size(), in_store[k].size());
    }
    // Labels reach the printer of the box that holds the order, each once. A label the kill caught on its
    // way to the printer is held as "may have printed" (uncertain) rather than sent again, so it counts as
    // accounted for, not as printed.
    for (int k = 0; k < 2; ++k) {
        StoreFile store(boxes[k].store());
        const auto held = [&] {
            return store.scalar("SELECT count(*) FROM print_jobs WHERE state = 'uncertain'");
        };
        EXPECT_TRUE(wait_until(
            [&] {
                return static_cast<int64_t>(boxes[k].printer.printed().size()) + held() >=
                       static_cast<int64_t>(in_store[k].size());
            },
            120s))
            << "box " << k << " printed " << boxes[k].printer.printed().size() << " and holds " << held()
            << " of " << in_store[k].size();
        const auto printed = boxes[k].printer.printed();
        EXPECT_EQ(std::set<std::string>(printed.begin(), printed.end()).size(), printed.size())
            << "box " << k << " printed a label twice";
        EXPECT_LE(held(), 8) << "one kill leaves at most the batch in hand (8 labels) uncertain";
        boxes[k].packd->signal(SIGTERM);
        EXPECT_EQ(boxes[k].packd->wait(20s), 0);
        logs += boxes[k].packd->output();
    }

    std::set<std::string> both;
    std::set<std::string> either = in_store[1];
    for (const auto& id : in_store[0]) {
        (in_store[1].count(id) != 0 ? both : either).insert(id);
    }
    EXPECT_TRUE(both.empty()) << both.size() << " orders were taken by both boxes, e.g. " << *both.begin();
    EXPECT_EQ(either, expected) << "orders missing from both stores";
    for (int k = 0; k < 2; ++k) {
        StoreFile store(boxes[k].store());
        const int64_t orders = store.scalar("SELECT count(*) FROM orders");
        EXPECT_GT(orders, 0) << "the group gave box " << k << " nothing";
        EXPECT_EQ(store.scalar("SELECT count(*) FROM orders WHERE state = 'accepted'"), orders);
        EXPECT_EQ(store.scalar("SELECT count(*) FROM applied_events WHERE event_id LIKE 'evt-mb-%'"), orders);
        EXPECT_EQ(store.scalar("SELECT count(*) FROM inbox"), 0);
        EXPECT_EQ(store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'shipping'"), orders)
            << "one label per order, at the box that took it";
        EXPECT_EQ(store.scalar("SELECT count(*) FROM outbox WHERE topic LIKE '%/status'"), 0)
            << "every status left the outbox";
        // The shared group kept the killed box's share for it: it holds orders published while it was down
        // or restarting (after the kill).
        int after_kill = 0;
        for (const auto& id : in_store[k]) {
            after_kill += std::stoi(id) - 500000 >= published_at_kill[k] ? 1 : 0;
        }
        EXPECT_GT(after_kill, 0) << "box " << k << " took no order after it was killed and restarted";
        std::cout << "box " << k << ": " << orders << " orders, " << after_kill
                  << " of them published after its kill (" << published_at_kill[k] << " published then)\n";
    }
    if (HasFailure()) {
        std::cerr << logs.substr(logs.size() > 20000 ? logs.size() - 20000 : 0);
    }
}

}  // namespace
}  // namespace packd::test
