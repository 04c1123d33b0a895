#pragma once
// The shop's ear: a persistent MQTT session (so the broker keeps what packd sends while the shop is away or
// the broker restarts) on everything packd publishes, recording each order status, shipment, return status
// and label and dead letter as it arrives. Delivery is at least once, so repeats are kept, not merged.

#include <mqtt/async_client.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace packd::soak {

struct ShopHeard {
    std::map<std::string, std::vector<std::string>> statuses;       ///< order id -> states, as they came
    std::map<std::string, std::vector<nlohmann::json>> shipments;   ///< order id -> shipment messages
    std::map<std::string, std::vector<std::string>> return_states;  ///< RMA -> states, as they came
    std::map<std::string, int> return_labels;                       ///< RMA -> label messages
    std::vector<std::string> dead_letters;                          ///< their reasons
    std::size_t messages = 0;
};

class ShopListener final : private mqtt::callback {
  public:
    /// `on_shipped` is called on Paho's thread with the order id of every shipment heard.
    ShopListener(const std::string& broker_uri, std::string topic_prefix,
                 std::function<void(const std::string&)> on_shipped);
    ~ShopListener() override;
    ShopListener(const ShopListener&) = delete;
    ShopListener& operator=(const ShopListener&) = delete;

    ShopHeard heard() const;
    std::size_t messages() const;

  private:
    void connected(const std::string&) override;
    void message_arrived(mqtt::const_message_ptr msg) override;

    mqtt::async_client client_;
    std::string prefix_;
    std::function<void(const std::string&)> on_shipped_;
    mutable std::mutex mutex_;
    ShopHeard heard_;
};

/// The retained stock levels the broker holds, SKU -> payload, read by a fresh session.
std::map<std::string, nlohmann::json> retained_stock(const std::string& broker_uri,
                                                     const std::string& topic_prefix);

}  // namespace packd::soak
