#pragma once
// One scale as a station uses it: the live weight stream, the stable weight, and "wait until the
// parcel's weight is stable, or tell me why not within this time".

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "packd/common/result.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/fulfillment/weighing/stable_weight.hpp"

namespace packd::fulfillment {

/// Owns the scale's reading handler and hands readings on; runs on the io_context.
class WeightService {
  public:
    using ReadingHandler = std::function<void(const drivers::WeightReading&)>;
    using StableHandler = std::function<void(Result<drivers::WeightReading>)>;

    WeightService(boost::asio::io_context& io, std::shared_ptr<drivers::Scale> scale,
                  StableWeightRules rules = {});
    ~WeightService();
    WeightService(const WeightService&) = delete;
    WeightService& operator=(const WeightService&) = delete;

    /// Every reading, valid or not, as it arrives. Returns an id for `unsubscribe`.
    int subscribe(ReadingHandler handler);
    void unsubscribe(int id);
    /// Calls `done` once: with the stable weight as soon as there is one (at once when the weight
    /// is stable already), or with the reason it is not after `timeout`.
    void wait_for_stable(std::chrono::milliseconds timeout, StableHandler done);
    /// The stable weight now, if the last readings make one.
    const std::optional<drivers::WeightReading>& stable() const { return stable_; }
    std::optional<drivers::WeightReading> last_reading() const { return scale_->last_reading(); }
    /// Why there is no stable weight now.
    const std::string& why_not_stable() const { return detector_.why_not(); }
    drivers::Scale& scale() { return *scale_; }

  private:
    struct Waiter {
        StableHandler done;
        std::unique_ptr<boost::asio::steady_timer> timer;
    };
    void on_reading(const drivers::WeightReading& reading);
    void finish(int waiter, Result<drivers::WeightReading> result);

    boost::asio::io_context& io_;
    std::shared_ptr<drivers::Scale> scale_;
    StableWeight detector_;
    std::optional<drivers::WeightReading> stable_;
    std::map<int, ReadingHandler> subscribers_;
    int next_id_ = 1;
    std::map<int, Waiter> waiters_;  ///< by id: a timer that already fired finds its waiter gone
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
