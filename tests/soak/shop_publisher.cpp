#include "shop_publisher.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

namespace packd::soak {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {
/// An event without its PUBACK this long after it was sent is sent again.
constexpr auto kRetryAfter = 3s;
/// Sent this often at most; a broker away for longer than the soak's restarts is not the shop's problem.
constexpr int kMostAttempts = 40;

std::string numbered(const char* prefix, int n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%07d", prefix, n);
    return buf;
}
}  // namespace

ShopPublisher::ShopPublisher(const std::string& broker_uri, std::string topic_prefix, unsigned seed,
                             double rate)
    : client_(broker_uri, "soak-shop-out-" + std::to_string(::getpid()), nullptr),
      prefix_(std::move(topic_prefix)),
      random_(seed),
      interval_(std::chrono::nanoseconds(static_cast<int64_t>(1e9 / rate))) {
    client_
        .connect(mqtt::connect_options_builder()
                     .clean_session(true)
                     .max_inflight(1000)
                     .automatic_reconnect(1s, 2s)
                     .keep_alive_interval(5s)
                     .finalize())
        ->wait();
}

ShopPublisher::~ShopPublisher() {
    try {
        client_.disconnect()->wait_for(5s);
    } catch (const mqtt::exception&) {
    }
}

std::vector<ShopEvent> ShopPublisher::events() const {
    std::lock_guard lock(mutex_);
    return {events_.begin(), events_.end()};
}

std::size_t ShopPublisher::published() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

std::vector<std::string> ShopPublisher::acked_ids() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const ShopEvent& e : events_) {
        if (e.acked) {
            out.push_back(e.event_id);
        }
    }
    return out;
}

void ShopPublisher::shipped(const std::string& order_id) {
    std::lock_guard lock(mutex_);
    if (returned_.insert(order_id).second) {
        shipped_.push_back(order_id);
    }
}

void ShopPublisher::on_success(const mqtt::token& tok) {
    const auto index = reinterpret_cast<std::size_t>(tok.get_user_context());
    std::lock_guard lock(mutex_);
    if (index < events_.size()) {
        events_[index].acked = true;
        unacked_.erase(index);
    }
}

void ShopPublisher::run(const std::atomic<bool>& stop) {
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
        next += interval_;
        publish_new();
        retry_due(std::chrono::steady_clock::now());
        std::this_thread::sleep_until(next);
    }
}

void ShopPublisher::finish(std::chrono::seconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex_);
            if (unacked_.empty()) {
                return;
            }
        }
        retry_due(std::chrono::steady_clock::now());
        std::this_thread::sleep_for(100ms);
    }
}

void ShopPublisher::publish_new() {
    std::size_t index = 0;
    {
        std::lock_guard lock(mutex_);
        const int pick = std::uniform_int_distribution<int>(0, 99)(random_);
        ShopEvent e;
        // Mostly orders; stock corrections keep the posters coming; a few cancels and returns.
        bool made = false;
        if (pick < 8) {
            e = make_stock();
            made = true;
        } else if (pick < 11) {
            made = make_cancel(e);
        } else if (pick < 14) {
            made = make_return_request(e);
        } else if (pick < 17) {
            made = make_return_approval(e);
        }
        if (!made) {
            e = make_order();
        }
        index = add(std::move(e));
    }
    send(index);
}

void ShopPublisher::retry_due(std::chrono::steady_clock::time_point now) {
    std::vector<std::size_t> due;
    {
        std::lock_guard lock(mutex_);
        for (const std::size_t i : unacked_) {
            const ShopEvent& e = events_[i];
            if (e.attempts < kMostAttempts && now - e.last_try >= kRetryAfter) {
                due.push_back(i);
            }
        }
    }
    for (const std::size_t i : due) {
        send(i);
    }
}

std::size_t ShopPublisher::add(ShopEvent event) {
    events_.push_back(std::move(event));
    const std::size_t index = events_.size() - 1;
    unacked_.insert(index);
    if (events_.back().kind == ShopEvent::Kind::order) {
        orders_.push_back(index);
    } else if (events_.back().kind == ShopEvent::Kind::return_request) {
        requests_.push_back(index);
    }
    return index;
}

void ShopPublisher::send(std::size_t index) {
    mqtt::message_ptr msg;
    {
        std::lock_guard lock(mutex_);
        ShopEvent& e = events_[index];
        ++e.attempts;
        e.last_try = std::chrono::steady_clock::now();
        msg = mqtt::make_message(e.topic, e.payload, 1, false);
    }
    // Not under the lock: Paho may call on_success on its own thread before publish returns.
    try {
        client_.publish(msg, reinterpret_cast<void*>(index), *this);
    } catch (const mqtt::exception&) {
        // not connected (the broker is restarting): sent again after kRetryAfter
    }
}

