#include "packd/fulfillment/weighing/parcel_weight.hpp"

#include <algorithm>
#include <cstdlib>

namespace packd::fulfillment {
namespace {

// Grams rounded to the nearest, as the scale display shows them.
int64_t whole_grams(int64_t mg) {
    return mg >= 0 ? (mg + 500) / 1000 : -((-mg + 500) / 1000);
}

}  // namespace

ParcelWeightCheck check_parcel_weight(int64_t items_g, const drivers::WeightReading& weight,
                                      const ParcelWeightRule& rule) {
    using Verdict = ParcelWeightCheck::Verdict;
    ParcelWeightCheck c;
    c.expected_g = items_g > 0 ? items_g + rule.packaging_g : 0;
    if (!weight.valid || !weight.stable) {
        c.verdict = Verdict::no_stable_weight;
        c.reason = weight.valid ? "the weight is not stable yet" : "no valid weight: " + weight.reason;
        return c;
    }
    c.measured_g = whole_grams(weight.milligrams);
    if (items_g <= 0) {
        c.verdict = Verdict::no_expected;
        c.reason = "the order's items have no catalogue weight to compare with";
        return c;
    }
    c.allowed_g = std::max(rule.tolerance_g, c.expected_g * rule.tolerance_percent / 100);
    const int64_t difference = c.measured_g - c.expected_g;
    if (std::llabs(difference) <= c.allowed_g) {
        c.verdict = Verdict::matches;
        return c;
    }
    c.verdict = difference < 0 ? Verdict::too_light : Verdict::too_heavy;
    c.reason = "parcel weighs " + std::to_string(c.measured_g) + " g, expected " +
               std::to_string(c.expected_g) + " g +/- " + std::to_string(c.allowed_g) + " g (" +
               (difference < 0 ? "an item missing?" : "an extra item?") + ")";
    return c;
}

}  // namespace packd::fulfillment
