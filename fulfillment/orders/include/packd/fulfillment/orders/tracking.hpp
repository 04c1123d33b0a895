#pragma once
// Tracking numbers packd allocates itself from ranges a carrier (or GS1) assigned to the site: SSCC-18,
// UPS-style 1Z numbers, and a prefix plus serial plus check digit for other carriers. A number is taken in a
// committed transaction before anything can print it, so it is never issued twice, not even across a crash.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/store/store.hpp"

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

/// Allocates tracking numbers from the store's tracking_ranges table.
class TrackingNumbers {
  public:
    TrackingNumbers(Store& store, Topics topics) : store_(store), topics_(std::move(topics)) {}

    /// Makes the store's ranges match the config: a new range is added; an existing one (same carrier,
    /// scheme and prefix) keeps its next serial and takes the new end and low-water mark. Never moves a
    /// range backwards, so a config edit cannot reissue numbers.
    Status sync(const std::vector<TrackingRange>& ranges);

    /// The next number for `carrier`, committed before it returns. Inside a caller's transaction
    /// (`in_transaction`), it commits with the caller's change instead, e.g. with the shipment that uses it.
    /// Writes a "tracking_range_low" alert to the outbox, once, when the range falls to its low-water mark.
    Result<std::string> allocate(const std::string& carrier, bool in_transaction = false);

    /// Serials left for the carrier across its ranges.
    int64_t remaining(const std::string& carrier);
    /// True when a range for the carrier is configured, used up or not.
    bool has_range(const std::string& carrier);

  private:
    Result<std::string> allocate_here(const std::string& carrier);

    Store& store_;
    Topics topics_;
};

}  // namespace packd::fulfillment
