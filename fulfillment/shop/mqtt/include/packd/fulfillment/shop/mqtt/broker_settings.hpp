#pragma once
// How packd reaches the broker, and how it waits between attempts: shared by its own subscription
// (order_subscription.hpp) and the Paho session that publishes (shop/shop_link.hpp).

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <random>
#include <string>

namespace packd::fulfillment {

/// How to reach the broker.
struct BrokerSettings {
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string client_id;
    std::string username;
    std::string password;
    bool tls = false;
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    int keepalive_s = 30;
    std::chrono::milliseconds reconnect_min{500};
    std::chrono::milliseconds reconnect_max{30000};
    std::string shared_group;  ///< non-empty: subscribe as a member of this shared subscription
    std::size_t max_payload_bytes = 256 * 1024;
};

/// Exponential reconnect backoff with full jitter, from `min` doubling to `max`: each wait is between
/// half and all of the current step, so many boxes do not reconnect in lockstep after a broker restart.
class ReconnectBackoff {
  public:
    ReconnectBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
        : min_(min), max_(max), step_(min) {}
    /// The wait before the next attempt; the step after it doubles.
    std::chrono::milliseconds next() {
        std::uniform_int_distribution<long> spread(step_.count() / 2, step_.count());
        const std::chrono::milliseconds wait(spread(jitter_));
        step_ = std::min(step_ * 2, max_);
        return wait;
    }
    /// Connected: the next failure starts again from `min`.
    void reset() { step_ = min_; }

  private:
    std::chrono::milliseconds min_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds step_;
    std::mt19937 jitter_{std::random_device{}()};
};

}  // namespace packd::fulfillment
