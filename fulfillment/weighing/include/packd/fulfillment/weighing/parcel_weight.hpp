#pragma once
// Does the parcel on the scale weigh what its order should? The items' catalogue weights plus the
// packaging, within a tolerance, against the stable weight. Pure: the station asks, and decides.

#include <cstdint>
#include <string>

#include "packd/drivers/scale.hpp"

namespace packd::fulfillment {

struct ParcelWeightRule {
    int64_t packaging_g = 0;    ///< box and filler added to the items' weight
    int64_t tolerance_g = 50;   ///< allowed difference at least this ...
    int tolerance_percent = 5;  ///< ... or this share of the expected weight, whichever is larger
};

struct ParcelWeightCheck {
    enum class Verdict {
        matches,
        too_light,         ///< an item missing?
        too_heavy,         ///< an extra item?
        no_expected,       ///< the items have no catalogue weight: nothing to compare with
        no_stable_weight,  ///< the reading is invalid or not stable
    };
    Verdict verdict = Verdict::no_stable_weight;
    int64_t expected_g = 0;
    int64_t measured_g = 0;
    int64_t allowed_g = 0;  ///< the tolerance that applied
    std::string reason;     ///< for the packer's screen and the alert topic; empty when it matches
};

/// `items_g` is the sum of unit weight times quantity over the order's lines; `weight` the stable
/// weight from the scale.
ParcelWeightCheck check_parcel_weight(int64_t items_g, const drivers::WeightReading& weight,
                                      const ParcelWeightRule& rule = {});

}  // namespace packd::fulfillment
