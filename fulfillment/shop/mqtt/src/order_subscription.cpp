#include "packd/fulfillment/shop/mqtt/order_subscription.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "packd/common/log.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"

namespace packd::fulfillment {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr uint16_t kSubscribePacketId = 1;
constexpr std::chrono::seconds kHandshakeTimeout{10};
/// Group commit bounds: one batch stores at most this many messages, gathered for at most this long.
constexpr std::size_t kBatchMessages = 256;
constexpr std::chrono::milliseconds kBatchTime{2};

/// The TLS client context of the broker settings. It must be complete before a stream is made
/// from it: OpenSSL copies certificate, key and verify mode into each connection when it is
/// created. A file that cannot be used is reported in `problem`.
asio::ssl::context tls_context(const BrokerSettings& settings, std::string& problem) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (!settings.tls) {
        return ctx;
    }
    boost::system::error_code ec;
    ctx.set_verify_mode(asio::ssl::verify_peer, ec);
    if (!settings.ca_file.empty()) {
        ctx.load_verify_file(settings.ca_file, ec);
        if (ec) {
            problem = "broker.ca_file " + settings.ca_file + ": " + ec.message();
            return ctx;
        }
    } else {
        ctx.set_default_verify_paths(ec);
    }
    if (!settings.cert_file.empty()) {
        ctx.use_certificate_chain_file(settings.cert_file, ec);
        if (ec) {
            problem = "broker.cert_file " + settings.cert_file + ": " + ec.message();
            return ctx;
        }
        ctx.use_private_key_file(settings.key_file, asio::ssl::context::pem, ec);
        if (ec) {
            problem = "broker.key_file " + settings.key_file + ": " + ec.message();
        }
    }
    return ctx;
}
}  // namespace

