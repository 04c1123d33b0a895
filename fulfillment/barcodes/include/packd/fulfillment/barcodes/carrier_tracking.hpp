#pragma once
// The tracking numbers other carriers print on the parcel and return labels that reach a pack station:
// UPS 1Z, UPU S10 postal items, FedEx (Express 12, Ground 15, the Ground 96 and 34-digit barcodes), USPS
// IMpb (with or without its "420" + ZIP routing prefix), DHL Express and DHL eCommerce. Shapes and check
// digits only: which order a number belongs to is the order book's question. The numbers packd issues
// itself are tracking_scheme.hpp's.

#include <optional>
#include <string>
#include <string_view>

namespace packd::fulfillment {

/// A code read as one carrier's tracking number. `check_ok` false means the code has that carrier's shape
/// but its check digit is wrong: a misread or mistyped number, not some other kind of code.
struct CarrierNumber {
    std::string carrier;  ///< "UPS", "USPS", "FedEx", "DHL Express", "DHL eCommerce", "UPU S10"
    std::string scheme;   ///< the numbering scheme, named after its carrier: "FedEx Express 12", "USPS IMpb"
    std::string number;   ///< the tracking number itself: routing prefix and other barcode data taken off
    std::string postal_code;  ///< USPS: the destination ZIP code (5 or 9 digits) of a "420" routing prefix
    bool check_ok = false;    ///< the check digit holds (true for a scheme that has none)
    bool has_check_digit = true;  ///< false for DHL eCommerce numbers, which carry none
    std::string reason;           ///< when !check_ok: the carrier and the check that failed, in words
};

/// The carrier number `code` (as scanned, without an AIM symbology identifier) is shaped like, or nullopt
/// when it has no carrier's shape. Where a code has more than one carrier's shape, the first whose check
/// digit holds wins; when none holds, the first shape, with the reason its check failed.
std::optional<CarrierNumber> carrier_number(std::string_view code);

/// The FedEx Express check digit over the 11 digits before it: weights 1, 3, 7 repeating from the
/// rightmost digit leftwards, the sum modulo 11, a remainder of 10 giving 0.
int fedex_express_check_digit(std::string_view eleven);

/// The DHL Express check digit over the 9 digits before it: that number modulo 7.
int dhl_express_check_digit(std::string_view nine);

}  // namespace packd::fulfillment
