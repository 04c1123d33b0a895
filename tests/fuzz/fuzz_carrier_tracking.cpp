// Carrier tracking numbers (fulfillment/barcodes/src/carrier_tracking.cpp): any bytes are some carrier's
// number or none. A reading names its carrier in its scheme, its number is the end of the code in the
// scheme's length and characters, a failed check says why, the number read on its own is the same
// carrier's again, and the same number with its check digit changed keeps the shape but fails the check.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/barcodes/carrier_tracking.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::fulfillment;

bool digits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return !s.empty();
}

bool letters(std::string_view s) {
    for (const char c : s) {
        if (c < 'A' || c > 'Z') {
            return false;
        }
    }
    return !s.empty();
}

bool upper_alnum(std::string_view s) {
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return !s.empty();
}

// The number's form as each carrier documents it, written here independently of the readers.
bool has_its_schemes_form(const CarrierNumber& c) {
    const std::string_view n = c.number;
    if (c.carrier == "UPS") {
        return n.size() == 18 && n.starts_with("1Z") && upper_alnum(n);
    }
    if (c.carrier == "UPU S10") {
        return n.size() == 13 && letters(n.substr(0, 2)) && digits(n.substr(2, 9)) && letters(n.substr(11));
    }
    if (c.carrier == "FedEx") {
        return (n.size() == 12 || n.size() == 15) && digits(n);
    }
    if (c.carrier == "USPS") {
        return (n.size() == 22 || n.size() == 26) && digits(n) && n[0] == '9' && n[1] >= '1' && n[1] <= '5';
    }
    if (c.carrier == "DHL Express") {
        return n.size() == 10 && digits(n);
    }
    if (c.carrier == "DHL eCommerce") {
        return n.size() >= 18 && n.size() <= 24 && n.starts_with("GM") && digits(n.substr(2));
    }
    return false;
}

// Where the check digit sits in the number: the last character, except in an S10 item number.
std::size_t check_digit_position(const CarrierNumber& c) {
    return c.carrier == "UPU S10" ? 10 : c.number.size() - 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view code(reinterpret_cast<const char*>(data), size);
    const auto c = carrier_number(code);
    if (!c) {
        return 0;
    }
    check(!c->carrier.empty() && c->scheme.starts_with(c->carrier), "a scheme is named after its carrier",
          code);
    check(code.ends_with(c->number), "the number is the end of the code", code);
    check(has_its_schemes_form(*c), "the number has its scheme's length and characters", code);
    check(c->check_ok == c->reason.empty(), "a reason exactly when the check fails", code);
    check(c->has_check_digit || c->check_ok, "a number without a check digit passes", code);
    if (!c->check_ok) {
        check(c->reason.find(c->carrier) != std::string::npos && c->reason.find("check") != std::string::npos,
              "a failed check names the carrier and the check", c->reason);
        check(!packd::fuzz::has_control_character(c->reason), "a reason is one printable line", c->reason);
        return 0;
    }
    const auto again = carrier_number(c->number);
    check(again && again->check_ok && again->carrier == c->carrier && again->number == c->number,
          "the number read on its own is the same carrier's number", code);
    if (!c->has_check_digit) {
        return 0;
    }
    // Every scheme's check digit is a function of the digits before it, so any other digit there fails.
    std::string changed = c->number;
    char& digit = changed[check_digit_position(*c)];
    digit = digit == '9' ? '0' : static_cast<char>(digit + 1);
    const auto wrong = carrier_number(changed);
    check(wrong && !wrong->check_ok && wrong->carrier == c->carrier,
          "another check digit keeps the carrier's shape and fails its check", changed);
    return 0;
}
