// A shop that stops listening must not stop packd. Two ways it happens:
// - The shop's subscriber hangs (stops reading its socket) or goes away with a persistent session while
//   orders flow. The broker takes packd's messages and keeps them for the shop, so packd goes on accepting
//   and printing, its outbox stays shallow, and the shop gets every message when it reads again (as long as
//   the broker's max_queued_messages holds them: DESIGN.md, "The broker").
// - The link from packd to the broker stops taking packd's messages (no PUBACK comes back) while orders
//   still arrive. packd goes on accepting and printing; the messages wait in the outbox on disk, not in
//   memory, its depth and the age of its oldest row are in packd's status, and every message reaches the
//   shop once the link moves again.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <variant>

#include "fault_support.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "packd_fixture.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace mqtt311 = fulfillment::mqtt311;

constexpr int kOrders = 2000;
constexpr const char* kStatusPrefix = "packd/v1/it/out/orders/";

std::string order(int i) {
    const std::string id = std::to_string(700000 + i);
    return order_payload(std::string("evt-st-").append(id), id, "MUG-RED", 1);
}

/// A TCP relay in front of the broker that can stop moving bytes of the MQTT connections whose client id ends
/// in `-out` (packd's outbound link) in both directions, as a link that hangs: nothing is refused or closed,
/// nothing is acknowledged.
class HangingLink {
  public:
    explicit HangingLink(int broker_port) : broker_port_(broker_port) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        sockaddr_in addr = loopback(0);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(listener_, 16) != 0) {
            throw std::runtime_error("relay: cannot listen");
        }
        socklen_t len = sizeof(addr);
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~HangingLink() {
        stopping_ = true;
        acceptor_.join();
        for (auto& t : relays_) {
            t.join();
        }
        ::close(listener_);
    }
    HangingLink(const HangingLink&) = delete;
    HangingLink& operator=(const HangingLink&) = delete;

    int port() const { return port_; }
    void hang(bool on) { hanging_ = on; }

  private:
    static sockaddr_in loopback(int port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        return addr;
    }
    void accept_loop() {
        while (!stopping_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client >= 0) {
                relays_.emplace_back([this, client] { relay(client); });
            }
        }
    }
    /// The client id of an MQTT 3.1.1 CONNECT (section 3.1): fixed header, remaining length, "MQTT", level,
    /// flags, keep alive, then the client id as a length-prefixed string. Empty until the bytes are there.
    static std::string client_id(const std::string& bytes) {
        std::size_t at = 1;
        while (at < bytes.size() && (static_cast<unsigned char>(bytes[at]) & 0x80) != 0) {
            ++at;
        }
        at += 1 + 6 + 1 + 1 + 2;
        if (bytes.size() < at + 2) {
            return {};
        }
        const std::size_t len = static_cast<std::size_t>(static_cast<unsigned char>(bytes[at])) * 256 +
                                static_cast<unsigned char>(bytes[at + 1]);
        return bytes.size() < at + 2 + len ? std::string() : bytes.substr(at + 2, len);
    }
    void relay(int client) {
        const int broker = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr = loopback(broker_port_);
        if (::connect(broker, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            ::close(client);
            ::close(broker);
            return;
        }
        std::string first;
        bool outbound = false;
        bool known = false;
        char buffer[16384];
        while (!stopping_) {
            if (outbound && hanging_) {
                std::this_thread::sleep_for(10ms);
                continue;
            }
            pollfd p[2] = {{client, POLLIN, 0}, {broker, POLLIN, 0}};
            if (::poll(p, 2, 50) <= 0) {
                continue;
            }
            bool closed = false;
            for (int k = 0; k < 2 && !closed; ++k) {
                if ((p[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                    continue;
                }
                const ssize_t got = ::read(p[k].fd, buffer, sizeof(buffer));
                if (got <= 0) {
                    closed = true;
                    break;
                }
                if (k == 0 && !known) {
                    first.append(buffer, static_cast<std::size_t>(got));
                    const std::string id = client_id(first);
                    known = !id.empty();
                    outbound = id.size() > 4 && id.compare(id.size() - 4, 4, "-out") == 0;
                }
                const int to = k == 0 ? broker : client;
                for (ssize_t sent = 0; sent < got && !closed;) {
                    const ssize_t w =
                        ::send(to, buffer + sent, static_cast<std::size_t>(got - sent), MSG_NOSIGNAL);
                    closed = w <= 0;
                    sent += w > 0 ? w : 0;
                }
            }
            if (closed) {
                break;
            }
        }
        ::close(client);
        ::close(broker);
    }

    int broker_port_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> hanging_{false};
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    std::vector<std::thread> relays_;  // added to by the accept thread only, joined after it
};

/// A shop subscriber on a bare socket (MQTT 3.1.1, packd's own packet codec), so that the test decides when
/// it reads: while it does not, what the broker writes to it fills the socket and then waits in the broker's
/// queue for its session. (A Paho client cannot be made to stop reading by blocking its callback: the library
/// has one receiving thread for every client in the process, so the test's other clients would stop too.)
class BareSubscriber {
  public:
    BareSubscriber(int broker_port, const std::string& client_id, const std::string& filter)
        : reader_(1 << 20) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int small = 4096;  // a small window, so the broker's writes back up soon
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(broker_port));
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            throw std::runtime_error("bare subscriber: cannot connect");
        }
        // No keep alive: a shop that hangs sends no PINGREQ, and the broker must not drop its session for it.
        send_all(mqtt311::encode_connect({client_id, false, 0, std::nullopt, std::nullopt}));
        send_all(mqtt311::encode_subscribe(1, filter, 1));
        EXPECT_TRUE(read_until([&] { return subscribed_; }, 10s)) << "no SUBACK";
    }
    ~BareSubscriber() {
        send_all(mqtt311::encode_disconnect());
        ::close(fd_);
    }
    BareSubscriber(const BareSubscriber&) = delete;
    BareSubscriber& operator=(const BareSubscriber&) = delete;

    /// Reads, and acknowledges each message, until `done()` or the timeout.
    bool read_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        char buffer[65536];
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) {
                continue;
            }
            const ssize_t got = ::read(fd_, buffer, sizeof(buffer));
            if (got <= 0) {
                ADD_FAILURE() << "the broker closed the bare subscriber's connection";
                return false;
            }
            reader_.feed(std::string_view(buffer, static_cast<std::size_t>(got)));
            for (;;) {
                auto packet = reader_.next();
                if (!packet.ok()) {
                    ADD_FAILURE() << packet.error().message;
                    return false;
                }
                if (!packet->has_value()) {
                    break;
                }
                if (std::holds_alternative<mqtt311::Suback>(**packet)) {
                    subscribed_ = true;
                } else if (const auto* m = std::get_if<mqtt311::Publish>(&**packet)) {
                    topics_.insert(m->topic);
                    if (m->qos == 1) {
                        send_all(mqtt311::encode_puback(m->packet_id));
                    }
                }
            }
        }
        return done();
    }
    /// Bytes the broker wrote that this subscriber has not read.
    int unread_bytes() const {
        int n = 0;
        ::ioctl(fd_, FIONREAD, &n);
        return n;
    }
    std::set<std::string> orders_with_status(const std::string& prefix) const {
        std::set<std::string> ids;
        for (const auto& topic : topics_) {
            if (topic.rfind(prefix, 0) == 0 && topic.size() > prefix.size() + 7) {
                ids.insert(topic.substr(prefix.size(), topic.size() - prefix.size() - 7));
            }
        }
        return ids;
    }

  private:
    void send_all(const std::string& bytes) {
        for (std::size_t sent = 0; sent < bytes.size();) {
            const ssize_t w = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (w <= 0) {
                return;
            }
            sent += static_cast<std::size_t>(w);
        }
    }

    int fd_ = -1;
    mqtt311::PacketReader reader_;
    bool subscribed_ = false;
    std::set<std::string> topics_;
};

