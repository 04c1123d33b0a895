#pragma once
// What the fault tests (several boxes, bridged sites, hostile input, overload, a stuck shop) share: a shop
// that remembers every message it hears, a shop that publishes a burst, a store file read beside the running
// packd (store_file.hpp), and a process's memory as the kernel counts it.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <sqlite3.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store_file.hpp"
#include "test_env.hpp"

namespace packd::test {

/// How a ShopEar connects: with `persistent`, a session the broker keeps (and fills) while the shop is away;
/// `reconnect` brings it back by itself after a broker restart.
struct EarOptions {
    bool persistent = false;
    bool reconnect = false;
};

/// A shop on the broker: every message under its filters, kept by topic.
class ShopEar {
  public:
    ShopEar(const std::string& uri, const std::string& client_id, std::vector<std::string> filters,
            EarOptions opt = {})
        : client_(uri, client_id, nullptr), filters_(std::move(filters)), opt_(opt) {
        client_.set_message_callback([this](mqtt::const_message_ptr m) {
            std::lock_guard lock(mutex_);
            heard_[m->get_topic()].push_back(m->get_payload_str());
            ++total_;
        });
        connect();
    }
    ~ShopEar() { disconnect(); }
    ShopEar(const ShopEar&) = delete;
    ShopEar& operator=(const ShopEar&) = delete;

    void connect() {
        auto options = mqtt::connect_options_builder()
                           .clean_session(!opt_.persistent)
                           .automatic_reconnect(opt_.reconnect)
                           .max_inflight(1000)
                           .finalize();
        client_.connect(options)->wait();
        for (const auto& f : filters_) {
            client_.subscribe(f, 1)->wait();
        }
    }
    void disconnect() {
        try {
            if (client_.is_connected()) {
                client_.disconnect()->wait();
            }
        } catch (const mqtt::exception&) {
        }
    }
    std::size_t total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }
    std::vector<std::string> on(const std::string& topic) const {
        std::lock_guard lock(mutex_);
        const auto it = heard_.find(topic);
        return it == heard_.end() ? std::vector<std::string>{} : it->second;
    }
    /// True once any message heard holds `text`.
    bool heard_text(const std::string& text) const {
        std::lock_guard lock(mutex_);
        for (const auto& [topic, payloads] : heard_) {
            for (const auto& p : payloads) {
                if (p.find(text) != std::string::npos) {
                    return true;
                }
            }
        }
        return false;
    }
    /// Topics heard that start with `prefix` and end with `suffix`.
    std::set<std::string> topics(const std::string& prefix, const std::string& suffix = "") const {
        std::set<std::string> out;
        std::lock_guard lock(mutex_);
        for (const auto& [topic, payloads] : heard_) {
            if (topic.rfind(prefix, 0) == 0 && topic.size() >= prefix.size() + suffix.size() &&
                topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) == 0) {
                out.insert(topic);
            }
        }
        return out;
    }
    /// The ids of the orders whose status this shop heard under `prefix` (`packd/v1/<site>/out/orders/`).
    std::set<std::string> orders_with_status(const std::string& prefix) const {
        std::set<std::string> ids;
        for (const auto& topic : topics(prefix, "/status")) {
            ids.insert(topic.substr(prefix.size(), topic.size() - prefix.size() - 7));
        }
        return ids;
    }

  private:
    mqtt::async_client client_;
    std::vector<std::string> filters_;
    EarOptions opt_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<std::string>> heard_;
    std::size_t total_ = 0;
};

/// A shop that publishes at QoS 1 with up to `window` messages on their way at once (at most 100: the Paho C
/// client buffers no more unsent messages by default); `published()` counts the ones the broker acknowledged.
class ShopMouth {
  public:
    ShopMouth(const std::string& uri, const std::string& client_id) : client_(uri, client_id, nullptr) {
        client_.connect(mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize())
            ->wait();
    }
    ~ShopMouth() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    ShopMouth(const ShopMouth&) = delete;
    ShopMouth& operator=(const ShopMouth&) = delete;

    /// Publishes `payload(i)` for i in [first, last) to `topic`; `pace` waits between messages.
    void burst(const std::string& topic, int first, int last, const std::function<std::string(int)>& payload,
               std::size_t window = 64, std::chrono::microseconds pace = std::chrono::microseconds(0)) {
        std::vector<mqtt::delivery_token_ptr> tokens;
        for (int i = first; i < last; ++i) {
            if (tokens.size() >= window) {
                tokens[tokens.size() - window]->wait();
                ++published_;
            }
            tokens.push_back(client_.publish(mqtt::make_message(topic, payload(i), 1, false)));
            if (pace.count() > 0) {
                std::this_thread::sleep_for(pace);
            }
        }
        const std::size_t waited = tokens.size() > window ? tokens.size() - window : 0;
        for (std::size_t k = waited; k < tokens.size(); ++k) {
            tokens[k]->wait();
            ++published_;
        }
    }
    int published() const { return published_; }

  private:
    mqtt::async_client client_;
    std::atomic<int> published_{0};
};

/// A line of /proc/PID/status in kB (VmHWM: the peak resident set; VmRSS: now); -1 once the process is gone.
inline int64_t proc_status_kb(pid_t pid, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            return std::stoll(line.substr(key.size() + 1));
        }
    }
    return -1;
}

/// The bound on packd's peak resident set (VmHWM, kB) in these tests. packd itself needs a few tens of MB
/// whatever its backlog; under the sanitizers shadow memory and the quarantine of freed blocks come on top,
/// about half a gigabyte here.
inline int64_t peak_rss_bound_kb() {
#ifdef PACKD_SANITIZED
    return 1024 * 1024;
#else
    return 200 * 1024;
#endif
}

/// `packctl --json status` of the packd in `dir`, or null when it did not answer.
inline nlohmann::json status_of(const std::string& packctl, const std::string& socket) {
    const RunResult r = run({packctl, "--socket", socket, "--json", "status"}, std::chrono::seconds(20));
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    if (r.code != 0 || !j.is_object() || !j.contains("status")) {
        return nullptr;
    }
    return j["status"];
}

}  // namespace packd::test
