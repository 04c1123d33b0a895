// The order subscription's acknowledgement rule (DESIGN.md invariant 1): a PUBACK leaves only after the batch
// handler said the batch is stored. Against a peer on a loopback socket that speaks MQTT 3.1.1 itself, so
// that the exact bytes packd sends are seen, and against a real mosquitto, whose redelivery shows what was
// and was not acknowledged. The handler runs on the loop, so a PUBACK queued before it would only reach the
// socket after it returns: what shows the order is that a refused batch gets none, and that an accepted batch
// gets all of its PUBACKs together, in arrival order, in the one write after the handler.

#include "packd/fulfillment/shop/mqtt/order_subscription.hpp"

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;

constexpr int kPollMs = 20000;  // generous: a deadline for a peer that never answers, not a timing check

/// A broker's end of one MQTT connection, on a blocking socket: accepts one client at a time and reads and
/// writes whole packets.
class MqttPeer {
  public:
    MqttPeer() {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listener_, 4), 0);
        socklen_t len = sizeof addr;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~MqttPeer() {
        drop();
        ::close(listener_);
    }
    MqttPeer(const MqttPeer&) = delete;
    MqttPeer& operator=(const MqttPeer&) = delete;

    int port() const { return port_; }
    int fd() const { return client_; }

    bool accept() {
        drop();
        if (!readable(listener_)) {
            return false;
        }
        client_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        return client_ >= 0;
    }
    void drop() {
        if (client_ >= 0) {
            ::close(client_);
            client_ = -1;
        }
    }

    /// One whole packet: its first byte and the rest after the remaining length; nothing on EOF or timeout.
    std::optional<std::pair<uint8_t, std::string>> packet() {
        std::string first = bytes(1);
        if (first.size() != 1) {
            return std::nullopt;
        }
        std::size_t length = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            const std::string b = bytes(1);
            if (b.size() != 1) {
                return std::nullopt;
            }
            length |= static_cast<std::size_t>(static_cast<uint8_t>(b[0]) & 0x7F) << shift;
            if ((static_cast<uint8_t>(b[0]) & 0x80) == 0) {
                break;
            }
        }
        std::string body = bytes(length);
        if (body.size() != length) {
            return std::nullopt;
        }
        return std::make_pair(static_cast<uint8_t>(first[0]), body);
    }

    /// The CONNECT, CONNACK (with `session_present`), SUBSCRIBE and SUBACK of a new session.
    void handshake(bool session_present) {
        auto connect = packet();
        ASSERT_TRUE(connect);
        ASSERT_EQ(connect->first, 0x10);
        // Variable header (3.1.2): "MQTT", level 4, then the flags; a persistent session has no clean bit.
        ASSERT_GE(connect->second.size(), 8U);
        EXPECT_EQ(connect->second.substr(0, 6), std::string("\0\4MQTT", 6));
        EXPECT_EQ(static_cast<uint8_t>(connect->second[7]) & 0x02, 0) << "clean session asked for";
        send(std::string("\x20\x02", 2) + static_cast<char>(session_present ? 1 : 0) + '\0');
        auto subscribe = packet();
        ASSERT_TRUE(subscribe);
        ASSERT_EQ(subscribe->first, 0x82);
        ASSERT_GE(subscribe->second.size(), 2U);
        send(std::string("\x90\x03", 2) + subscribe->second.substr(0, 2) + '\x01');
    }

    void send(const std::string& data) {
        ASSERT_EQ(::send(client_, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
    }

    /// What one recv() returns once something is there: the bytes of (at least) one write of the client.
    std::string one_read() {
        if (!readable(client_)) {
            return {};
        }
        std::string out(4096, '\0');
        const ssize_t n = ::recv(client_, out.data(), out.size(), 0);
        out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return out;
    }

    /// Everything until the client closes the connection; `closed` says whether it did.
    std::string until_eof(bool& closed) {
        std::string out;
        closed = false;
        while (readable(client_)) {
            char buffer[4096];
            const ssize_t n = ::recv(client_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed = true;
                break;
            }
            out.append(buffer, static_cast<std::size_t>(n));
        }
        return out;
    }

  private:
    static bool readable(int fd) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, kPollMs) == 1;
    }
    std::string bytes(std::size_t n) {
        std::string out;
        while (out.size() < n && readable(client_)) {
            std::string chunk(n - out.size(), '\0');
            const ssize_t got = ::recv(client_, chunk.data(), chunk.size(), 0);
            if (got <= 0) {
                break;
            }
            out.append(chunk.data(), static_cast<std::size_t>(got));
        }
        return out;
    }

    int listener_ = -1;
    int client_ = -1;
    int port_ = 0;
};

