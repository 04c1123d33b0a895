#include "packd/drivers/weight_unit.hpp"

#include <array>
#include <cmath>
#include <string>

namespace packd::drivers {
namespace {

// Milligrams per unit. Avoirdupois and troy values are exact by definition (International Yard
// and Pound Agreement, 1959); the tael is the Hong Kong tael (37.799 364 167 g), as scales
// built for that market use it.
constexpr std::array<double, 13> kMilligramsPerUnit = {
    0,               // (unused)
    1,               // milligram
    1'000,           // gram
    1'000'000,       // kilogram
    200,             // carat (metric)
    37'799.364'167,  // tael
    64.798'91,       // grain
    1'555.173'84,    // pennyweight
    1'000'000'000,   // metric ton
    907'184'740,     // short (avoirdupois) ton
    31'103.476'8,    // troy ounce
    28'349.523'125,  // ounce
    453'592.37,      // pound
};

}  // namespace

const char* to_string(WeightUnit unit) {
    switch (unit) {
        case WeightUnit::milligram:
            return "mg";
        case WeightUnit::gram:
            return "g";
        case WeightUnit::kilogram:
            return "kg";
        case WeightUnit::carat:
            return "ct";
        case WeightUnit::tael:
            return "tael";
        case WeightUnit::grain:
            return "gr";
        case WeightUnit::pennyweight:
            return "dwt";
        case WeightUnit::metric_ton:
            return "t";
        case WeightUnit::avoir_ton:
            return "tn";
        case WeightUnit::troy_ounce:
            return "ozt";
        case WeightUnit::ounce:
            return "oz";
        case WeightUnit::pound:
            return "lb";
    }
    return "?";
}

std::optional<WeightUnit> parse_weight_unit(std::string_view text) {
    struct Name {
        std::string_view text;
        WeightUnit unit;
    };
    static constexpr Name kNames[] = {
        {"mg", WeightUnit::milligram},    {"g", WeightUnit::gram},       {"kg", WeightUnit::kilogram},
        {"ct", WeightUnit::carat},        {"tael", WeightUnit::tael},    {"gr", WeightUnit::grain},
        {"dwt", WeightUnit::pennyweight}, {"t", WeightUnit::metric_ton}, {"tn", WeightUnit::avoir_ton},
        {"ozt", WeightUnit::troy_ounce},  {"oz", WeightUnit::ounce},     {"lb", WeightUnit::pound},
        {"lbs", WeightUnit::pound},
    };
    for (const Name& n : kNames) {
        if (n.text == text) {
            return n.unit;
        }
    }
    return std::nullopt;
}

Result<int64_t> to_milligrams(int64_t mantissa, int exponent, WeightUnit unit) {
    const auto index = static_cast<size_t>(unit);
    if (index == 0 || index >= kMilligramsPerUnit.size()) {
        return fail("unknown weight unit " + std::to_string(index));
    }
    if (exponent < -15 || exponent > 15) {
        return fail("weight exponent " + std::to_string(exponent) + " out of range (-15..15)");
    }
    const double mg = static_cast<double>(mantissa) * std::pow(10.0, exponent) * kMilligramsPerUnit[index];
    if (!std::isfinite(mg) || std::fabs(mg) > static_cast<double>(kMaxParcelMilligrams)) {
        return fail("weight out of range (more than 1000 kg)");
    }
    return static_cast<int64_t>(std::llround(mg));
}

Result<DecimalValue> parse_decimal(std::string_view text) {
    DecimalValue v;
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    bool seen_point = false;
    int digits = 0;
    for (const char c : text) {
        if (c == '.' && !seen_point) {
            seen_point = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return fail("not a decimal number");
        }
        if (++digits > 15) {
            return fail("more than 15 digits");
        }
        v.mantissa = v.mantissa * 10 + (c - '0');
        if (seen_point) {
            --v.exponent;
        }
    }
    if (digits == 0) {
        return fail("no digits");
    }
    if (negative) {
        v.mantissa = -v.mantissa;
    }
    return v;
}

}  // namespace packd::drivers
