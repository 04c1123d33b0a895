#pragma once
// packd's durable subscription to the shop's messages: its own MQTT 3.1.1 session (TCP or TLS
// on Boost.Asio, persistent, QoS 1) that acknowledges a message only after the handler says it
// is stored. A crash before that leaves the message with the broker, which sends it again when
// packd reconnects (MQTT 3.1.1 section 4.4). Everything runs on the io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "packd/fulfillment/shop/mqtt/broker_settings.hpp"
#include "packd/fulfillment/shop/mqtt/inbound_message.hpp"

namespace packd::fulfillment {

class OrderSubscription {
  public:
    /// Stores a batch of messages durably (one transaction) and says whether it did. True sends
    /// the PUBACKs; false drops the connection so that the broker keeps them for later.
    using BatchHandler = std::function<bool(const std::vector<InboundMessage>&)>;

    /// `max_payload_bytes`: larger messages are reported with their size but not buffered.
    OrderSubscription(boost::asio::io_context& io, BrokerSettings settings, std::string filter,
                      std::size_t max_payload_bytes);
    ~OrderSubscription();
    OrderSubscription(const OrderSubscription&) = delete;
    OrderSubscription& operator=(const OrderSubscription&) = delete;

    /// Connects and keeps reconnecting with backoff and jitter until stop(). `on_problem` hears
    /// why a connection failed or was lost (each time); without it the reasons are logged.
    void start(BatchHandler on_batch, std::function<void(const std::string&)> on_problem = nullptr);
    /// Sends DISCONNECT if connected and closes; no more batches after this.
    void stop();

    bool subscribed() const;
    /// Empty while connected; otherwise why the last attempt failed.
    const std::string& last_error() const { return last_error_; }
    const std::string& filter() const { return filter_; }

  private:
    class Connection;
    void connect();
    void on_subscribed();
    void on_closed(const std::string& why);
    void schedule_reconnect();

    boost::asio::io_context& io_;
    BrokerSettings settings_;
    std::string filter_;
    std::size_t max_payload_bytes_;
    BatchHandler on_batch_;
    std::function<void(const std::string&)> on_problem_;
    std::shared_ptr<Connection> connection_;
    boost::asio::steady_timer reconnect_timer_;
    ReconnectBackoff backoff_;
    bool stopping_ = false;
    std::string last_error_ = "connecting";
};

}  // namespace packd::fulfillment
