// The parcel weight check against the order's expected weight.

#include <gtest/gtest.h>

#include "packd/fulfillment/weighing/parcel_weight.hpp"

namespace packd::fulfillment {
namespace {

using Verdict = ParcelWeightCheck::Verdict;

drivers::WeightReading stable_mg(int64_t mg) {
    drivers::WeightReading r;
    r.milligrams = mg;
    r.stable = true;
    return r;
}

TEST(ParcelWeight, WithinTheLargerOfGramsAndPercent) {
    const ParcelWeightRule rule{150, 50, 5};
    // 2 x 500 g + 150 g box = 1150 g; 5 % is 57 g, more than 50 g.
    auto c = check_parcel_weight(1000, stable_mg(1'206'400), rule);
    EXPECT_EQ(c.verdict, Verdict::matches) << c.reason;
    EXPECT_EQ(c.expected_g, 1150);
    EXPECT_EQ(c.measured_g, 1206);
    EXPECT_EQ(c.allowed_g, 57);
    EXPECT_TRUE(c.reason.empty());
    c = check_parcel_weight(1000, stable_mg(1'208'000), rule);
    EXPECT_EQ(c.verdict, Verdict::too_heavy);
    EXPECT_EQ(c.reason, "parcel weighs 1208 g, expected 1150 g +/- 57 g (an extra item?)");
    c = check_parcel_weight(1000, stable_mg(650'000), rule);
    EXPECT_EQ(c.verdict, Verdict::too_light);
    // A light order: the gram floor applies.
    c = check_parcel_weight(100, stable_mg(149'000), {0, 50, 5});
    EXPECT_EQ(c.allowed_g, 50);
    EXPECT_EQ(c.verdict, Verdict::matches);
}

TEST(ParcelWeight, NoStableWeightOrNothingToCompare) {
    drivers::WeightReading moving = stable_mg(1000);
    moving.stable = false;
    EXPECT_EQ(check_parcel_weight(1000, moving).verdict, Verdict::no_stable_weight);
    drivers::WeightReading overload;
    overload.valid = false;
    overload.reason = "overload";
    const auto c = check_parcel_weight(1000, overload);
    EXPECT_EQ(c.verdict, Verdict::no_stable_weight);
    EXPECT_EQ(c.reason, "no valid weight: overload");
    EXPECT_EQ(check_parcel_weight(0, stable_mg(900'000)).verdict, Verdict::no_expected);
}

}  // namespace
}  // namespace packd::fulfillment