/// The io_context on a thread of its own, as in packd; the test thread plays the broker.
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

    /// Runs `f` on the loop and waits for it.
    template <class F>
    void on_loop(F f) {
        std::promise<void> done;
        boost::asio::post(io, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }

    boost::asio::io_context io;

  private:
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

BrokerSettings settings_for(int port, const std::string& client_id) {
    BrokerSettings s;
    s.host = "127.0.0.1";
    s.port = port;
    s.client_id = client_id;
    s.keepalive_s = 0;  // no PINGREQ among the bytes the peer checks
    s.reconnect_min = 20ms;
    s.reconnect_max = 100ms;
    return s;
}

std::string puback(uint16_t id) {
    return mqtt311::encode_puback(id);
}

TEST(OrderSubscription, PubacksLeaveOnlyAfterTheHandlerStoredTheBatchInArrivalOrderInOneWrite) {
    MqttPeer peer;
    Loop loop;
    std::mutex mutex;
    std::vector<std::vector<std::string>> batches;
    std::optional<OrderSubscription> sub;
    loop.on_loop([&] {
        sub.emplace(loop.io, settings_for(peer.port(), "box-1"), "packd/v1/t/in/#", 1024);
        sub->start([&](const std::vector<InboundMessage>& batch) {
            std::lock_guard lock(mutex);
            std::vector<std::string> payloads;
            for (const auto& m : batch) {
                payloads.push_back(m.payload);
            }
            batches.push_back(payloads);
            return true;
        });
    });
    ASSERT_TRUE(peer.accept());
    peer.handshake(false);
    // Three messages in one write arrive in one read: one batch.
    peer.send(mqtt311::encode_publish("packd/v1/t/in/orders", "first", 1, 0x0B) +
              mqtt311::encode_publish("packd/v1/t/in/orders", "second", 1, 0x0C) +
              mqtt311::encode_publish("packd/v1/t/in/orders", "third", 1, 0x0D));
    const std::string acks = peer.one_read();
    EXPECT_EQ(acks, puback(0x0B) + puback(0x0C) + puback(0x0D)) << "three PUBACKs in order, in one write";
    {
        std::lock_guard lock(mutex);
        ASSERT_EQ(batches.size(), 1U);
        EXPECT_EQ(batches[0], (std::vector<std::string>{"first", "second", "third"}));
    }
    loop.on_loop([&] { sub.reset(); });
}

TEST(OrderSubscription, AHandlerThatCouldNotStoreClosesWithoutPubackAndTheRedeliveryIsAcknowledged) {
    MqttPeer peer;
    Loop loop;
    std::mutex mutex;
    std::vector<std::string> seen;
    std::optional<OrderSubscription> sub;
    loop.on_loop([&] {
        sub.emplace(loop.io, settings_for(peer.port(), "box-2"), "packd/v1/t/in/#", 1024);
        sub->start(
            [&](const std::vector<InboundMessage>& batch) {
                std::lock_guard lock(mutex);
                for (const auto& m : batch) {
                    seen.push_back(m.payload);
                }
                return seen.size() > 1;  // the first time the disk is full
            },
            [](const std::string&) {});
    });
    ASSERT_TRUE(peer.accept());
    peer.handshake(false);
    peer.send(mqtt311::encode_publish("packd/v1/t/in/orders", "order-1", 1, 0x15));
    bool closed = false;
    const std::string before_close = peer.until_eof(closed);
    EXPECT_TRUE(closed) << "a batch that was not stored must drop the connection";
    EXPECT_EQ(before_close, "") << "nothing, and no PUBACK above all, after a batch that was not stored";

    // The broker kept the message in the session and sends it again, DUP set, on the next connection.
    ASSERT_TRUE(peer.accept()) << "packd reconnects";
    peer.handshake(true);
    std::string redelivery = mqtt311::encode_publish("packd/v1/t/in/orders", "order-1", 1, 0x15);
    redelivery[0] = static_cast<char>(redelivery[0] | 0x08);
    peer.send(redelivery);
    EXPECT_EQ(peer.one_read(), puback(0x15));
    {
        std::lock_guard lock(mutex);
        EXPECT_EQ(seen, (std::vector<std::string>{"order-1", "order-1"}));
    }
    loop.on_loop([&] { sub.reset(); });
}

// With mosquitto: a message whose batch was not stored comes back; once stored and acknowledged it does not,
// even to a new session object of the same client id.
TEST(OrderSubscription, AgainstMosquittoWhatWasNotStoredComesBackAndWhatWasStoredDoesNot) {
    test::Broker broker;
    const std::string client_id = "box-mosq-" + std::to_string(::getpid());
    std::mutex mutex;
    std::vector<std::string> seen;
    std::atomic<int> refusals{1};
    const auto handler = [&](const std::vector<InboundMessage>& batch) {
        std::lock_guard lock(mutex);
        for (const auto& m : batch) {
            seen.push_back(m.payload);
        }
        return refusals.fetch_sub(1) <= 0;
    };
    const auto seen_now = [&] {
        std::lock_guard lock(mutex);
        return seen;
    };
    const auto wait_for = [&](std::size_t n) {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (seen_now().size() < n && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(10ms);
        }
        return seen_now().size() >= n;
    };
    mqtt::async_client shop(broker.uri(), "shop-" + client_id, nullptr);
    shop.connect()->wait();
    {
        Loop loop;
        std::optional<OrderSubscription> sub;
        std::atomic<bool> subscribed{false};
        loop.on_loop([&] {
            sub.emplace(loop.io, settings_for(broker.port(), client_id), "packd/v1/t/in/#", 1024);
            sub->start(handler, [](const std::string&) {});
        });
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (!subscribed && std::chrono::steady_clock::now() < deadline) {
            loop.on_loop([&] { subscribed = sub->subscribed(); });
            std::this_thread::sleep_for(10ms);
        }
        ASSERT_TRUE(subscribed);
        shop.publish(mqtt::make_message("packd/v1/t/in/orders", std::string("order-1"), 1, false))->wait();
        ASSERT_TRUE(wait_for(2)) << "refused once, delivered again";
        EXPECT_EQ(seen_now(), (std::vector<std::string>{"order-1", "order-1"}));
        loop.on_loop([&] { sub->stop(); });
        loop.on_loop([&] { sub.reset(); });
    }
    // A new session object of the same client id: the broker still has the session; only what was not
    // acknowledged would come again. A marker message shows the session is being delivered.
    shop.publish(mqtt::make_message("packd/v1/t/in/orders", std::string("marker"), 1, false))->wait();
    {
        Loop loop;
        std::optional<OrderSubscription> sub;
        loop.on_loop([&] {
            sub.emplace(loop.io, settings_for(broker.port(), client_id), "packd/v1/t/in/#", 1024);
            sub->start(handler, [](const std::string&) {});
        });
        ASSERT_TRUE(wait_for(3));
        EXPECT_EQ(seen_now(), (std::vector<std::string>{"order-1", "order-1", "marker"}));
        loop.on_loop([&] { sub.reset(); });
    }
    shop.disconnect()->wait();
}

}  // namespace
}  // namespace packd::fulfillment
