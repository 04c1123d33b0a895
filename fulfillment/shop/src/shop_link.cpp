#include "packd/fulfillment/shop/shop_link.hpp"

#include <mqtt/async_client.h>

#include <boost/asio/post.hpp>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "packd/fulfillment/shop/mqtt/order_subscription.hpp"

namespace packd::fulfillment {

/// Forwards Paho action results to a function; lives as long as the link, so Paho never holds
/// a dangling listener.
class ShopLink::PahoListener final : public mqtt::iaction_listener {
  public:
    using Fn = std::function<void(bool ok, const mqtt::token& tok)>;
    explicit PahoListener(Fn fn) : fn_(std::move(fn)) {}
    void on_success(const mqtt::token& tok) override { fn_(true, tok); }
    void on_failure(const mqtt::token& tok) override { fn_(false, tok); }

  private:
    Fn fn_;
};

namespace {

/// Far above what the outbox pump and the stock levels have on their way at once (264).
constexpr int kMaxUnsentPublishes = 10000;

std::string token_error(const mqtt::token& tok) {
    const int rc = tok.get_return_code();
    if (rc >= 1 && rc <= 5) {
        return mqtt311::connack_reason(static_cast<uint8_t>(rc));
    }
    if (rc == MQTTASYNC_FAILURE || rc == 0) {
        return "cannot reach the broker (connection refused or timed out)";
    }
    return "MQTT error " + std::to_string(rc);
}

}  // namespace

ShopLink::ShopLink(boost::asio::io_context& io, BrokerSettings settings, Topics topics)
    : io_(io),
      settings_(std::move(settings)),
      topics_(std::move(topics)),
      reconnect_timer_(io),
      backoff_(settings_.reconnect_min, settings_.reconnect_max) {}

ShopLink::~ShopLink() {
    *alive_ = false;
    if (client_) {
        try {
            client_->disable_callbacks();
        } catch (const mqtt::exception&) {
        }
    }
    client_.reset();
    subscription_.reset();
}

bool ShopLink::subscribed() const {
    return subscription_ && subscription_->subscribed();
}

Status ShopLink::start(BatchHandler on_batch, Listener on_connected) {
    on_connected_ = std::move(on_connected);
    const std::string uri = std::string(settings_.tls ? "ssl://" : "tcp://") + settings_.host + ":" +
                            std::to_string(settings_.port);
    std::weak_ptr<bool> alive = alive_;
    try {
        // No Paho persistence: the store's outbox is what survives restarts. Paho refuses a publish when
        // it holds max_buffered_messages not yet written to the socket, connected or not (100 by default);
        // the outbox pump (64) and a pass of stock levels (200) put more than that on their way at once,
        // and the refused ones waited for the next reconnect. Nothing is sent while disconnected.
        mqtt::create_options options;
        options.set_max_buffered_messages(kMaxUnsentPublishes);
        client_ = std::make_unique<mqtt::async_client>(uri, settings_.client_id + "-out", options, nullptr);
    } catch (const mqtt::exception& e) {
        return fail("broker " + uri + ": " + e.what());
    }
    client_->set_connection_lost_handler([this, alive](const std::string& cause) {
        boost::asio::post(io_, [this, alive, cause] {
            if (!alive.expired()) {
                on_connection_lost(cause.empty() ? "connection lost" : cause);
            }
        });
    });
    connect_listener_ = std::make_unique<PahoListener>([this, alive](bool ok, const mqtt::token& tok) {
        std::string why = ok ? std::string() : token_error(tok);
        boost::asio::post(io_, [this, alive, ok, why] {
            if (!alive.expired()) {
                on_connect_result(ok, why);
            }
        });
    });
    publish_listener_ = std::make_unique<PahoListener>([this, alive](bool ok, const mqtt::token& tok) {
        const auto context = reinterpret_cast<intptr_t>(tok.get_user_context());
        boost::asio::post(io_, [this, alive, ok, context] {
            if (alive.expired()) {
                return;
            }
            auto it = pending_acks_.find(context);
            if (it == pending_acks_.end()) {
                return;
            }
            auto acked = std::move(it->second);
            pending_acks_.erase(it);
            if (acked) {
                acked(ok);
            }
        });
    });
    disconnect_listener_ = std::make_unique<PahoListener>([this, alive](bool, const mqtt::token&) {
        boost::asio::post(io_, [this, alive] {
            if (!alive.expired() && stopped_) {
                reconnect_timer_.cancel();
                auto done = std::move(stopped_);
                stopped_ = nullptr;
                done();
            }
        });
    });
    connect();
    subscription_ =
        std::make_unique<OrderSubscription>(io_, settings_, order_filter(), settings_.max_payload_bytes);
    subscription_->start(std::move(on_batch),
                         [this](const std::string& why) { report(explain_failure(why)); });
    return {};
}

void ShopLink::connect() {
    if (stopping_ || connecting_) {
        return;
    }
    connecting_ = true;
    auto builder = mqtt::connect_options_builder()
                       .mqtt_version(MQTTVERSION_3_1_1)
                       .clean_session(true)  // publishing only: the store's outbox is the session
                       .keep_alive_interval(std::chrono::seconds(settings_.keepalive_s))
                       .connect_timeout(std::chrono::seconds(10))
                       .will(mqtt::message(topics_.status(), std::string(R"({"state":"offline"})"), 1, true));
    if (!settings_.username.empty()) {
        builder.user_name(settings_.username).password(settings_.password);
    }
    if (settings_.tls) {
        auto ssl = mqtt::ssl_options_builder().enable_server_cert_auth(true).verify(
            true);  // the certificate must name the host we connect to
        if (!settings_.ca_file.empty()) {
            ssl.trust_store(settings_.ca_file);
        }
        if (!settings_.cert_file.empty()) {
            ssl.key_store(settings_.cert_file).private_key(settings_.key_file);
        }
        builder.ssl(ssl.finalize());
    }
    try {
        client_->connect(builder.finalize(), nullptr, *connect_listener_);
    } catch (const mqtt::exception& e) {
        connecting_ = false;
        last_error_ = e.what();
        schedule_reconnect();
    }
}

std::string ShopLink::explain_failure(const std::string& reason) const {
    std::string why = reason;
    if (settings_.tls && reason.find("cannot reach the broker") != std::string::npos) {
        // Paho reports a failed certificate check exactly like a refused connection (return code
        // -1), so both causes are named.
        why =
            "cannot reach the broker or the TLS handshake failed (check broker.host and broker.port, "
            "broker.ca_file, and that the broker's certificate names " +
            settings_.host + ")";
    } else if (reason.find("bad user name or password") != std::string::npos ||
               reason.find("not authorised") != std::string::npos) {
        why =
            reason + (settings_.username.empty() ? " (the broker wants credentials: set broker.username and "
                                                   "broker.password_file)"
                                                 : " (check broker.username and broker.password_file)");
    }
    return why;
}

void ShopLink::report(const std::string& why) {
    // Both connections meet the same broker, usually with the same problem, and retry it: each
    // reason is said once until the link is up again.
    if (reported_.insert(why).second) {
        log::warning("broker " + settings_.host + ":" + std::to_string(settings_.port) + ": " + why);
    }
}

void ShopLink::on_connect_result(bool ok, const std::string& reason) {
    connecting_ = false;
    if (stopping_) {
        return;
    }
    if (!ok) {
        const std::string why = explain_failure(reason);
        report(why);
        last_error_ = why;
        schedule_reconnect();
        return;
    }
    connected_ = true;
    last_error_.clear();
    reported_.clear();
    backoff_.reset();
    log::notice("connected to broker " + settings_.host + ":" + std::to_string(settings_.port) + " as " +
                settings_.client_id + "-out");
    if (on_connected_) {
        on_connected_();
    }
}

void ShopLink::on_connection_lost(const std::string& why) {
    connected_ = false;
    if (stopping_) {
        return;
    }
    last_error_ = why;
    log::warning("lost broker connection: " + why);
    // Publishes in flight will not be acknowledged on this connection; the pump sends them again.
    auto acks = std::move(pending_acks_);
    pending_acks_.clear();
    for (auto& [ctx, acked] : acks) {
        if (acked) {
            acked(false);
        }
    }
    schedule_reconnect();
}

void ShopLink::schedule_reconnect() {
    if (stopping_) {
        return;
    }
    const std::chrono::milliseconds wait = backoff_.next();
    reconnect_timer_.expires_after(wait);
    std::weak_ptr<bool> alive = alive_;
    reconnect_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (!ec && !alive.expired()) {
            connect();
        }
    });
}

