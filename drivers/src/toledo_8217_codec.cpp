#include "packd/drivers/toledo_8217_codec.hpp"

#include <cctype>

#include "packd/common/text.hpp"

namespace packd::drivers {
namespace {

constexpr char kStx = 0x02;
constexpr char kCr = 0x0D;

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') {
        s.remove_prefix(1);
    }
    while (!s.empty() && s.back() == ' ') {
        s.remove_suffix(1);
    }
    return s;
}

WeightReading status_record(unsigned char status) {
    status &= 0x7F;  // bit 7 is parity
    if ((status & 0x60) != 0x60) {
        return invalid("malformed status record (bits 5 and 6 must be set)");
    }
    if (status & 0x02) {
        return invalid("over capacity");
    }
    if (status & 0x04) {
        return invalid("under zero: zero the scale");
    }
    if (status & 0x08) {
        return invalid("outside the zero capture range: re-zero the scale");
    }
    if (status & 0x01) {
        return invalid("in motion");
    }
    return invalid("status record without a weight");
}

}  // namespace

void Toledo8217Splitter::feed(std::string_view bytes, const std::function<void(std::string_view)>& emit) {
    for (const char raw : bytes) {
        const char c =
            static_cast<char>(raw & 0x7F);  // 7 data bits; a port set to 8N1 leaves parity in bit 7
        if (c == kStx) {
            if (in_record_) {
                noise_ += record_.size() + 1;
            }
            in_record_ = true;
            record_.clear();
            continue;
        }
        if (!in_record_) {
            ++noise_;
            continue;
        }
        if (c == kCr) {
            in_record_ = false;
            emit(record_);
            record_.clear();
            continue;
        }
        if (record_.size() >= kToledoMaxRecord) {
            noise_ += record_.size() + 2;
            in_record_ = false;
            record_.clear();
            continue;
        }
        record_.push_back(c);
    }
}

WeightReading parse_toledo_8217_record(std::string_view record, WeightUnit unit) {
    if (!record.empty() && record.front() == '?') {
        if (record.size() != 2) {
            return invalid("malformed status record (" + std::to_string(record.size()) +
                           " bytes, expected 2)");
        }
        return status_record(static_cast<unsigned char>(record[1]));
    }
    std::string_view body = trim(record);
    size_t digits_end = 0;
    while (digits_end < body.size() &&
           (std::isdigit(static_cast<unsigned char>(body[digits_end])) || body[digits_end] == '.' ||
            (digits_end == 0 && (body[0] == '-' || body[0] == '+')))) {
        ++digits_end;
    }
    auto value = parse_decimal(body.substr(0, digits_end));
    if (!value) {
        return invalid("malformed weight record '" + printable(record) + "': " + value.error().message);
    }
    const std::string_view unit_text = trim(body.substr(digits_end));
    if (!unit_text.empty()) {
        std::string lower;
        for (const char c : unit_text) {
            lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
        const auto named = parse_weight_unit(lower);
        if (!named) {
            return invalid("malformed weight record '" + printable(record) + "': unknown unit");
        }
        unit = *named;
    }
    auto mg = to_milligrams(value->mantissa, value->exponent, unit);
    if (!mg) {
        return invalid(mg.error().message);
    }
    WeightReading r;
    r.milligrams = *mg;
    // The scale sends a weight record only when the weight is stable and not under zero
    // (B.1.4.1, "W"); a sign is still checked, as some clones send one.
    r.stable = true;
    if (r.milligrams < 0) {
        r.valid = false;
        r.reason = "negative weight: zero the scale";
    }
    return r;
}

}  // namespace packd::drivers
