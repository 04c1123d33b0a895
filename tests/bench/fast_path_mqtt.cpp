#include "fast_path_mqtt.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <variant>

namespace packd::bench {

namespace mqtt = fulfillment::mqtt311;
using namespace std::chrono_literals;

MqttLink::MqttLink(int port, const std::string& client_id, bool clean_session) : reader_(1 << 20) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const std::string why = std::strerror(errno);
        if (fd_ >= 0) {
            ::close(fd_);
        }
        throw std::runtime_error("cannot connect to the broker on port " + std::to_string(port) + ": " + why);
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    mqtt::ConnectRequest request;
    request.client_id = client_id;
    request.clean_session = clean_session;
    request.keepalive_s = 3600;  // no run is that long, so no PINGREQ is ever due
    send(mqtt::encode_connect(request));
    auto ack = next(Clock::now() + 10s);
    if (!ack || !std::holds_alternative<mqtt::Connack>(*ack) ||
        std::get<mqtt::Connack>(*ack).return_code != 0) {
        ::close(fd_);
        throw std::runtime_error("broker refused client " + client_id);
    }
}

MqttLink::~MqttLink() {
    if (!closed_) {
        try {
            send(mqtt::encode_disconnect());
        } catch (const std::exception&) {
        }
    }
    ::close(fd_);
}

void MqttLink::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            closed_ = true;
            throw std::runtime_error(std::string("broker connection lost: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

std::optional<mqtt::BrokerPacket> MqttLink::buffered() {
    auto p = reader_.next();
    if (!p) {
        closed_ = true;
        throw std::runtime_error("broker sent a malformed packet: " + p.error().message);
    }
    return std::move(*p);
}

bool MqttLink::fill(Clock::time_point deadline) {
    while (!closed_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 200)));
        if (ready < 0 && errno != EINTR) {
            closed_ = true;
            return false;
        }
        if (ready <= 0) {
            continue;
        }
        std::array<char, 65536> chunk{};
        const ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            closed_ = true;
            return false;
        }
        reader_.feed(std::string_view(chunk.data(), static_cast<size_t>(n)));
        return true;
    }
    return false;
}

std::optional<mqtt::BrokerPacket> MqttLink::next(Clock::time_point deadline) {
    for (;;) {
        if (auto p = buffered()) {
            return p;
        }
        if (!fill(deadline)) {
            return std::nullopt;
        }
    }
}

void MqttLink::subscribe(const std::string& filter) {
    send(mqtt::encode_subscribe(1, filter, 1));
    const auto deadline = Clock::now() + 10s;
    while (auto p = next(deadline)) {
        if (const auto* ack = std::get_if<mqtt::Suback>(&*p)) {
            if (ack->granted.empty() || ack->granted.front() == 0x80) {
                throw std::runtime_error("broker refused the subscription to " + filter);
            }
            return;
        }
    }
    throw std::runtime_error("no SUBACK for " + filter);
}

void MqttLink::shut_down() {
    closed_ = true;
    ::shutdown(fd_, SHUT_RDWR);
}

// ---------------------------------------------------------------------------------------------------------

Publisher::Publisher(int port, const std::string& client_id, std::size_t window)
    : link_(port, client_id, true), window_(std::min<std::size_t>(window, 60000)) {
    reader_ = std::thread([this] { read_acks(); });
}

Publisher::~Publisher() {
    link_.shut_down();
    reader_.join();
}

uint16_t Publisher::next_id() {
    id_ = static_cast<uint16_t>(id_ % 65535 + 1);  // 0 is not a packet id (2.3.1)
    return id_;
}

void Publisher::read_acks() {
    while (!link_.closed()) {
        std::size_t acks = 0;
        try {
            while (auto p = link_.buffered()) {
                acks += std::holds_alternative<mqtt::Puback>(*p) ? 1U : 0U;
            }
        } catch (const std::exception&) {
            break;
        }
        if (acks > 0) {
            {
                std::lock_guard lock(mutex_);
                acked_ += acks;
            }
            changed_.notify_all();
        }
        link_.fill(Clock::now() + 1s);
    }
    changed_.notify_all();
}

bool Publisher::wait_for_room(std::size_t wanted, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] {
        return link_.closed() || sent_ + wanted <= acked_ + window_;
    }) && !link_.closed();
}

std::optional<Clock::time_point> Publisher::publish(std::string_view topic, std::string_view payload,
                                                    Clock::time_point deadline) {
    if (!wait_for_room(1, deadline)) {
        return std::nullopt;
    }
    const std::string packet = mqtt::encode_publish(topic, payload, 1, next_id());
    const auto at = Clock::now();
    {
        std::lock_guard lock(mutex_);
        ++sent_;
    }
    link_.send(packet);
    return at;
}

std::size_t Publisher::publish_flat_out(std::size_t count,
                                        const std::function<std::string(std::size_t)>& topic,
                                        const std::function<std::string(std::size_t)>& payload,
                                        std::vector<Clock::time_point>& sent, Clock::time_point deadline) {
    constexpr std::size_t kBatchBytes = 64 * 1024;
    sent.resize(count);
    std::size_t done = 0;
    std::string batch;
    while (done < count) {
        if (!wait_for_room(1, deadline)) {
            break;
        }
        std::size_t room = 0;
        {
            std::lock_guard lock(mutex_);
            room = acked_ + window_ - sent_;
        }
        batch.clear();
        const std::size_t first = done;
        while (done < count && room > 0 && batch.size() < kBatchBytes) {
            batch += mqtt::encode_publish(topic(done), payload(done), 1, next_id());
            ++done;
            --room;
        }
        const auto at = Clock::now();
        std::fill(sent.begin() + static_cast<std::ptrdiff_t>(first),
                  sent.begin() + static_cast<std::ptrdiff_t>(done), at);
        {
            std::lock_guard lock(mutex_);
            sent_ += done - first;
        }
        link_.send(batch);
    }
    return done;
}

bool Publisher::wait_acked(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return acked_ >= sent_ || link_.closed(); }) &&
           acked_ >= sent_;
}

// ---------------------------------------------------------------------------------------------------------

Subscriber::Subscriber(int port, const std::string& client_id, const std::string& filter, Handler on_message)
    : link_(port, client_id, false), on_message_(std::move(on_message)) {
    link_.subscribe(filter);
    reader_ = std::thread([this] { run(); });
}

Subscriber::~Subscriber() {
    link_.shut_down();
    reader_.join();
}

void Subscriber::run() {
    std::string acks;
    while (!link_.closed()) {
        if (!link_.fill(Clock::now() + 1s)) {
            continue;
        }
        const auto at = Clock::now();
        acks.clear();
        try {
            while (auto p = link_.buffered()) {
                if (const auto* m = std::get_if<mqtt::Publish>(&*p)) {
                    on_message_(*m, at);
                    ++received_;
                    if (m->qos > 0) {
                        acks += mqtt::encode_puback(m->packet_id);
                    }
                }
            }
            if (!acks.empty()) {
                link_.send(acks);
            }
        } catch (const std::exception&) {
            return;
        }
    }
}

}  // namespace packd::bench
