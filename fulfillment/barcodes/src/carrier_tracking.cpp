// Carrier tracking numbers as printed on parcel and return labels. One reader per scheme; each says whether
// a code has its shape and, if so, whether its check digit holds. Sources, scheme by scheme (the example
// numbers in tests/unit/barcodes/carrier_tracking_test.cpp are the ones in public circulation for each):
// - UPS 1Z: the modified mod 10 UPS publishes with its tracking number ranges (letters as (code - 63) mod
//   10, odd positions once, even positions twice); ups_check_digit in tracking_scheme.cpp.
// - UPU S10: UPU standard S10 (two letters, 8 serial digits, check digit with weights 8 6 4 2 3 5 9 7
//   modulo 11, 10 -> 0 and 11 -> 5, two letters for the country); s10_check_digit in tracking_scheme.cpp.
// - FedEx Express 12: the rule FedEx's developer support gave for Express numbers, with its worked example
//   012345678983 (weights 1, 3, 7 from the rightmost of the first 11 digits leftwards, sum modulo 11, a
//   remainder of 10 giving 0). FedEx publishes no specification of it.
// - FedEx Ground 15: a mod 10 with weights 3 and 1 from the right, as GS1's; FedEx's Ground Label Layout
//   Specification ("Check Digit Calculation Algorithms") is where the same answer points, not read here:
//   the rule is the one every public example number satisfies. The Ground "96" barcode is 22 digits: "96",
//   a 2-digit SCNC and a 3-digit service code, then the 15-digit tracking number.
// - FedEx 34-digit barcode (the 1D barcode on Express labels, "10..."; Ground's "96..." has the same
//   length): the tracking number is the last 12 digits, checked as FedEx Express 12.
// - USPS IMpb: USPS2000508 (Barcode, Package, Intelligent Mail), as excerpted in the USPS Parcel Labeling
//   Guide, appendix A: an optional routing prefix, GS1 AI "420" and the destination ZIP code (5 digits or
//   ZIP+4, 9), then the tracking number: a channel application identifier (92 and 93 commercial, 94 USPS
//   online, 95 retail; 91 the older form still found on labels), service type, mailer id, serial and a
//   mod 10 check digit (weights 3 and 1 from the right, as GS1's). The tracking number is 22 digits, or 26
//   with the longer serial.
// - DHL Express: 10-digit waybill numbers, check digit = the first 9 digits modulo 7, the mod 7 of air
//   waybill numbers; the public example numbers satisfy it.
// - DHL eCommerce: "GM" and 16 to 22 digits. The number carries no check digit, so a misread cannot be told
//   from a right one.

#include "packd/fulfillment/barcodes/carrier_tracking.hpp"

#include <algorithm>
#include <cstdint>

#include "packd/fulfillment/barcodes/tracking_scheme.hpp"

