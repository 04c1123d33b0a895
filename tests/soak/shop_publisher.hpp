#pragma once
// The shop: publishes orders, cancels, stock corrections and returns at a steady rate at QoS 1, counts what
// the broker acknowledged (PUBACK), and sends again, under the same event id, what it did not, as a shop's
// bridge retries. packd must apply each event once however often it comes.

#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace packd::soak {

struct ShopEvent {
    enum class Kind { order, cancel, stock, return_request, return_approval };
    Kind kind;
    std::string event_id;
    std::string topic;
    std::string payload;
    std::string key;  ///< the order id (order, cancel), the event id (stock) or the RMA (returns)
    std::vector<std::pair<std::string, int>> lines;  ///< an order's SKUs and quantities
    int attempts = 0;
    bool acked = false;
    std::chrono::steady_clock::time_point last_try{};
};

class ShopPublisher final : private mqtt::iaction_listener {
  public:
    ShopPublisher(const std::string& broker_uri, std::string topic_prefix, unsigned seed, double rate);
    ~ShopPublisher() override;
    ShopPublisher(const ShopPublisher&) = delete;
    ShopPublisher& operator=(const ShopPublisher&) = delete;

    /// Publishes new events at the rate and retries unacknowledged ones until `stop`.
    void run(const std::atomic<bool>& stop);
    /// Retries what is still unacknowledged until all of it is, or `within` has passed.
    void finish(std::chrono::seconds within);
    /// The shop heard that this order shipped: it may now be returned.
    void shipped(const std::string& order_id);

    std::vector<ShopEvent> events() const;
    std::size_t published() const;
    /// The event ids the broker acknowledged.
    std::vector<std::string> acked_ids() const;

  private:
    void on_success(const mqtt::token& tok) override;
    void on_failure(const mqtt::token&) override {}
    void publish_new();
    void retry_due(std::chrono::steady_clock::time_point now);
    void send(std::size_t index);
    std::size_t add(ShopEvent event);
    ShopEvent make_order();
    ShopEvent make_stock();
    bool make_cancel(ShopEvent& out);
    bool make_return_request(ShopEvent& out);
    bool make_return_approval(ShopEvent& out);

    mqtt::async_client client_;
    std::string prefix_;
    std::mt19937 random_;
    std::chrono::nanoseconds interval_;
    mutable std::mutex mutex_;
    std::deque<ShopEvent> events_;
    std::set<std::size_t> unacked_;
    std::vector<std::size_t> orders_;  ///< indices of order events, for cancels
    std::set<std::string> cancelled_;
    std::deque<std::string> shipped_;  ///< heard shipped, not yet returned
    std::set<std::string> returned_;
    std::deque<std::size_t> requests_;  ///< return requests waiting for their approval
    int next_order_ = 1;
    int next_stock_ = 1;
};

}  // namespace packd::soak
