// Two sites, each a packd with its own mosquitto, both mosquittos bridged to a central broker, as a chain of
// warehouses runs them: the shop publishes at the centre on site-scoped topics (packd/v1/<site>/...), each
// site's bridge carries its own site's inbound topics in and its outbound topics out. Orders for one site
// reach only that site's packd; a site whose link to the centre is down (its own broker stopped, or the
// central broker stopped) loses nothing in either direction, because each bridge keeps a persistent session
// (cleansession false) and its broker queues for it; and the centre sees both sites' retained stock levels,
// order statuses and shipments.

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fault_support.hpp"
#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// The bridge section of a site broker's mosquitto.conf (mosquitto.conf(5), "Configuring Bridges").
std::string bridge_config(const std::string& site, int central_port) {
    const std::string p = "packd/v1/" + site;
    return "connection site-" + site + "\naddress 127.0.0.1:" + std::to_string(central_port) +
           "\nremote_clientid bridge-" + site + "-" + std::to_string(::getpid()) +
           // A persistent session at the centre (which queues the site's orders while the link is down) and a
           // local one (which queues the site's messages for the centre meanwhile).
           "\ncleansession false\nlocal_cleansession false\n"
           // Reconnect a second after a loss, not after the default 5 to 30 s.
           "restart_timeout 1\nkeepalive_interval 5\n"
           "topic " +
           p + "/in/# in 1\ntopic " + p + "/out/# out 1\ntopic " + p + "/status out 1\n";
}

struct Site {
    std::string id;
    TempDir dir;
    std::unique_ptr<Broker> broker;
    std::unique_ptr<Process> packd;

    Site(std::string site, int central_port) : id(std::move(site)) {
        broker = std::make_unique<Broker>(bridge_config(id, central_port));
        std::string cfg = daemon_config(dir, broker->port());
        const std::string site_id = "id = \"it\"";
        cfg.replace(cfg.find(site_id), site_id.size(), "id = \"" + id + "\"");
        write_file(dir.file("packd.toml"), cfg);
        packd = start_packd(dir);
        EXPECT_TRUE(packd->wait_for_output("subscribed to packd/v1/" + id + "/in/#", 20s)) << packd->output();
        seed_catalogue(dir);
    }
    std::string topic(const std::string& rest) const { return "packd/v1/" + id + "/" + rest; }
    std::set<std::string> orders() const {
        StoreFile store(dir.file("state/packd.db"));
        const auto ids = store.column("SELECT id FROM orders");
        return {ids.begin(), ids.end()};
    }
};

std::string order_for(const std::string& site, int i) {
    const std::string id = site + "-" + std::to_string(i);
    return order_payload("evt-" + id, id, "MUG-RED", 1);
}

std::set<std::string> ids(const std::string& site, int first, int last) {
    std::set<std::string> out;
    for (int i = first; i < last; ++i) {
        out.insert(site + "-" + std::to_string(i));
    }
    return out;
}

/// Publishes orders [first, last) for `site` on the central broker.
void publish_orders(const Broker& central, const std::string& site, int first, int last) {
    ShopMouth mouth(central.uri(), "hq-pub-" + site + "-" + std::to_string(::getpid()));
    mouth.burst("packd/v1/" + site + "/in/orders", first, last, [&](int i) { return order_for(site, i); });
}

/// The retained stock level of `sku` a shop connecting to `broker` now receives, or null.
json retained_level(const Broker& broker, const std::string& site, const std::string& sku) {
    const std::string topic = "packd/v1/" + site + "/out/stock/" + sku;
    ShopEar late(broker.uri(), "late-" + site + "-" + std::to_string(::getpid()), {topic});
    if (!wait_until([&] { return !late.on(topic).empty(); }, 10s)) {
        return nullptr;
    }
    return json::parse(late.on(topic).back(), nullptr, false);
}

/// True once the central shop has heard `expected` order statuses for `site`.
bool heard_statuses(const ShopEar& hq, const std::string& site, const std::set<std::string>& expected) {
    return wait_until(
        [&] {
            const auto heard = hq.orders_with_status("packd/v1/" + site + "/out/orders/");
            return std::includes(heard.begin(), heard.end(), expected.begin(), expected.end());
        },
        60s);
}