/// packd with a network printer and stock for every order, its broker link through `broker_port`.
std::unique_ptr<Process> start_box(const TempDir& dir, int broker_port, const ZplPrinterEmulator& printer) {
    std::string cfg = daemon_config(dir, broker_port,
                                    "[printers.zebra]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = " +
                                        std::to_string(printer.port()) + "\n");
    const std::string desk = "[labels]\nprinter = \"desk\"";
    cfg.replace(cfg.find(desk), desk.size(), "[labels]\nprinter = \"zebra\"");
    cfg.replace(cfg.find("log_level = \"debug\""), 19, "log_level = \"info\"");
    write_file(dir.file("packd.toml"), cfg);
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    EXPECT_EQ(
        packctl(dir, {"adjust", "MUG-RED", "A-01-01", std::to_string(kOrders), "--reason", "receive"}).code,
        0);
    EXPECT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    return packd;
}

std::set<std::string> all_orders() {
    std::set<std::string> ids;
    for (int i = 0; i < kOrders; ++i) {
        ids.insert(std::to_string(700000 + i));
    }
    return ids;
}

TEST(StuckShop, AHungOrAbsentSubscriberDoesNotSlowPackdAndGetsEveryMessageLater) {
    Broker broker;
    TempDir dir;
    ZplPrinterEmulator printer;
    BareSubscriber hung(broker.port(), "shop-hung-" + std::to_string(::getpid()),
                        "packd/v1/it/out/orders/+/status");
    ShopEar away(broker.uri(), "shop-away-" + std::to_string(::getpid()), {"packd/v1/it/out/orders/+/status"},
                 {.persistent = true});
    auto packd = start_box(dir, broker.port(), printer);
    ASSERT_FALSE(HasFailure());
    away.disconnect();  // and `hung` reads nothing from here on

    ShopMouth(broker.uri(), "shop-pub-" + std::to_string(::getpid()))
        .burst("packd/v1/it/in/orders", 0, kOrders, order);
    // packd takes every order and prints every label while nobody reads what it sends.
    ASSERT_TRUE(
        wait_until([&] { return printer.printed().size() >= static_cast<std::size_t>(kOrders); }, 120s))
        << printer.printed().size() << " labels printed\n"
        << packd->output();
    ASSERT_TRUE(wait_until(
        [&] {
            const json s = status_of(packctl_binary(), dir.file("packd.sock"));
            return s.is_object() && s["store"]["orders"] == kOrders && s["store"]["outbox"] == 0 &&
                   s["store"]["outbox_oldest_ms"] == 0;
        },
        60s))
        << "the broker keeps the shop's messages; packd's outbox must drain\n"
        << status_of(packctl_binary(), dir.file("packd.sock")).dump();
    EXPECT_LT(proc_status_kb(packd->pid(), "VmHWM"), peak_rss_bound_kb());
    EXPECT_GT(hung.unread_bytes(), 0) << "the hung shop was sent nothing: proved nothing";

    // Both come back and get every order's status.
    EXPECT_TRUE(hung.read_until(
        [&] { return hung.orders_with_status(kStatusPrefix).size() >= all_orders().size(); }, 60s));
    EXPECT_EQ(hung.orders_with_status(kStatusPrefix), all_orders());
    away.connect();
    EXPECT_TRUE(wait_until(
        [&] { return away.orders_with_status(kStatusPrefix).size() >= all_orders().size(); }, 60s));
    EXPECT_EQ(away.orders_with_status(kStatusPrefix), all_orders());
    EXPECT_TRUE(packd->running());
    packd->signal(SIGTERM);
    EXPECT_EQ(packd->wait(30s), 0) << packd->output();
}

