#pragma once
// MQTT 3.1.1 clients of the fast path benchmark, on packd's own packet codec (mqtt_packet.hpp) and blocking
// loopback sockets with TCP_NODELAY: a publisher with a large in-flight window (Paho's C client leaves Nagle
// on and caps what it buffers) and a persistent QoS 1 subscriber.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "bench_machine.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"

namespace packd::bench {

/// One connection to the broker. Not thread-safe: one thread writes, one reads.
class MqttLink {
  public:
    MqttLink(int port, const std::string& client_id, bool clean_session);
    ~MqttLink();
    MqttLink(const MqttLink&) = delete;
    MqttLink& operator=(const MqttLink&) = delete;

    /// Writes all of `bytes`; throws when the connection is gone.
    void send(std::string_view bytes);
    /// The next packet from the broker, or nothing by the deadline or once the connection is closed.
    std::optional<fulfillment::mqtt311::BrokerPacket> next(Clock::time_point deadline);
    /// The next packet among the bytes already read, without reading.
    std::optional<fulfillment::mqtt311::BrokerPacket> buffered();
    /// Reads what the socket has (waiting for it until the deadline); false on deadline or when closed.
    bool fill(Clock::time_point deadline);
    /// SUBSCRIBE at QoS 1 and wait for the SUBACK (before any reader thread runs).
    void subscribe(const std::string& filter);
    /// Wakes a thread blocked in next(): it returns nothing from then on.
    void shut_down();
    bool closed() const { return closed_; }

  private:
    int fd_ = -1;
    std::atomic<bool> closed_{false};
    fulfillment::mqtt311::PacketReader reader_;
};

/// Publishes QoS 1 messages with up to `window` of them not yet acknowledged by the broker.
class Publisher {
  public:
    Publisher(int port, const std::string& client_id, std::size_t window);
    ~Publisher();
    Publisher(const Publisher&) = delete;
    Publisher& operator=(const Publisher&) = delete;

    /// One message, written at once; waits for room in the window until `deadline`. The time it was handed
    /// to the socket, or nothing on deadline.
    std::optional<Clock::time_point> publish(std::string_view topic, std::string_view payload,
                                             Clock::time_point deadline);
    /// `count` messages as fast as the window allows, several packets per write; `sent[i]` gets the time
    /// message i was handed to the socket. Returns how many went before the deadline.
    std::size_t publish_flat_out(std::size_t count, const std::function<std::string(std::size_t)>& topic,
                                 const std::function<std::string(std::size_t)>& payload,
                                 std::vector<Clock::time_point>& sent, Clock::time_point deadline);
    /// Waits until the broker has acknowledged everything sent; false on deadline.
    bool wait_acked(Clock::time_point deadline);
    std::size_t acked() const { return acked_; }
    std::size_t sent() const { return sent_; }

  private:
    uint16_t next_id();
    bool wait_for_room(std::size_t wanted, Clock::time_point deadline);
    void read_acks();

    MqttLink link_;
    std::size_t window_;
    uint16_t id_ = 0;
    std::size_t sent_ = 0;
    std::atomic<std::size_t> acked_{0};
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread reader_;
};

/// A persistent (clean session off) QoS 1 subscriber. `on_message` runs on the subscriber's own thread with
/// the time the message's bytes were read; PUBACKs go after each read's messages were handed over.
class Subscriber {
  public:
    using Handler = std::function<void(const fulfillment::mqtt311::Publish&, Clock::time_point)>;

    Subscriber(int port, const std::string& client_id, const std::string& filter, Handler on_message);
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    std::size_t received() const { return received_; }

  private:
    void run();

    MqttLink link_;
    Handler on_message_;
    std::atomic<std::size_t> received_{0};
    std::thread reader_;
};

}  // namespace packd::bench
