// The shop link against a real mosquitto: both sessions come up, a QoS 1 publish is acknowledged and heard by
// the shop, a broker restart brings the outbound session back (on_connected again) and the subscription with
// it, and stop leaves the retained offline status for whoever asks later.

#include "packd/fulfillment/shop/shop_link.hpp"

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "packd/fulfillment/shop/mqtt/order_subscription.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return done();
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// The io_context on a thread of its own, as in packd: everything of the link is called on it.
class Loop {
  public:
    Loop() : work_(io.get_executor()), thread_([this] { io.run(); }) {}
    ~Loop() {
        work_.reset();
        io.stop();
        thread_.join();
    }
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    template <class F>
    auto on_loop(F f) {
        std::promise<decltype(f())> result;
        boost::asio::post(io, [&] {
            if constexpr (std::is_void_v<decltype(f())>) {
                f();
                result.set_value();
            } else {
                result.set_value(f());
            }
        });
        return result.get_future().get();
    }

    boost::asio::io_context io;

  private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

/// The shop's side: every message under `filter`, by topic, with its retain flag.
class Shop {
  public:
    Shop(const std::string& uri, const std::string& id, const std::string& filter)
        : client_(uri, id, nullptr), filter_(filter) {
        client_.set_message_callback([this](mqtt::const_message_ptr m) {
            std::lock_guard lock(mutex_);
            heard_[m->get_topic()].push_back({m->get_payload_str(), m->is_retained()});
        });
        connect();
    }
    ~Shop() {
        try {
            if (client_.is_connected()) {
                client_.disconnect()->wait();
            }
        } catch (const mqtt::exception&) {
        }
    }
    Shop(const Shop&) = delete;
    Shop& operator=(const Shop&) = delete;

    bool connected() { return client_.is_connected(); }
    void connect() {
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
        client_.subscribe(filter_, 1)->wait();
    }
    void publish(const std::string& topic, const std::string& payload) {
        client_.publish(mqtt::make_message(topic, payload, 1, false))->wait();
    }

    struct Heard {
        std::string payload;
        bool retained = false;
    };
    std::vector<Heard> on(const std::string& topic) {
        std::lock_guard lock(mutex_);
        return heard_[topic];
    }