TEST(SiteBridge, OrdersReachOnlyTheirSiteAndALinkDownForAWhileLosesNothing) {
    Broker central;
    // The shop at the centre, with a session the central broker keeps while it is down.
    ShopEar hq(central.uri(), "hq-" + std::to_string(::getpid()), {"packd/v1/+/out/#", "packd/v1/+/status"},
               {.persistent = true, .reconnect = true});
    Site a("a", central.port());
    Site b("b", central.port());
    ASSERT_FALSE(HasFailure());
    // Each site's retained online status crossed its bridge: both links are up.
    ASSERT_TRUE(wait_until(
        [&] { return !hq.on(a.topic("status")).empty() && !hq.on(b.topic("status")).empty(); }, 30s))
        << a.packd->output() << b.packd->output();
    EXPECT_EQ(json::parse(hq.on(a.topic("status")).back())["site"], "a");

    // 1. Orders published at the centre for one site reach only that site.
    publish_orders(central, "a", 0, 20);
    publish_orders(central, "b", 0, 20);
    ASSERT_TRUE(heard_statuses(hq, "a", ids("a", 0, 20))) << a.packd->output();
    ASSERT_TRUE(heard_statuses(hq, "b", ids("b", 0, 20))) << b.packd->output();
    EXPECT_EQ(a.orders(), ids("a", 0, 20)) << "site a holds exactly its own orders";
    EXPECT_EQ(b.orders(), ids("b", 0, 20)) << "site b holds exactly its own orders";
    for (const auto& topic : hq.topics("packd/v1/a/out/orders/")) {
        EXPECT_EQ(topic.rfind("packd/v1/a/out/orders/a-", 0), 0u) << "site a answered for " << topic;
    }
    for (const auto& topic : hq.topics("packd/v1/b/out/orders/")) {
        EXPECT_EQ(topic.rfind("packd/v1/b/out/orders/b-", 0), 0u) << "site b answered for " << topic;
    }

    // 2. Site a's broker is down (its link to the centre with it) while the shop sends it more orders; site b
    // carries on. When it comes back, the centre hands the bridge what it kept for it.
    a.broker->stop();
    publish_orders(central, "a", 20, 40);
    publish_orders(central, "b", 20, 30);
    ASSERT_TRUE(heard_statuses(hq, "b", ids("b", 0, 30))) << b.packd->output();
    a.broker->start();
    ASSERT_TRUE(heard_statuses(hq, "a", ids("a", 0, 40))) << a.packd->output();
    EXPECT_EQ(a.orders(), ids("a", 0, 40)) << "orders sent while site a's link was down were lost";
    EXPECT_EQ(b.orders(), ids("b", 0, 30));

    // 3. The central broker is down while both sites ship orders: the shipments, statuses and stock levels
    // wait in each site's broker for the bridge and reach the centre when it is back.
    central.stop();
    for (Site* site : {&a, &b}) {
        for (int i = 0; i < 2; ++i) {
            const std::string id = site->id + "-" + std::to_string(i);
            const RunResult shipped =
                packctl(site->dir, {"ship", id, "--carrier", "DHL", "--tracking", "T-" + id});
            ASSERT_EQ(shipped.code, 0) << shipped.output;
        }
    }
    // The site's own broker has the messages: packd's outbox empties although the centre is away.
    for (Site* site : {&a, &b}) {
        EXPECT_TRUE(wait_until(
            [&] {
                auto s = status_of(packctl_binary(), site->dir.file("packd.sock"));
                return s.is_object() && s["store"]["outbox"] == 0;
            },
            20s))
            << site->packd->output();
    }
    central.start();
    for (Site* site : {&a, &b}) {
        const std::string topic = site->topic("out/shipments");
        ASSERT_TRUE(wait_until([&] { return hq.on(topic).size() >= 2; }, 60s))
            << "shipments of site " << site->id << " did not reach the centre\n"
            << site->packd->output();
        std::set<std::string> shipped;
        for (const auto& payload : hq.on(topic)) {
            shipped.insert(json::parse(payload)["order_id"].get<std::string>());
        }
        EXPECT_EQ(shipped, ids(site->id, 0, 2));
        ASSERT_TRUE(wait_until(
            [&] {
                const auto statuses = hq.on(site->topic("out/orders/" + site->id + "-1/status"));
                return !statuses.empty() && json::parse(statuses.back())["state"] == "shipped";
            },
            30s));
    }

    // 4. A shop connecting to the centre now gets both sites' retained stock levels, as the sites have them:
    // 60 mugs each, one reserved per order, two shipped.
    const int orders_per_site[] = {40, 30};
    int k = 0;
    for (Site* site : {&a, &b}) {
        const int orders = orders_per_site[k++];
        ASSERT_TRUE(wait_until(
            [&] {
                const json level = retained_level(central, site->id, "MUG-RED");
                return level.is_object() && level["available"] == 60 - orders && level["on_hand"] == 58;
            },
            30s))
            << "site " << site->id << ": " << retained_level(central, site->id, "MUG-RED").dump();
        EXPECT_TRUE(retained_level(central, site->id, "TEE-BLK-L").is_object());
    }
    for (Site* site : {&a, &b}) {
        ASSERT_TRUE(site->packd->running()) << site->packd->output();
        site->packd->signal(SIGTERM);
        EXPECT_EQ(site->packd->wait(30s), 0) << site->packd->output();
    }
}

}  // namespace
}  // namespace packd::test
