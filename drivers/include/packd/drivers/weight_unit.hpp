#pragma once
// Units scales report in, and the one conversion every scale codec shares: a decimal mantissa
// and exponent in some unit -> whole milligrams, with the range check that keeps typing errors
// and corrupt frames out of shipments.

#include <cstdint>
#include <optional>
#include <string_view>

#include "packd/common/result.hpp"

namespace packd::drivers {

/// The units of the USB HID Point of Sale usage table (page 0x8D, Weight Unit 0x50, selectors
/// 0x51-0x5C), in the order of their report values 1-12; other scales map onto the same set.
enum class WeightUnit : uint8_t {
    milligram = 1,
    gram = 2,
    kilogram = 3,
    carat = 4,
    tael = 5,
    grain = 6,
    pennyweight = 7,
    metric_ton = 8,
    avoir_ton = 9,
    troy_ounce = 10,
    ounce = 11,
    pound = 12,
};

/// The short name a packer reads on the display ("g", "kg", "oz", "lb", ...).
const char* to_string(WeightUnit unit);
/// "g", "kg", "mg", "oz", "lb", "lbs", "ozt", "ct", "gr", "dwt", "t", "tn", "tael" -> the unit.
std::optional<WeightUnit> parse_weight_unit(std::string_view text);

/// The largest weight any parcel scale reports: 1000 kg. A larger value is a corrupt frame.
inline constexpr int64_t kMaxParcelMilligrams = 1'000'000'000;

/// mantissa * 10^exponent units as milligrams, rounded to the nearest; an error when the value
/// is beyond kMaxParcelMilligrams or the exponent is outside -15..15.
Result<int64_t> to_milligrams(int64_t mantissa, int exponent, WeightUnit unit);

/// A decimal text such as "-12.345" or "+0.5" -> mantissa and exponent; nothing else accepted.
struct DecimalValue {
    int64_t mantissa = 0;
    int exponent = 0;
};
Result<DecimalValue> parse_decimal(std::string_view text);

}  // namespace packd::drivers