  private:
    mqtt::async_client client_;
    std::string filter_;
    std::mutex mutex_;
    std::map<std::string, std::vector<Heard>> heard_;
};

BrokerSettings settings_for(int port) {
    BrokerSettings s;
    s.host = "127.0.0.1";
    s.port = port;
    s.client_id = "link-" + std::to_string(::getpid());
    s.reconnect_min = 50ms;
    s.reconnect_max = 500ms;
    return s;
}

TEST(ShopLink, BothSessionsComeUpPublishesAreAcknowledgedAndABrokerRestartReconnects) {
    test::Broker broker;
    const Topics topics{"packd/v1", "t"};
    Shop shop(broker.uri(), "shop-" + std::to_string(::getpid()), "packd/v1/t/#");
    Loop loop;
    std::atomic<int> connected{0};
    std::mutex mutex;
    std::vector<std::string> inbound;
    std::optional<ShopLink> link;
    loop.on_loop([&] {
        link.emplace(loop.io, settings_for(broker.port()), topics);
        const Status st = link->start(
            [&](const std::vector<InboundMessage>& batch) {
                std::lock_guard lock(mutex);
                for (const auto& m : batch) {
                    inbound.push_back(m.payload);
                }
                return true;
            },
            [&] { ++connected; });
        ASSERT_TRUE(st) << st.error().message;
    });
    const auto up = [&] { return loop.on_loop([&] { return link->connected() && link->subscribed(); }); };
    ASSERT_TRUE(wait_until(up)) << loop.on_loop([&] { return link->state_text(); });
    EXPECT_EQ(connected.load(), 1);
    EXPECT_EQ(loop.on_loop([&] { return link->state_text(); }),
              "connected to 127.0.0.1:" + std::to_string(broker.port()));

    // Outbound at QoS 1: acknowledged by the broker (the callback says true) and heard by the shop.
    std::atomic<int> acked{0};
    std::atomic<int> refused{0};
    const auto publish = [&](const std::string& payload) {
        loop.on_loop([&] {
            OutboxMessage m;
            m.topic = "packd/v1/t/out/test";
            m.payload = payload;
            link->publish(m, [&](bool ok) { ++(ok ? acked : refused); });
        });
    };
    publish("one");
    ASSERT_TRUE(wait_until([&] { return acked + refused == 1; }));
    EXPECT_EQ(acked.load(), 1);
    ASSERT_TRUE(wait_until([&] { return shop.on("packd/v1/t/out/test").size() == 1; }));
    EXPECT_EQ(shop.on("packd/v1/t/out/test")[0].payload, "one");

    // Inbound: what the shop publishes under in/ reaches the batch handler.
    shop.publish("packd/v1/t/in/orders", "order-a");
    ASSERT_TRUE(wait_until([&] {
        std::lock_guard lock(mutex);
        return inbound.size() == 1;
    }));

    // The broker restarts on the same port: the link comes back by itself and says so again.
    broker.stop();
    ASSERT_TRUE(wait_until([&] { return loop.on_loop([&] { return !link->connected(); }); }));
    broker.start();
    ASSERT_TRUE(wait_until([&] { return connected == 2 && up(); }))
        << connected.load() << " " << loop.on_loop([&] { return link->state_text(); });
    ASSERT_TRUE(wait_until([&] { return !shop.connected(); }));
    shop.connect();
    publish("two");
    ASSERT_TRUE(wait_until([&] { return acked + refused == 2; }));
    EXPECT_EQ(acked.load(), 2);
    EXPECT_EQ(refused.load(), 0);
    ASSERT_TRUE(wait_until([&] { return shop.on("packd/v1/t/out/test").size() == 2; }));
    EXPECT_EQ(shop.on("packd/v1/t/out/test")[1].payload, "two");
    shop.publish("packd/v1/t/in/orders", "order-b");
    ASSERT_TRUE(wait_until([&] {
        std::lock_guard lock(mutex);
        return inbound.size() == 2;
    }));
    {
        std::lock_guard lock(mutex);
        EXPECT_EQ(inbound, (std::vector<std::string>{"order-a", "order-b"}));
    }

    std::promise<void> stopped;
    loop.on_loop([&] { link->stop([&] { stopped.set_value(); }); });
    ASSERT_EQ(stopped.get_future().wait_for(30s), std::future_status::ready);
    loop.on_loop([&] { link.reset(); });
}

TEST(ShopLink, StopLeavesTheRetainedOfflineStatus) {
    test::Broker broker;
    const Topics topics{"packd/v1", "t"};
    Loop loop;
    std::optional<ShopLink> link;
    std::atomic<bool> connected{false};
    loop.on_loop([&] {
        link.emplace(loop.io, settings_for(broker.port()), topics);
        ASSERT_TRUE(
            link->start([](const std::vector<InboundMessage>&) { return true; }, [&] { connected = true; }));
    });
    ASSERT_TRUE(wait_until([&] { return connected.load(); }));
    loop.on_loop([&] { link->publish_status(R"({"state":"online"})"); });
    {
        // A shop that connects now hears the retained online status.
        Shop early(broker.uri(), "shop-early", topics.status());
        ASSERT_TRUE(wait_until([&] { return !early.on(topics.status()).empty(); }));
        EXPECT_EQ(nlohmann::json::parse(early.on(topics.status()).back().payload)["state"], "online");
    }
    std::promise<void> stopped;
    loop.on_loop([&] { link->stop([&] { stopped.set_value(); }); });
    ASSERT_EQ(stopped.get_future().wait_for(30s), std::future_status::ready);
    EXPECT_FALSE(loop.on_loop([&] { return link->connected(); }));

    // A shop that connects after packd left: the retained status says offline.
    Shop late(broker.uri(), "shop-late", topics.status());
    ASSERT_TRUE(wait_until([&] { return !late.on(topics.status()).empty(); }));
    const auto heard = late.on(topics.status());
    ASSERT_EQ(heard.size(), 1U);
    EXPECT_TRUE(heard[0].retained);
    EXPECT_EQ(nlohmann::json::parse(heard[0].payload)["state"], "offline");
    loop.on_loop([&] { link.reset(); });
}

}  // namespace
}  // namespace packd::fulfillment
