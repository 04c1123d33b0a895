#pragma once
// Tracking numbers packd allocates itself from ranges a carrier (or GS1) assigned to the site: SSCC-18,
// UPS-style 1Z numbers, and a prefix plus serial plus check digit for other carriers. A number is taken in a
// committed transaction before anything can print it, so it is never issued twice, not even across a crash.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/barcodes/tracking_scheme.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

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