ShopEvent ShopPublisher::make_order() {
    ShopEvent e;
    e.kind = ShopEvent::Kind::order;
    e.key = numbered("SK", next_order_++);
    e.event_id = "o-" + e.key;
    e.topic = prefix_ + "in/orders";
    const int sku_pick = std::uniform_int_distribution<int>(0, 99)(random_);
    const int second = std::uniform_int_distribution<int>(0, 99)(random_);
    const auto quantity = [this] { return std::uniform_int_distribution<int>(1, 2)(random_); };
    if (sku_pick < 4) {
        e.lines.emplace_back("POSTER-A2", 1);
    } else {
        e.lines.emplace_back(sku_pick < 64 ? "MUG-RED" : "TEE-BLK-L", quantity());
        if (second < 20) {
            e.lines.emplace_back(e.lines.front().first == "MUG-RED" ? "TEE-BLK-L" : "MUG-RED", quantity());
        }
    }
    json lines = json::array();
    for (const auto& [sku, qty] : e.lines) {
        lines.push_back({{"sku", sku}, {"quantity", qty}});
    }
    e.payload = json{
        {"event_id", e.event_id},
        {"type", "order.created"},
        {"order",
         {{"id", e.key},
          {"carrier", "UPS"},
          {"service", "Ground"},
          {"ship_to",
           {{"name", "Customer " + e.key},
            {"street1", "Soak Street 1"},
            {"city", "Cologne"},
            {"postal_code", "50667"},
            {"country", "DE"}}},
          {"lines",
           lines}}}}.dump();
    return e;
}

ShopEvent ShopPublisher::make_stock() {
    ShopEvent e;
    e.kind = ShopEvent::Kind::stock;
    e.event_id = numbered("st-", next_stock_++);
    e.key = e.event_id;
    e.topic = prefix_ + "in/stock";
    const int pick = std::uniform_int_distribution<int>(0, 99)(random_);
    const int delta = std::uniform_int_distribution<int>(1, 3)(random_);
    const char* sku = pick < 40 ? "POSTER-A2" : pick < 70 ? "MUG-RED" : "TEE-BLK-L";
    const char* location = pick < 40 ? "RECEIVING" : pick < 70 ? "A-01-01" : "A-01-02";
    e.payload = json{{"event_id", e.event_id}, {"type", "stock.adjusted"}, {"sku", sku},
                     {"location", location},   {"delta", delta},           {"reason", "receive"}}
                    .dump();
    return e;
}

bool ShopPublisher::make_cancel(ShopEvent& out) {
    // One of the latest orders the broker took: the packer works from the oldest, so most cancels meet an
    // order nobody is packing, and some meet a held one.
    for (int tries = 0; tries < 5 && !orders_.empty(); ++tries) {
        const std::size_t back = std::min<std::size_t>(orders_.size(), 30);
        const std::size_t index =
            orders_[orders_.size() - 1 - std::uniform_int_distribution<std::size_t>(0, back - 1)(random_)];
        const ShopEvent& order = events_[index];
        if (!order.acked || cancelled_.count(order.key) != 0) {
            continue;
        }
        cancelled_.insert(order.key);
        out.kind = ShopEvent::Kind::cancel;
        out.key = order.key;
        out.event_id = "c-" + order.key;
        out.topic = prefix_ + "in/orders";
        out.payload =
            json{{"event_id", out.event_id}, {"type", "order.cancelled"}, {"order", {{"id", order.key}}}}
                .dump();
        return true;
    }
    return false;
}

bool ShopPublisher::make_return_request(ShopEvent& out) {
    if (shipped_.empty()) {
        return false;
    }
    const std::string order_id = shipped_.front();
    shipped_.pop_front();
    std::string sku;
    for (const std::size_t i : orders_) {
        if (events_[i].key == order_id) {
            sku = events_[i].lines.front().first;
            break;
        }
    }
    if (sku.empty()) {
        return false;
    }
    out.kind = ShopEvent::Kind::return_request;
    out.key = "RMA-" + order_id;
    out.event_id = "rr-" + order_id;
    out.topic = prefix_ + "in/returns";
    out.lines.emplace_back(sku, 1);
    out.payload = json{{"event_id", out.event_id},
                       {"type", "return.requested"},
                       {"rma", out.key},
                       {"order_id", order_id},
                       {"lines", {{{"sku", sku}, {"quantity", 1}}}}}
                      .dump();
    return true;
}

bool ShopPublisher::make_return_approval(ShopEvent& out) {
    // Only once the broker took the request: then packd gets the request first.
    if (requests_.empty() || !events_[requests_.front()].acked) {
        return false;
    }
    const ShopEvent& request = events_[requests_.front()];
    requests_.pop_front();
    out.kind = ShopEvent::Kind::return_approval;
    out.key = request.key;
    out.event_id = "ra-" + request.key.substr(4);
    out.topic = prefix_ + "in/returns";
    out.payload = json{{"event_id", out.event_id},
                       {"type", "return.approved"},
                       {"rma", out.key},
                       {"carrier", "DHL"},
                       {"tracking_number", "JJD" + request.key.substr(6)}}
                      .dump();
    return true;
}

}  // namespace packd::soak
