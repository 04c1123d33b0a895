#include "packd/web/live_feed.hpp"

#include <algorithm>

namespace packd::web {

void LiveFeed::add(const std::string& channel, std::weak_ptr<Subscriber> subscriber) {
    prune(channel);
    channels_[channel].push_back(std::move(subscriber));
}

void LiveFeed::prune(const std::string& channel) {
    const auto it = channels_.find(channel);
    if (it == channels_.end()) {
        return;
    }
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(), [](const auto& w) { return w.expired(); }),
               list.end());
    if (list.empty()) {
        channels_.erase(it);
    }
}

std::size_t LiveFeed::watchers(const std::string& channel) {
    prune(channel);
    const auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.size();
}

std::vector<std::string> LiveFeed::channels() {
    std::vector<std::string> names;
    for (const auto& [name, unused] : channels_) {
        names.push_back(name);
    }
    std::vector<std::string> open;
    for (const std::string& name : names) {
        if (watchers(name) > 0) {
            open.push_back(name);
        }
    }
    return open;
}

std::string LiveFeed::frame(std::string_view event, const nlohmann::json& data) {
    std::string out = "event: ";
    out += event;
    out += "\ndata: ";
    out += data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += "\n\n";
    return out;
}

bool LiveFeed::publish(const std::string& channel, std::string_view event, const nlohmann::json& data) {
    prune(channel);
    const auto it = channels_.find(channel);
    if (it == channels_.end()) {
        return false;
    }
    auto shared = std::make_shared<const std::string>(frame(event, data));
    // A send may close its stream and so change the list: send to a copy.
    const std::vector<std::weak_ptr<Subscriber>> targets = it->second;
    for (const auto& weak : targets) {
        if (auto s = weak.lock()) {
            s->send(shared);
        }
    }
    return true;
}

void LiveFeed::heartbeat() {
    // An event, not a comment: a page hears it, and knows its stream is alive while nothing changes.
    auto beat = std::make_shared<const std::string>(frame("heartbeat", nlohmann::json::object()));
    for (const std::string& name : channels()) {
        const std::vector<std::weak_ptr<Subscriber>> targets = channels_[name];
        for (const auto& weak : targets) {
            if (auto s = weak.lock()) {
                s->send(beat);
            }
        }
    }
}

}  // namespace packd::web
