#include "packd/fulfillment/weighing/stable_weight.hpp"

#include <cstdlib>
#include <string>

namespace packd::fulfillment {

void StableWeight::reset() {
    count_ = 0;
    sum_mg_ = 0;
    why_not_ = "no reading yet";
}

std::optional<drivers::WeightReading> StableWeight::feed(const drivers::WeightReading& reading,
                                                         Clock::time_point at) {
    if (!reading.valid) {
        reset();
        why_not_ = reading.reason.empty() ? "invalid reading" : reading.reason;
        return std::nullopt;
    }
    if (rules_.trust_motion_flag && !reading.stable) {
        reset();
        why_not_ = "in motion";
        return std::nullopt;
    }
    // Compared with the run's first reading, not the previous one, so that a slow drift (a
    // parcel sliding off the edge) cannot creep through one tolerance step at a time.
    if (count_ == 0 || std::llabs(reading.milligrams - first_mg_) > rules_.tolerance_mg) {
        count_ = 0;
        sum_mg_ = 0;
        first_mg_ = reading.milligrams;
        started_ = at;
    }
    // The mean needs only so many readings; capping the run keeps the sum far from overflow
    // however long a parcel sits on the pan.
    if (count_ < 1'000'000) {
        ++count_;
        sum_mg_ += reading.milligrams;
    }
    const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(at - started_);
    if (count_ < rules_.min_readings || span < rules_.min_duration) {
        why_not_ = "settling: " + std::to_string(count_) + " of " + std::to_string(rules_.min_readings) +
                   " readings agree over " + std::to_string(span.count()) + " of " +
                   std::to_string(rules_.min_duration.count()) + " ms";
        return std::nullopt;
    }
    why_not_.clear();
    drivers::WeightReading stable;
    const int64_t half = count_ / 2;
    stable.milligrams = (sum_mg_ >= 0 ? sum_mg_ + half : sum_mg_ - half) / count_;
    stable.stable = true;
    return stable;
}

}  // namespace packd::fulfillment