void ShopLink::publish(const OutboxMessage& msg, std::function<void(bool)> acked) {
    if (!client_ || !connected_) {
        boost::asio::post(io_, [acked = std::move(acked)] { acked(false); });
        return;
    }
    const int64_t context = next_context_++;
    pending_acks_[context] = std::move(acked);
    try {
        auto m = mqtt::make_message(msg.topic, msg.payload, msg.qos, msg.retain);
        client_->publish(m, reinterpret_cast<void*>(static_cast<intptr_t>(context)), *publish_listener_);
    } catch (const mqtt::exception& e) {
        auto it = pending_acks_.find(context);
        auto done = std::move(it->second);
        pending_acks_.erase(it);
        log::warning("publish to " + msg.topic + " failed: " + e.what());
        boost::asio::post(io_, [done = std::move(done)] { done(false); });
    }
}

void ShopLink::publish_status(const std::string& json_document) {
    if (!client_ || !connected_) {
        return;
    }
    try {
        client_->publish(mqtt::make_message(topics_.status(), json_document, 1, true));
    } catch (const mqtt::exception& e) {
        log::warning("status publish failed: " + std::string(e.what()));
    }
}

void ShopLink::stop(std::function<void()> done) {
    stopping_ = true;
    reconnect_timer_.cancel();
    if (subscription_) {
        subscription_->stop();
    }
    if (!client_ || !connected_) {
        connected_ = false;
        boost::asio::post(io_, std::move(done));
        return;
    }
    stopped_ = std::move(done);
    try {
        // A clean disconnect suppresses the Last Will, so say "offline" ourselves first.
        client_->publish(
            mqtt::make_message(topics_.status(), std::string(R"({"state":"offline"})"), 1, true));
        client_->disconnect(std::chrono::seconds(2), nullptr, *disconnect_listener_);
    } catch (const mqtt::exception& e) {
        log::warning("disconnect: " + std::string(e.what()));
        auto d = std::move(stopped_);
        stopped_ = nullptr;
        boost::asio::post(io_, std::move(d));
    }
    connected_ = false;
}

std::string ShopLink::order_filter() const {
    // A shared subscription: the broker hands each order to one member of the group (MQTT 5
    // section 4.8.2; mosquitto, EMQX, HiveMQ and VerneMQ accept it from 3.1.1 clients too).
    return settings_.shared_group.empty() ? topics_.in_filter()
                                          : "$share/" + settings_.shared_group + "/" + topics_.in_filter();
}

std::string ShopLink::state_text() const {
    const std::string where = settings_.host + ":" + std::to_string(settings_.port);
    if (stopping_) {
        return "disconnected from " + where;
    }
    // The subscription starts out "connecting"; it has no reason of its own until it failed.
    const std::string inbound = subscription_ ? subscription_->last_error() : std::string();
    const std::string inbound_why = inbound == "connecting" ? std::string() : explain_failure(inbound);
    if (connected_) {
        if (subscribed()) {
            return "connected to " + where;
        }
        return "connected to " + where + ", order subscription not active" +
               (inbound_why.empty() ? std::string(" (connecting)") : ": " + inbound_why);
    }
    const std::string why = last_error_.empty() ? inbound_why : last_error_;
    return "not connected to " + where + (why.empty() ? std::string(" (connecting)") : ": " + why);
}

}  // namespace packd::fulfillment