namespace packd::fulfillment {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// The reading of a number whose check digit is the character `found`, where the scheme's check gives
// `expected`. `what` names the number in the reason ("FedEx Express tracking number 986578788856"),
// `check` the rule ("the FedEx mod 11 check (weights 1 3 7 from the right)").
CarrierNumber reading(std::string carrier, std::string scheme, std::string_view number, char found,
                      int expected, const std::string& what, std::string_view check) {
    CarrierNumber c;
    c.carrier = std::move(carrier);
    c.scheme = std::move(scheme);
    c.number = std::string(number);
    c.check_ok = found == static_cast<char>('0' + expected);
    if (!c.check_ok) {
        c.reason = what + ": its check digit is " + std::string(1, found) + ", but " + std::string(check) +
                   " gives " + std::to_string(expected);
    }
    return c;
}

std::optional<CarrierNumber> ups_1z(std::string_view code) {
    if (code.size() != 18 || !code.starts_with("1Z") ||
        !std::all_of(code.begin() + 2, code.end(), [](char c) { return is_digit(c) || is_upper(c); })) {
        return std::nullopt;
    }
    return reading("UPS", "UPS 1Z", code, code[17], ups_check_digit(code.substr(2, 15)),
                   "UPS tracking number " + std::string(code),
                   "the UPS mod 10 check over the 15 characters after 1Z");
}

std::optional<CarrierNumber> upu_s10(std::string_view code) {
    if (code.size() != 13 || !is_upper(code[0]) || !is_upper(code[1]) || !all_digits(code.substr(2, 9)) ||
        !is_upper(code[11]) || !is_upper(code[12])) {
        return std::nullopt;
    }
    return reading("UPU S10", "UPU S10", code, code[10], s10_check_digit(code.substr(2, 8)),
                   "postal item number " + std::string(code) + " (UPU S10)",
                   "the S10 mod 11 check (weights 8 6 4 2 3 5 9 7)");
}

std::optional<CarrierNumber> dhl_ecommerce(std::string_view code) {
    if (code.size() < 18 || code.size() > 24 || !code.starts_with("GM") || !all_digits(code.substr(2))) {
        return std::nullopt;
    }
    CarrierNumber c;
    c.carrier = "DHL eCommerce";
    c.scheme = "DHL eCommerce GM";
    c.number = std::string(code);
    c.check_ok = true;
    c.has_check_digit = false;
    return c;
}

// FedEx Express 12 over the last 12 digits of `code`; `what` says where they came from.
CarrierNumber fedex_12(std::string_view code, std::string scheme, const std::string& what) {
    const std::string_view number = code.substr(code.size() - 12);
    return reading("FedEx", std::move(scheme), number, number[11],
                   fedex_express_check_digit(number.substr(0, 11)), what,
                   "the FedEx mod 11 check (weights 1 3 7 from the right)");
}

// FedEx Ground 15 over the last 15 digits of `code`.
CarrierNumber fedex_15(std::string_view code, std::string scheme, const std::string& what) {
    const std::string_view number = code.substr(code.size() - 15);
    return reading("FedEx", std::move(scheme), number, number[14], gs1_check_digit(number.substr(0, 14)),
                   what, "the FedEx Ground mod 10 check (weights 3 1 from the right)");
}

std::optional<CarrierNumber> fedex_express(std::string_view code) {
    if (code.size() != 12 || !all_digits(code)) {
        return std::nullopt;
    }
    return fedex_12(code, "FedEx Express 12", "FedEx Express tracking number " + std::string(code));
}

std::optional<CarrierNumber> fedex_ground(std::string_view code) {
    if (code.size() != 15 || !all_digits(code)) {
        return std::nullopt;
    }
    return fedex_15(code, "FedEx Ground 15", "FedEx Ground tracking number " + std::string(code));
}

std::optional<CarrierNumber> fedex_ground_96(std::string_view code) {
    if (code.size() != 22 || !code.starts_with("96") || !all_digits(code)) {
        return std::nullopt;
    }
    return fedex_15(code, "FedEx Ground 96 barcode",
                    "FedEx Ground tracking number " + std::string(code.substr(7)) +
                        " (the last 15 digits of " + "the 96 barcode " + std::string(code) + ")");
}

std::optional<CarrierNumber> fedex_34(std::string_view code) {
    // A 34-digit code that begins with GS1's (420) is a USPS routing prefix and its IMpb: usps_impb's.
    if (code.size() != 34 || code.starts_with("420") || !all_digits(code)) {
        return std::nullopt;
    }
    return fedex_12(code, "FedEx 34-digit barcode",
                    "FedEx tracking number " + std::string(code.substr(22)) + " (the last 12 digits of the " +
                        "34-digit barcode " + std::string(code) + ")");
}

// One way to read `code` as an IMpb: the routing ZIP code (empty without a prefix) and the tracking number.
std::optional<CarrierNumber> impb_split(std::string_view code, std::size_t zip_length) {
    const std::size_t prefix = zip_length == 0 ? 0 : 3 + zip_length;
    if (code.size() <= prefix) {
        return std::nullopt;
    }
    const std::string_view number = code.substr(prefix);
    if ((number.size() != 22 && number.size() != 26) || number[0] != '9' || number[1] < '1' ||
        number[1] > '5') {
        return std::nullopt;
    }
    std::string what = "USPS tracking number " + std::string(number);
    if (prefix > 0) {
        what +=
            " (after the routing prefix 420 and ZIP code " + std::string(code.substr(3, zip_length)) + ")";
    }
    CarrierNumber c = reading("USPS", "USPS IMpb", number, number.back(),
                              gs1_check_digit(number.substr(0, number.size() - 1)), what,
                              "the USPS mod 10 check (weights 3 1 from the right)");
    if (prefix > 0) {
        c.postal_code = std::string(code.substr(3, zip_length));
    }
    return c;
}

std::optional<CarrierNumber> usps_impb(std::string_view code) {
    if (!all_digits(code)) {
        return std::nullopt;
    }
    if (!code.starts_with("420")) {
        return impb_split(code, 0);
    }
    // A 34-digit code can be 420 + ZIP + a 26-digit number or 420 + ZIP+4 + a 22-digit one: the reading
    // whose check digit holds is the one the label meant; when neither holds, the reason is given for the
    // ZIP+4 reading, the common one.
    auto zip9 = impb_split(code, 9);
    auto zip5 = impb_split(code, 5);
    if (zip5 && zip5->check_ok && !(zip9 && zip9->check_ok)) {
        return zip5;
    }
    return zip9 ? zip9 : zip5;
}

std::optional<CarrierNumber> dhl_express(std::string_view code) {
    if (code.size() != 10 || !all_digits(code)) {
        return std::nullopt;
    }
    return reading("DHL Express", "DHL Express waybill", code, code[9],
                   dhl_express_check_digit(code.substr(0, 9)),
                   "DHL Express waybill number " + std::string(code),
                   "the DHL mod 7 check (the first 9 digits modulo 7)");
}

}  // namespace

int fedex_express_check_digit(std::string_view eleven) {
    static constexpr int kWeights[] = {1, 3, 7};
    int sum = 0;
    std::size_t position = 0;
    for (auto it = eleven.rbegin(); it != eleven.rend(); ++it, ++position) {
        sum += (*it - '0') * kWeights[position % 3];
    }
    return sum % 11 % 10;
}

int dhl_express_check_digit(std::string_view nine) {
    int64_t value = 0;
    for (const char c : nine) {
        value = value * 10 + (c - '0');
    }
    return static_cast<int>(value % 7);
}

std::optional<CarrierNumber> carrier_number(std::string_view code) {
    // The shapes overlap only where a length is shared, and there the prefixes tell them apart (22 digits:
    // "96" FedEx, "91" to "95" USPS; 34 digits: "420" USPS, otherwise FedEx), so the order here only
    // decides which reason a code with no valid reading gets.
    using Reader = std::optional<CarrierNumber> (*)(std::string_view);
    static constexpr Reader kReaders[] = {ups_1z,        upu_s10,      dhl_ecommerce,
                                          fedex_express, fedex_ground, fedex_ground_96,
                                          usps_impb,     fedex_34,     dhl_express};
    std::optional<CarrierNumber> first;
    for (const Reader read : kReaders) {
        if (auto c = read(code)) {
            if (c->check_ok) {
                return c;
            }
            if (!first) {
                first = std::move(c);
            }
        }
    }
    return first;
}

}  // namespace packd::fulfillment
