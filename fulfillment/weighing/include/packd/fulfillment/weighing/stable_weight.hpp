#pragma once
// When is a parcel's weight settled? A run of readings that agree within a tolerance, long
// enough in count and in time. Pure: readings and the time they arrived go in, no clock inside.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "packd/drivers/scale.hpp"

namespace packd::fulfillment {

struct StableWeightRules {
    int min_readings = 3;                       ///< consecutive readings that agree
    std::chrono::milliseconds min_duration{0};  ///< ... and the time they span
    int64_t tolerance_mg = 2000;                ///< how far a reading may stray from the run's first
    bool trust_motion_flag = true;              ///< a reading the scale marks in motion breaks a run
};

/// Feeds readings in arrival order; says when the weight is stable and what it is.
class StableWeight {
  public:
    using Clock = std::chrono::steady_clock;

    explicit StableWeight(StableWeightRules rules = {}) : rules_(rules) {}

    /// The stable weight once the run is long enough (the mean of the run, rounded), otherwise
    /// nothing. An invalid reading or one out of tolerance starts the count again.
    std::optional<drivers::WeightReading> feed(const drivers::WeightReading& reading, Clock::time_point at);
    /// Forgets the run (the parcel was lifted, the scale reconnected).
    void reset();
    /// Why the weight is not stable yet, for an operator ("in motion", "2 of 3 readings agree").
    const std::string& why_not() const { return why_not_; }
    const StableWeightRules& rules() const { return rules_; }

  private:
    StableWeightRules rules_;
    int count_ = 0;
    int64_t first_mg_ = 0;
    int64_t sum_mg_ = 0;
    Clock::time_point started_{};
    std::string why_not_ = "no reading yet";
};

}  // namespace packd::fulfillment
