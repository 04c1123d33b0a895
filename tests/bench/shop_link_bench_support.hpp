// What the shop link benchmark's runs share: the sizes of a run, small helpers, and broker clients that
// note when each message arrives.
#pragma once

#include <poll.h>
#include <sqlite3.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <mqtt/async_client.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bench_machine.hpp"
#include "bench_report.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "test_env.hpp"

namespace packd::test::shop_link_bench {

using namespace packd::bench;
using namespace std::chrono_literals;

struct Sizes {
    int floor_round_trips = 2000;  ///< broker floor: one message at a time
    int floor_burst = 5000;        ///< broker floor: published without waiting
    int latency_orders = 300;      ///< orders published one at a time, each waiting for its status
    int burst_orders = 3000;       ///< orders published without waiting
    /// With a label printer packd renders a label per order (tens of ms of CPU): a smaller burst keeps the
    /// run near two minutes.
    int burst_orders_printer = 500;
};

inline Sizes quick_sizes() {
    return Sizes{400, 1000, 100, 500, 300};
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers (the same conventions as store_bench.cpp).

inline double sum(const std::vector<double>& samples) {
    double total = 0;
    for (double v : samples) {
        total += v;
    }
    return total;
}

inline std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

inline size_t count_files(const std::string& folder, const std::string& suffix) {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            ++n;
        }
    }
    return n;
}

// ---------------------------------------------------------------------------------------------------------
// A broker client that notes when each message arrives. The callback runs on Paho's thread: it only copies
// the message and the time and wakes the waiter.

struct Arrival {
    std::string topic;
    std::string payload;
    Clock::time_point at;
};

class TimedClient {
  public:
    /// Publishes the client has taken but not yet sent; Paho's default (100) refuses a burst.
    static constexpr int kMaxBuffered = 10000;

    TimedClient(const Broker& broker, const std::string& client_id)
        : client_(broker.uri(), client_id, kMaxBuffered, nullptr) {
        client_.set_message_callback([this](mqtt::const_message_ptr msg) {
            const auto now = Clock::now();
            {
                std::lock_guard<std::mutex> lock(mutex_);
                arrivals_.push_back({msg->get_topic(), msg->get_payload_str(), now});
            }
            changed_.notify_all();
        });
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    }
    ~TimedClient() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    TimedClient(const TimedClient&) = delete;
    TimedClient& operator=(const TimedClient&) = delete;

    void subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait(); }
    mqtt::delivery_token_ptr publish(const std::string& topic, const std::string& payload) {
        return client_.publish(mqtt::make_message(topic, payload, 1, false));
    }
    size_t count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return arrivals_.size();
    }
    /// Waits until more than `seen` messages have arrived; false on timeout.
    bool wait_beyond(size_t seen, Clock::time_point deadline) const {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] { return arrivals_.size() > seen; });
    }
    Arrival at(size_t i) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return arrivals_.at(i);
    }

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<Arrival> arrivals_;
    mqtt::async_client client_;
};

/// A shop client without Nagle's algorithm: one blocking TCP socket with TCP_NODELAY, speaking MQTT 3.1.1
/// through packd's own packet codec. Paho's C client leaves Nagle on, so a small PUBLISH written right after
/// its PUBACK of the previous status waits for the broker's delayed ACK (about 40 ms on Linux); this client
/// shows what packd and the broker take without that wait.
class NoDelayClient {
  public:
    NoDelayClient(const Broker& broker, const std::string& client_id) : socket_(io_), reader_(1 << 20) {
        namespace ip = boost::asio::ip;
        socket_.connect(
            ip::tcp::endpoint(ip::make_address("127.0.0.1"), static_cast<uint16_t>(broker.port())));
        socket_.set_option(ip::tcp::no_delay(true));
        fulfillment::mqtt311::ConnectRequest request;
        request.client_id = client_id;
        request.clean_session = true;
        request.keepalive_s = 60;
        write(fulfillment::mqtt311::encode_connect(request));
        auto ack = next_packet(Clock::now() + 10s);
        if (!ack || !std::holds_alternative<fulfillment::mqtt311::Connack>(*ack)) {
            throw std::runtime_error("no-delay client: no CONNACK");
        }
    }
    void subscribe(const std::string& filter) {
        write(fulfillment::mqtt311::encode_subscribe(1, filter, 1));
        while (true) {
            auto p = next_packet(Clock::now() + 10s);
            if (!p) {
                throw std::runtime_error("no-delay client: no SUBACK");
            }
            if (std::holds_alternative<fulfillment::mqtt311::Suback>(*p)) {
                return;
            }
        }
    }
    void publish(const std::string& topic, const std::string& payload) {
        next_id_ = static_cast<uint16_t>(next_id_ % 65535 + 1);
        write(fulfillment::mqtt311::encode_publish(topic, payload, 1, next_id_));
    }
    /// Reads until a message on a topic that `wanted` accepts arrives; acknowledges every message. The time
    /// it arrived, or nothing by the deadline.
    template <class Wanted>
    std::optional<Clock::time_point> wait_for(Wanted wanted, Clock::time_point deadline) {
        while (true) {
            auto p = next_packet(deadline);
            if (!p) {
                return std::nullopt;
            }
            if (const auto* m = std::get_if<fulfillment::mqtt311::Publish>(&*p)) {
                const auto at = Clock::now();
                if (m->qos > 0) {
                    write(fulfillment::mqtt311::encode_puback(m->packet_id));
                }
                if (wanted(m->topic, m->payload)) {
                    return at;
                }
            }
        }
    }

  private:
    void write(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

    std::optional<fulfillment::mqtt311::BrokerPacket> next_packet(Clock::time_point deadline) {
        while (true) {
            auto p = reader_.next();
            if (!p) {
                throw std::runtime_error("no-delay client: " + p.error().message);
            }
            if (*p) {
                return std::move(**p);
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd fd{socket_.native_handle(), POLLIN, 0};
            if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
                return std::nullopt;
            }
            std::array<char, 65536> buffer{};
            const std::size_t n = socket_.read_some(boost::asio::buffer(buffer));
            reader_.feed(std::string_view(buffer.data(), n));
        }
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    fulfillment::mqtt311::PacketReader reader_;
    uint16_t next_id_ = 0;
};

}  // namespace packd::test::shop_link_bench
