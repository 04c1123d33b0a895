// Tracking number formats. Check digits: GS1 General Specifications 7.9 (mod 10, weights 3 and 1); UPU S10
// (mod 11, weights 8 6 4 2 3 5 9 7; 10 -> 0, 11 -> 5); UPS 1Z (letters as (code - 63) mod 10, odd positions
// once, even positions twice, mod 10).

#include "packd/fulfillment/barcodes/tracking_scheme.hpp"

namespace packd::fulfillment {
namespace {

std::string padded(int64_t serial, std::size_t width) {
    std::string digits = std::to_string(serial);
    return digits.size() >= width ? digits : std::string(width - digits.size(), '0') + digits;
}

bool all_digits(std::string_view s) {
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

bool upper_alnum(std::string_view s) {
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

int64_t largest_serial(TrackingScheme scheme, std::size_t prefix_length) {
    switch (scheme) {
        case TrackingScheme::Sscc: {
            int64_t max = 1;
            for (std::size_t i = prefix_length; i < 17; ++i) {
                max *= 10;
            }
            return max - 1;
        }
        case TrackingScheme::Ups1z:
            return 9'999'999;
        case TrackingScheme::GenericMod10:
            return 999'999'999'999LL;
        case TrackingScheme::GenericMod11:
            return 99'999'999;
    }
    return 0;
}

}  // namespace

Result<TrackingScheme> parse_tracking_scheme(std::string_view name) {
    for (const TrackingScheme s : {TrackingScheme::Sscc, TrackingScheme::Ups1z, TrackingScheme::GenericMod10,
                                   TrackingScheme::GenericMod11}) {
        if (name == to_string(s)) {
            return s;
        }
    }
    return fail("unknown tracking scheme \"" + std::string(name.substr(0, 32)) +
                "\" (expected sscc, ups_1z, generic_mod10 or generic_mod11)");
}

const char* to_string(TrackingScheme scheme) {
    switch (scheme) {
        case TrackingScheme::Sscc:
            return "sscc";
        case TrackingScheme::Ups1z:
            return "ups_1z";
        case TrackingScheme::GenericMod10:
            return "generic_mod10";
        case TrackingScheme::GenericMod11:
            return "generic_mod11";
    }
    return "unknown";
}

int gs1_check_digit(std::string_view digits) {
    int sum = 0;
    int weight = 3;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        sum += (*it - '0') * weight;
        weight = weight == 3 ? 1 : 3;
    }
    return (10 - sum % 10) % 10;
}

int ups_check_digit(std::string_view fifteen) {
    int sum = 0;
    for (std::size_t i = 0; i < fifteen.size(); ++i) {
        const char c = fifteen[i];
        const int value = c >= '0' && c <= '9' ? c - '0' : (c - 63) % 10;
        sum += (i % 2 == 0) ? value : 2 * value;  // i = 0 is position 1, an odd position
    }
    return (10 - sum % 10) % 10;
}

int s10_check_digit(std::string_view eight) {
    static constexpr int kWeights[] = {8, 6, 4, 2, 3, 5, 9, 7};
    int sum = 0;
    for (std::size_t i = 0; i < eight.size() && i < 8; ++i) {
        sum += (eight[i] - '0') * kWeights[i];
    }
    const int check = 11 - sum % 11;
    return check == 10 ? 0 : check == 11 ? 5 : check;
}

Status validate(const TrackingRange& r) {
    const std::string where = "tracking range for " + r.carrier + ": ";
    switch (r.scheme) {
        case TrackingScheme::Sscc:
            // Extension digit plus a GS1 company prefix of 7 to 10 digits.
            if (r.prefix.size() < 8 || r.prefix.size() > 11 || !all_digits(r.prefix)) {
                return fail(where +
                            "an SSCC prefix is the extension digit and the GS1 company prefix, 8 to 11 "
                            "digits; found \"" +
                            r.prefix + "\"");
            }
            break;
        case TrackingScheme::Ups1z:
            if (r.prefix.size() != 8 || !upper_alnum(r.prefix)) {
                return fail(where +
                            "a 1Z prefix is the 6-character shipper number and the 2-character service, "
                            "8 capital letters or digits; found \"" +
                            r.prefix + "\"");
            }
            break;
        case TrackingScheme::GenericMod10:
        case TrackingScheme::GenericMod11:
            if (r.prefix.size() > 16 || !upper_alnum(r.prefix)) {
                return fail(where + "a prefix is up to 16 capital letters or digits; found \"" + r.prefix +
                            "\"");
            }
            break;
    }
    const int64_t max = largest_serial(r.scheme, r.prefix.size());
    if (r.first < 0 || r.last < r.first || r.last > max) {
        return fail(where + "serials must satisfy 0 <= first <= last <= " + std::to_string(max) + "; found " +
                    std::to_string(r.first) + " to " + std::to_string(r.last));
    }
    if (r.low_water < 0) {
        return fail(where + "low_water must not be negative");
    }
    return {};
}

std::string format_tracking_number(TrackingScheme scheme, std::string_view prefix, int64_t serial,
                                   int64_t last) {
    const std::string p(prefix);
    switch (scheme) {
        case TrackingScheme::Sscc: {
            const std::string body = p + padded(serial, 17 - p.size());
            return body + std::to_string(gs1_check_digit(body));
        }
        case TrackingScheme::Ups1z: {
            const std::string body = p + padded(serial, 7);
            return "1Z" + body + std::to_string(ups_check_digit(body));
        }
        case TrackingScheme::GenericMod10: {
            const std::string digits = padded(serial, std::to_string(last).size());
            return p + digits + std::to_string(gs1_check_digit(digits));
        }
        case TrackingScheme::GenericMod11: {
            const std::string digits = padded(serial, 8);
            return p + digits + std::to_string(s10_check_digit(digits));
        }
    }
    return {};
}

}  // namespace packd::fulfillment
