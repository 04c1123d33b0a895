#pragma once
// The tracking numbers carriers (and GS1) let a site issue itself: SSCC-18, UPS-style 1Z numbers, and a
// prefix plus serial plus check digit for other carriers. Formats and check digits only; the allocator that
// takes numbers from the store is TrackingNumbers (orders/tracking.hpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

enum class TrackingScheme {
    Sscc,   ///< (00) SSCC-18: extension digit + GS1 company prefix (the prefix) + serial + GS1 check digit
    Ups1z,  ///< "1Z" + shipper number and service (the prefix, 8 characters) + 7-digit serial + check
    GenericMod10,  ///< prefix + serial + GS1 mod-10 check digit (weights 3,1 from the right) over the serial
    GenericMod11,  ///< prefix + 8-digit serial + UPU S10 mod-11 check digit (weights 8 6 4 2 3 5 9 7)
};

/// "sscc", "ups_1z", "generic_mod10", "generic_mod11", as the store and the config write them.
Result<TrackingScheme> parse_tracking_scheme(std::string_view name);
const char* to_string(TrackingScheme scheme);

/// One configured range: serials first..last for a carrier.
struct TrackingRange {
    std::string carrier;
    TrackingScheme scheme = TrackingScheme::GenericMod10;
    std::string prefix;
    int64_t first = 0;
    int64_t last = 0;
    int64_t low_water = 0;  ///< alert once this few or fewer serials are left
};

/// Checks the prefix and serial bounds fit the scheme ("SSCC prefix must be 8 to 11 digits ...").
Status validate(const TrackingRange& range);

/// The tracking number for `serial` in the range's scheme, check digit included.
std::string format_tracking_number(TrackingScheme scheme, std::string_view prefix, int64_t serial,
                                   int64_t last);

/// The check digits, exposed for tests and for checking scanned numbers.
int gs1_check_digit(std::string_view digits);   ///< over all digits, weights 3,1 from the right
int ups_check_digit(std::string_view fifteen);  ///< over the 15 characters after "1Z"
int s10_check_digit(std::string_view eight);    ///< UPU S10 over 8 serial digits

}  // namespace packd::fulfillment
