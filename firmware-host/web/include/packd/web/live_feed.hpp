#pragma once
// Server-sent event streams by channel ("station/pack1", "devices"): a screen subscribes to one, and each
// event published on it is framed once and queued to every open stream. A stream whose browser stopped
// reading is dropped rather than buffered without end; the browser reconnects and starts from a fresh
// snapshot, so it never shows old data as live.

#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace packd::web {

class LiveFeed {
  public:
    /// One open event stream.
    class Subscriber {
      public:
        virtual ~Subscriber() = default;
        /// Queues a frame; a subscriber that cannot keep up closes itself.
        virtual void send(std::shared_ptr<const std::string> frame) = 0;
    };

    /// `subscriber` receives what is published on `channel` until it is destroyed.
    void add(const std::string& channel, std::weak_ptr<Subscriber> subscriber);
    /// How many open streams watch `channel` (closed ones are forgotten here).
    std::size_t watchers(const std::string& channel);
    /// Every channel with at least one open stream.
    std::vector<std::string> channels();
    /// Sends `data` as event `event` to the channel's streams; true when anyone was watching.
    bool publish(const std::string& channel, std::string_view event, const nlohmann::json& data);
    /// A "heartbeat" event to every stream, so a page that saw nothing else knows it is still live.
    void heartbeat();

    /// "event: E\ndata: {...}\n\n". The JSON is dumped compact, so it never holds a raw line break.
    static std::string frame(std::string_view event, const nlohmann::json& data);

  private:
    void prune(const std::string& channel);
    std::map<std::string, std::vector<std::weak_ptr<Subscriber>>> channels_;
};

}  // namespace packd::web
