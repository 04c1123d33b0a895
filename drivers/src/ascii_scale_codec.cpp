#include "packd/drivers/ascii_scale_codec.hpp"

#include "packd/common/text.hpp"

namespace packd::drivers {
namespace {

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace

Result<AsciiScaleCodec> AsciiScaleCodec::make(const AsciiScaleFormat& format) {
    AsciiScaleCodec codec;
    codec.format_ = format;
    const AsciiField* fields[] = {&format.sign, &format.value, &format.unit, &format.stability};
    if (format.mode == AsciiScaleFormat::Mode::regex) {
        if (format.pattern.empty() || format.pattern.size() > 512) {
            return fail("expected a regular expression of 1 to 512 characters");
        }
        try {
            codec.regex_ = std::make_shared<const std::regex>(format.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return fail(std::string("the regular expression does not compile: ") + e.what());
        }
        const auto groups = static_cast<int>(codec.regex_->mark_count());
        if (format.value.group < 1) {
            return fail("the value group must be set (1 to " + std::to_string(groups) + ")");
        }
        for (const AsciiField* f : fields) {
            if (f->group < 0 || f->group > groups) {
                return fail("group " + std::to_string(f->group) + " is not in the expression, which has " +
                            std::to_string(groups) + " groups");
            }
        }
    } else {
        if (format.value.length == 0) {
            return fail("the value columns must be set");
        }
        for (const AsciiField* f : fields) {
            if (f->start + f->length > kAsciiMaxLine) {
                return fail("columns beyond " + std::to_string(kAsciiMaxLine) + " characters");
            }
        }
    }
    return codec;
}

WeightReading AsciiScaleCodec::parse_line(std::string_view line) const {
    // Control bytes around a line (NUL after power-up, XON/XOFF, a stray STX) are line noise
    // from the adapter or the indicator, never part of a reading.
    const auto noise = [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; };
    while (!line.empty() && noise(line.front())) {
        line.remove_prefix(1);
    }
    while (!line.empty() && noise(line.back())) {
        line.remove_suffix(1);
    }
    if (line.size() > kAsciiMaxLine) {
        return invalid("line longer than " + std::to_string(kAsciiMaxLine) + " characters");
    }
    std::string_view sign, value, unit, stability;
    std::match_results<std::string_view::const_iterator> m;
    if (format_.mode == AsciiScaleFormat::Mode::regex) {
        if (!std::regex_match(line.begin(), line.end(), m, *regex_)) {
            return invalid("line does not match the configured pattern: '" + printable(line.substr(0, 40)) +
                           "'");
        }
        const auto group = [&](const AsciiField& f) -> std::string_view {
            const auto index = static_cast<size_t>(f.group);
            if (f.group <= 0 || !m[index].matched) {
                return {};
            }
            return line.substr(static_cast<size_t>(m[index].first - line.begin()),
                               static_cast<size_t>(m[index].length()));
        };
        sign = group(format_.sign);
        value = group(format_.value);
        unit = group(format_.unit);
        stability = group(format_.stability);
    } else {
        const AsciiField& v = format_.value;
        if (line.size() < v.start + v.length) {
            return invalid("line too short for the configured columns: '" + printable(line.substr(0, 40)) +
                           "'");
        }
        const auto column = [&](const AsciiField& f) -> std::string_view {
            if (f.length == 0 || f.start >= line.size()) {
                return {};
            }
            return line.substr(f.start, f.length);
        };
        sign = column(format_.sign);
        value = column(v);
        unit = column(format_.unit);
        stability = column(format_.stability);
    }
    stability = trim(stability);
    const bool has_stability = format_.mode == AsciiScaleFormat::Mode::regex ? format_.stability.group != 0
                                                                             : format_.stability.length != 0;
    if (has_stability && !format_.overload_text.empty() && stability == format_.overload_text) {
        return invalid("overload");
    }
    value = trim(value);
    sign = trim(sign);
    bool negative = false;
    if (sign == "-") {
        negative = true;
    } else if (!sign.empty() && sign != "+") {
        return invalid("unexpected sign '" + printable(sign.substr(0, 8)) + "'");
    }
    auto decimal = parse_decimal(value);
    if (!decimal) {
        return invalid("weight '" + printable(value.substr(0, 24)) + "' is " + decimal.error().message);
    }
    WeightUnit u = format_.default_unit;
    unit = trim(unit);
    if (!unit.empty()) {
        auto named = parse_weight_unit(unit);
        if (!named) {
            return invalid("unknown unit '" + printable(unit.substr(0, 8)) + "'");
        }
        u = *named;
    }
    auto mg = to_milligrams(negative ? -decimal->mantissa : decimal->mantissa, decimal->exponent, u);
    if (!mg) {
        return invalid(mg.error().message);
    }
    WeightReading r;
    r.milligrams = *mg;
    r.stable = !has_stability || stability == format_.stable_text;
    if (r.milligrams < 0) {
        r.valid = false;
        r.reason = "negative weight: zero the scale";
    }
    return r;
}

}  // namespace packd::drivers
