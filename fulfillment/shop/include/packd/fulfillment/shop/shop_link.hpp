#pragma once
// The link to the shop's broker: two MQTT connections. Outbound messages, the retained status
// and its Last Will go over Paho MQTT C++ (client id "<client_id>-out"); Paho calls back on its
// own threads and every callback here only copies what it got and posts it to the io_context.
// Inbound messages come over packd's own OrderSubscription (client id "<client_id>"), which
// acknowledges a message only after it is stored (invariant 1; see mqtt_packet.hpp for why).
// Reconnects are Asio timers with exponential backoff and jitter, owned by each connection.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/shop/mqtt/broker_settings.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace mqtt {
class async_client;
}  // namespace mqtt

namespace packd::fulfillment {

class OrderSubscription;
struct InboundMessage;

class ShopLink {
  public:
    /// Stores a batch of inbound messages durably; true lets them be acknowledged.
    using BatchHandler = std::function<bool(const std::vector<InboundMessage>&)>;
    using Listener = std::function<void()>;

    ShopLink(boost::asio::io_context& io, BrokerSettings settings, Topics topics);
    ~ShopLink();
    ShopLink(const ShopLink&) = delete;
    ShopLink& operator=(const ShopLink&) = delete;

    /// Connects both connections (and keeps reconnecting). Handlers run on the io_context;
    /// `on_connected` each time the outbound connection is up.
    Status start(BatchHandler on_batch, Listener on_connected);
    /// Publishes at QoS 1; `acked` runs on the io_context with true after the broker's PUBACK.
    void publish(const OutboxMessage& msg, std::function<void(bool)> acked);
    /// Publishes the retained status document (online, version, devices).
    void publish_status(const std::string& json_document);
    /// Marks the link offline (retained), disconnects cleanly and calls `done`; bounded in time.
    void stop(std::function<void()> done);

    /// The outbound connection is up.
    bool connected() const { return connected_; }
    /// The io_context everything of the link runs on.
    boost::asio::io_context& executor() { return io_; }
    /// The inbound subscription is active.
    bool subscribed() const;
    /// The order topic filter this box subscribes to, shared or not.
    std::string order_filter() const;
    /// One line for `packctl status`: "connected to ...", "reconnecting in 4 s: ...".
    std::string state_text() const;

  private:
    class PahoListener;
    void connect();
    void on_connect_result(bool ok, const std::string& reason);
    /// The connect failure in words an admin can act on, naming the config keys involved.
    std::string explain_failure(const std::string& reason) const;
    void on_connection_lost(const std::string& why);
    /// Logs a connection problem of either connection, unless it was the last one logged.
    void report(const std::string& why);
    void schedule_reconnect();

    boost::asio::io_context& io_;
    BrokerSettings settings_;
    Topics topics_;
    std::unique_ptr<OrderSubscription> subscription_;
    Listener on_connected_;
    std::unique_ptr<PahoListener> connect_listener_;
    std::unique_ptr<PahoListener> publish_listener_;
    std::unique_ptr<PahoListener> disconnect_listener_;
    std::unique_ptr<mqtt::async_client> client_;
    boost::asio::steady_timer reconnect_timer_;
    ReconnectBackoff backoff_;
    bool connected_ = false;
    bool connecting_ = false;
    bool stopping_ = false;
    std::string last_error_;
    std::set<std::string> reported_;
    std::function<void()> stopped_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    // Publish completions by Paho user context (an outbox id).
    std::map<int64_t, std::function<void(bool)>> pending_acks_;
    int64_t next_context_ = 1;
};

}  // namespace packd::fulfillment