/// One TCP (or TLS) connection from resolve to close. Async operations hold it alive; the owner
/// forgets it when it closes and makes a new one to reconnect.
class OrderSubscription::Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(OrderSubscription& owner, std::size_t max_packet_bytes)
        : owner_(&owner),
          settings_(owner.settings_),
          filter_(owner.filter_),
          ssl_(tls_context(settings_, tls_problem_)),
          resolver_(owner.io_),
          stream_(owner.io_, ssl_),
          timer_(owner.io_),
          keepalive_(owner.io_),
          reader_(max_packet_bytes) {}

    void open() {
        if (settings_.tls) {
            if (!tls_problem_.empty()) {
                close(tls_problem_);
                return;
            }
            // The certificate must name the host we connect to (RFC 6125); SNI for brokers
            // behind a proxy that serves several names (SSL_set_tlsext_host_name, without the
            // macro's C casts).
            stream_.set_verify_callback(asio::ssl::host_name_verification(settings_.host));
            SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(settings_.host.c_str()));
        }
        arm_timer(kHandshakeTimeout, "no answer from the broker within 10 s");
        resolver_.async_resolve(
            settings_.host, std::to_string(settings_.port),
            [self = shared_from_this()](const boost::system::error_code& ec,
                                        tcp::resolver::results_type found) {
                if (ec) {
                    self->close("cannot resolve broker host " + self->settings_.host + ": " + ec.message());
                    return;
                }
                asio::async_connect(self->stream_.next_layer(), found,
                                    [self](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                        self->on_tcp_connected(ec2);
                                    });
            });
    }

    /// The owner is going away or stopping: no more callbacks into it.
    void abandon(bool say_goodbye) {
        owner_ = nullptr;
        if (say_goodbye && subscribed_ && !closed_) {
            send(mqtt311::encode_disconnect());
            goodbye_ = true;  // the socket closes once DISCONNECT is written
            return;
        }
        shutdown();
    }

    bool subscribed() const { return subscribed_ && !closed_; }

  private:
    void on_tcp_connected(const boost::system::error_code& ec) {
        if (closed_) {
            return;
        }
        if (ec) {
            close("cannot reach the broker: " + ec.message());
            return;
        }
        boost::system::error_code ignored;
        stream_.next_layer().set_option(tcp::no_delay(true), ignored);  // a PUBACK must not wait
        if (!settings_.tls) {
            start_session();
            return;
        }
        stream_.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](
                                                                    const boost::system::error_code& ec2) {
            if (self->closed_) {
                return;
            }
            if (ec2) {
                self->close("TLS handshake with the broker failed: " + ec2.message() +
                            " (check broker.ca_file, and that the broker's certificate "
                            "names " +
                            self->settings_.host + ")");
                return;
            }
            self->start_session();
        });
    }

    void start_session() {
        mqtt311::ConnectRequest request;
        request.client_id = settings_.client_id;
        request.clean_session = false;  // the broker keeps our subscription and queued messages
        request.keepalive_s = static_cast<uint16_t>(settings_.keepalive_s);
        if (!settings_.username.empty()) {
            request.username = settings_.username;
            request.password = settings_.password;
        }
        send(mqtt311::encode_connect(request));
        read();
    }

    void read() {
        auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            self->on_read(ec, n);
        };
        if (settings_.tls) {
            stream_.async_read_some(asio::buffer(buffer_), handler);
        } else {
            stream_.next_layer().async_read_some(asio::buffer(buffer_), handler);
        }
    }

    void on_read(const boost::system::error_code& ec, std::size_t n) {
        if (closed_) {
            return;
        }
        if (ec) {
            close(ec == asio::error::eof ? "the broker closed the connection"
                                         : "connection lost: " + ec.message());
            return;
        }
        reader_.feed(std::string_view(buffer_.data(), n));
        for (;;) {
            auto packet = reader_.next();
            if (!packet) {
                close("broker sent a malformed packet: " + packet.error().message);
                return;
            }
            if (!*packet) {
                break;
            }
            if (auto* p = std::get_if<mqtt311::Publish>(&**packet)) {
                if (batch_.empty()) {
                    batch_started_ = std::chrono::steady_clock::now();
                }
                if (p->qos > 0) {
                    to_ack_.push_back(p->packet_id);
                }
                batch_.push_back({std::move(p->topic), std::move(p->payload), p->size, p->payload_dropped});
            } else if (auto* c = std::get_if<mqtt311::Connack>(&**packet)) {
                if (!on_connack(*c)) {
                    return;
                }
            } else if (auto* s = std::get_if<mqtt311::Suback>(&**packet)) {
                if (!on_suback(*s)) {
                    return;
                }
            } else if (std::holds_alternative<mqtt311::Puback>(**packet)) {
                close("broker acknowledged a message packd did not publish on this connection");
                return;
            } else {
                ping_outstanding_ = false;
            }
        }
        // Group commit: while more of a burst is already waiting in the socket, it joins this batch, up to
        // a bound in messages and in time; a message arriving alone is stored at once.
        if (!batch_.empty() && (batch_.size() >= kBatchMessages || !more_waiting() ||
                                std::chrono::steady_clock::now() - batch_started_ >= kBatchTime)) {
            if (!store_batch()) {
                return;
            }
        }
        read();
    }

    /// Bytes the broker sent that are not read yet, in the socket or decrypted inside TLS.
    bool more_waiting() {
        boost::system::error_code ignored;
        if (stream_.next_layer().available(ignored) > 0) {
            return true;
        }
        return settings_.tls && SSL_pending(stream_.native_handle()) > 0;
    }

    /// Hands the batch over to be stored, then acknowledges all of it; false when the connection closed.
    bool store_batch() {
        std::vector<InboundMessage> batch;
        batch.swap(batch_);
        std::vector<uint16_t> to_ack;
        to_ack.swap(to_ack_);
        // Stored first, acknowledged after: the PUBACKs go in the order the messages came (section
        // 4.6), all after the one commit that stored them, in one write.
        if (!owner_ || !owner_->on_batch_ || !owner_->on_batch_(batch)) {
            close("could not store " + std::to_string(batch.size()) +
                  " message(s); the broker keeps them until packd reconnects");
            return false;
        }
        std::string acks;
        acks.reserve(4 * to_ack.size());
        for (uint16_t id : to_ack) {
            acks += mqtt311::encode_puback(id);
        }
        if (!acks.empty()) {
            send(std::move(acks));
        }
        return true;
    }

    bool on_connack(const mqtt311::Connack& c) {
        if (c.return_code != 0) {
            close(mqtt311::connack_reason(c.return_code));
            return false;
        }
        send(mqtt311::encode_subscribe(kSubscribePacketId, filter_, 1));
        return true;
    }

    bool on_suback(const mqtt311::Suback& s) {
        if (s.packet_id != kSubscribePacketId || s.granted.size() != 1) {
            close("broker answered a SUBSCRIBE packet packd did not send");
            return false;
        }
        if (s.granted[0] == 0x80) {
            close("broker refused the subscription to " + (filter_) +
                  " (check the broker's access control for broker.username)");
            return false;
        }
        if (s.granted[0] == 0) {
            log::warning(
                "broker granted QoS 0 only for the order subscription: messages sent while packd is "
                "away are lost");
        }
        timer_.cancel();
        subscribed_ = true;
        start_keepalive();
        if (owner_) {
            owner_->on_subscribed();
        }
        return true;
    }

    void start_keepalive() {
        if (settings_.keepalive_s <= 0) {
            return;
        }
        keepalive_.expires_after(std::chrono::seconds(settings_.keepalive_s));
        keepalive_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->closed_) {
                return;
            }
            if (self->ping_outstanding_) {
                self->close("the broker did not answer PINGREQ within " +
                            std::to_string(self->settings_.keepalive_s) + " s");
                return;
            }
            self->ping_outstanding_ = true;
            self->send(mqtt311::encode_pingreq());
            self->start_keepalive();
        });
    }

    void arm_timer(std::chrono::seconds after, std::string why) {
        timer_.expires_after(after);
        timer_.async_wait(
            [self = shared_from_this(), why = std::move(why)](const boost::system::error_code& ec) {
                if (!ec) {
                    self->close(why);
                }
            });
    }

    void send(std::string bytes) {
        queued_ += bytes;
        if (writing_.empty()) {
            write_next();
        }
    }

    // Everything queued while a write was under way goes out in the next single write, so a burst of
    // acknowledgements costs one system call per turn, not one per message.
    void write_next() {
        writing_.swap(queued_);
        queued_.clear();
        auto handler = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (self->closed_) {
                return;
            }
            if (ec) {
                self->close("connection lost while writing: " + ec.message());
                return;
            }
            self->writing_.clear();
            if (!self->queued_.empty()) {
                self->write_next();
            } else if (self->goodbye_) {
                self->shutdown();
            }
        };
        if (settings_.tls) {
            asio::async_write(stream_, asio::buffer(writing_), handler);
        } else {
            asio::async_write(stream_.next_layer(), asio::buffer(writing_), handler);
        }
    }

    void close(const std::string& why) {
        if (closed_) {
            return;
        }
        shutdown();
        if (owner_) {
            auto* owner = owner_;
            owner_ = nullptr;
            owner->on_closed(why);
        }
    }

    void shutdown() {
        closed_ = true;
        boost::system::error_code ignored;
        timer_.cancel();
        keepalive_.cancel();
        resolver_.cancel();
        stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.next_layer().close(ignored);
    }

    OrderSubscription* owner_;
    BrokerSettings settings_;
    std::string filter_;
    std::string tls_problem_;  ///< why the TLS settings cannot be used; set before ssl_
    asio::ssl::context ssl_;
    tcp::resolver resolver_;
    asio::ssl::stream<tcp::socket> stream_;
    asio::steady_timer timer_;
    asio::steady_timer keepalive_;
    mqtt311::PacketReader reader_;
    std::array<char, 64 * 1024> buffer_{};
    std::string writing_;                ///< the bytes of the write under way
    std::string queued_;                 ///< bytes to write after it
    std::vector<InboundMessage> batch_;  ///< received, not yet stored
    std::vector<uint16_t> to_ack_;       ///< their packet ids, in order
    std::chrono::steady_clock::time_point batch_started_;
    bool subscribed_ = false;
    bool ping_outstanding_ = false;
    bool closed_ = false;
    bool goodbye_ = false;
};

