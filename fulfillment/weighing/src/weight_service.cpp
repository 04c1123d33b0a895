#include "packd/fulfillment/weighing/weight_service.hpp"

#include <boost/asio/post.hpp>
#include <string>
#include <vector>

namespace packd::fulfillment {

WeightService::WeightService(boost::asio::io_context& io, std::shared_ptr<drivers::Scale> scale,
                             StableWeightRules rules)
    : io_(io), scale_(std::move(scale)), detector_(rules) {
    scale_->on_reading([this, alive = std::weak_ptr<bool>(alive_)](const drivers::WeightReading& r) {
        if (alive.lock()) {
            on_reading(r);
        }
    });
}

WeightService::~WeightService() {
    *alive_ = false;
    scale_->on_reading(nullptr);
}

int WeightService::subscribe(ReadingHandler handler) {
    const int id = next_id_++;
    subscribers_[id] = std::move(handler);
    return id;
}

void WeightService::unsubscribe(int id) {
    subscribers_.erase(id);
}

void WeightService::on_reading(const drivers::WeightReading& reading) {
    stable_ = detector_.feed(reading, StableWeight::Clock::now());
    // A handler may unsubscribe itself or others; walk a copy of the ids.
    std::vector<int> ids;
    for (const auto& kv : subscribers_) {
        ids.push_back(kv.first);
    }
    for (const int id : ids) {
        auto it = subscribers_.find(id);
        if (it != subscribers_.end()) {
            it->second(reading);
        }
    }
    if (stable_) {
        while (!waiters_.empty()) {
            finish(waiters_.begin()->first, *stable_);
        }
    }
}

void WeightService::wait_for_stable(std::chrono::milliseconds timeout, StableHandler done) {
    if (stable_) {
        boost::asio::post(io_, [done = std::move(done), weight = *stable_] { done(weight); });
        return;
    }
    const int id = next_id_++;
    Waiter& waiter = waiters_[id];
    waiter.done = std::move(done);
    waiter.timer = std::make_unique<boost::asio::steady_timer>(io_, timeout);
    waiter.timer->async_wait([this, id, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || !alive.lock() || !waiters_.count(id)) {
            return;
        }
        std::string why = detector_.why_not();
        if (const auto last = scale_->last_reading(); last && last->valid) {
            why += " (last reading " + std::to_string(last->milligrams / 1000) + " g)";
        }
        finish(id, fail("no stable weight in time: " + why));
    });
}

void WeightService::finish(int id, Result<drivers::WeightReading> result) {
    auto waiter = waiters_.find(id);
    StableHandler done = std::move(waiter->second.done);
    waiters_.erase(waiter);
    done(std::move(result));
}

}  // namespace packd::fulfillment
