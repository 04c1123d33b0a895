#include "shop_listener.hpp"

#include <unistd.h>

#include <thread>

namespace packd::soak {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {
bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

ShopListener::ShopListener(const std::string& broker_uri, std::string topic_prefix,
                           std::function<void(const std::string&)> on_shipped)
    : client_(broker_uri, "soak-shop-in-" + std::to_string(::getpid()), nullptr),
      prefix_(std::move(topic_prefix)),
      on_shipped_(std::move(on_shipped)) {
    client_.set_callback(*this);
    // A persistent session: what packd sends while the broker restarts or this client reconnects waits for
    // it.
    client_
        .connect(mqtt::connect_options_builder()
                     .clean_session(false)
                     .automatic_reconnect(1s, 2s)
                     .keep_alive_interval(5s)
                     .max_inflight(1000)
                     .finalize())
        ->wait();
    client_.subscribe(prefix_ + "out/#", 1)->wait();
}

ShopListener::~ShopListener() {
    try {
        client_.disconnect()->wait_for(5s);
    } catch (const mqtt::exception&) {
    }
}

void ShopListener::connected(const std::string&) {
    // The broker keeps the subscription with the session; asking again costs nothing and covers a broker
    // that lost it.
    try {
        client_.subscribe(prefix_ + "out/#", 1);
    } catch (const mqtt::exception&) {
    }
}

void ShopListener::message_arrived(mqtt::const_message_ptr msg) {
    const std::string& topic = msg->get_topic();
    if (!starts_with(topic, prefix_ + "out/")) {
        return;
    }
    const std::string rest = topic.substr(prefix_.size() + 4);
    const json body = json::parse(msg->get_payload_str(), nullptr, false);
    std::string shipped;
    {
        std::lock_guard lock(mutex_);
        ++heard_.messages;
        if (!body.is_object()) {
            heard_.dead_letters.push_back("the shop could not read a message on " + topic);
            return;
        }
        if (starts_with(rest, "orders/") && ends_with(rest, "/status")) {
            heard_.statuses[body.value("order_id", "")].push_back(body.value("state", ""));
        } else if (rest == "shipments") {
            shipped = body.value("order_id", "");
            heard_.shipments[shipped].push_back(body);
        } else if (starts_with(rest, "returns/") && ends_with(rest, "/status")) {
            heard_.return_states[body.value("rma", "")].push_back(body.value("state", ""));
        } else if (starts_with(rest, "returns/") && ends_with(rest, "/label")) {
            ++heard_.return_labels[body.value("rma", "")];
        } else if (rest == "dead-letter") {
            heard_.dead_letters.push_back(body.value("reason", ""));
        }
    }
    if (!shipped.empty() && on_shipped_) {
        on_shipped_(shipped);
    }
}

ShopHeard ShopListener::heard() const {
    std::lock_guard lock(mutex_);
    return heard_;
}

std::size_t ShopListener::messages() const {
    std::lock_guard lock(mutex_);
    return heard_.messages;
}

std::map<std::string, json> retained_stock(const std::string& broker_uri, const std::string& topic_prefix) {
    mqtt::async_client client(broker_uri, "soak-stock-" + std::to_string(::getpid()), nullptr);
    std::mutex mutex;
    std::map<std::string, json> levels;
    auto last = std::chrono::steady_clock::now();
    client.set_message_callback([&](mqtt::const_message_ptr msg) {
        if (!msg->is_retained()) {
            return;
        }
        const json body = json::parse(msg->get_payload_str(), nullptr, false);
        std::lock_guard lock(mutex);
        levels[body.is_object() ? body.value("sku", msg->get_topic()) : msg->get_topic()] = body;
        last = std::chrono::steady_clock::now();
    });
    client.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    client.subscribe(topic_prefix + "out/stock/#", 1)->wait();
    // Retained messages come at once after the subscription; two quiet seconds mean they are all in.
    for (;;) {
        std::this_thread::sleep_for(200ms);
        std::lock_guard lock(mutex);
        if (std::chrono::steady_clock::now() - last > 2s) {
            break;
        }
    }
    client.disconnect()->wait();
    std::lock_guard lock(mutex);
    return levels;
}

}  // namespace packd::soak