OrderSubscription::OrderSubscription(asio::io_context& io, BrokerSettings settings, std::string filter,
                                     std::size_t max_payload_bytes)
    : io_(io),
      settings_(std::move(settings)),
      filter_(std::move(filter)),
      max_payload_bytes_(max_payload_bytes),
      reconnect_timer_(io),
      backoff_(settings_.reconnect_min, settings_.reconnect_max) {}

OrderSubscription::~OrderSubscription() {
    if (connection_) {
        connection_->abandon(false);
    }
}

void OrderSubscription::start(BatchHandler on_batch, std::function<void(const std::string&)> on_problem) {
    on_batch_ = std::move(on_batch);
    on_problem_ = std::move(on_problem);
    connect();
}

void OrderSubscription::stop() {
    stopping_ = true;
    reconnect_timer_.cancel();
    if (connection_) {
        connection_->abandon(true);
        connection_.reset();
    }
}

bool OrderSubscription::subscribed() const {
    return connection_ && connection_->subscribed();
}

void OrderSubscription::connect() {
    if (stopping_) {
        return;
    }
    // Messages up to four times the payload limit arrive whole, so that the dead letter keeps
    // the original; beyond that only their topic and size are kept (a runaway publisher cannot
    // fill the memory or the disk).
    const std::size_t max_packet = 4 * max_payload_bytes_ + 65536 + 8;
    auto connection = std::make_shared<Connection>(*this, max_packet);
    connection_ = connection;
    connection->open();  // may close at once and call on_closed, which forgets connection_
}

void OrderSubscription::on_subscribed() {
    backoff_.reset();
    log::notice("subscribed to " + filter_ + " on " + settings_.host + ":" + std::to_string(settings_.port) +
                " as " + settings_.client_id + " (QoS 1, persistent session)");
    last_error_.clear();
}

void OrderSubscription::on_closed(const std::string& why) {
    connection_.reset();
    if (stopping_) {
        return;
    }
    if (on_problem_) {
        on_problem_(why);
    } else if (why != last_error_) {
        log::warning("order subscription on " + settings_.host + ":" + std::to_string(settings_.port) + ": " +
                     why);
    }
    last_error_ = why;
    schedule_reconnect();
}

void OrderSubscription::schedule_reconnect() {
    const std::chrono::milliseconds wait = backoff_.next();
    reconnect_timer_.expires_after(wait);
    reconnect_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            connect();
        }
    });
}

}  // namespace packd::fulfillment