TEST(StuckShop, ALinkThatStopsTakingMessagesGrowsTheOutboxOnDiskAndLosesNothing) {
    Broker broker;
    HangingLink link(broker.port());
    TempDir dir;
    ZplPrinterEmulator printer;
    ShopEar shop(broker.uri(), "shop-late-" + std::to_string(::getpid()), {"packd/v1/it/out/orders/+/status"},
                 {.persistent = true});
    auto packd = start_box(dir, link.port(), printer);
    ASSERT_FALSE(HasFailure());
    ASSERT_TRUE(packd->wait_for_output("connected to broker", 20s)) << packd->output();
    link.hang(true);

    ShopMouth(broker.uri(), "shop-pub-" + std::to_string(::getpid()))
        .burst("packd/v1/it/in/orders", 0, kOrders, order);
    // Orders still come in on the other connection; packd accepts and prints them all.
    ASSERT_TRUE(
        wait_until([&] { return printer.printed().size() >= static_cast<std::size_t>(kOrders); }, 120s))
        << printer.printed().size() << " labels printed\n"
        << packd->output();
    // What it would have sent waits in the outbox, on disk, and the status says how much and how old.
    json first;
    ASSERT_TRUE(wait_until(
        [&] {
            first = status_of(packctl_binary(), dir.file("packd.sock"));
            return first.is_object() && first["store"]["orders"] == kOrders &&
                   first["store"]["outbox"].get<int64_t>() >= kOrders - 64;
        },
        60s))
        << first.dump();
    EXPECT_GT(first["store"]["outbox_oldest_ms"].get<int64_t>(), 0) << first.dump();
    {
        StoreFile store(dir.file("state/packd.db"));
        EXPECT_EQ(store.scalar("SELECT count(*) FROM outbox"), first["store"]["outbox"].get<int64_t>());
    }
    std::this_thread::sleep_for(1s);
    const json later = status_of(packctl_binary(), dir.file("packd.sock"));
    ASSERT_TRUE(later.is_object());
    EXPECT_GT(later["store"]["outbox_oldest_ms"].get<int64_t>(),
              first["store"]["outbox_oldest_ms"].get<int64_t>())
        << "the oldest message's age must grow while the link hangs";
    EXPECT_LT(proc_status_kb(packd->pid(), "VmHWM"), peak_rss_bound_kb()) << "the outbox grew in memory";
    EXPECT_LE(shop.orders_with_status(kStatusPrefix).size(), 64u) << "messages went out over a hung link";

    // The link moves again: the outbox drains and the shop hears every order.
    link.hang(false);
    EXPECT_TRUE(wait_until(
        [&] { return shop.orders_with_status(kStatusPrefix).size() >= all_orders().size(); }, 120s))
        << shop.orders_with_status(kStatusPrefix).size() << " heard\n"
        << packd->output();
    EXPECT_EQ(shop.orders_with_status(kStatusPrefix), all_orders());
    EXPECT_TRUE(wait_until(
        [&] {
            const json s = status_of(packctl_binary(), dir.file("packd.sock"));
            return s.is_object() && s["store"]["outbox"] == 0 && s["store"]["outbox_oldest_ms"] == 0;
        },
        60s));
    EXPECT_TRUE(packd->running());
    packd->signal(SIGTERM);
    EXPECT_EQ(packd->wait(30s), 0) << packd->output();
}

}  // namespace
}  // namespace packd::test
