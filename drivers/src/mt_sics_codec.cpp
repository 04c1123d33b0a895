#include "packd/drivers/mt_sics_codec.hpp"

#include <vector>

#include "packd/common/text.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::drivers {
namespace {

using Kind = SicsResponse::Kind;

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') {
            ++i;
        }
        const size_t start = i;
        while (i < line.size() && line[i] != ' ') {
            ++i;
        }
        if (i > start) {
            out.push_back(line.substr(start, i - start));
        }
    }
    return out;
}

bool known_command(std::string_view w) {
    return w == "S" || w == "SI" || w == "Z" || w == "T" || w == "TA" || w == "ES" || w == "ET" || w == "EL";
}

SicsResponse make(Kind kind, std::string_view command, WeightReading reading) {
    SicsResponse r;
    r.kind = kind;
    r.command = std::string(command);
    r.reading = std::move(reading);
    return r;
}

// "<value> <unit>" after the status letter (MT-SICS 2.2: value right-aligned in 10 characters).
Result<WeightReading> read_weight(const std::vector<std::string_view>& w, size_t first) {
    if (w.size() != first + 2) {
        return fail("expected a value and a unit");
    }
    auto value = parse_decimal(w[first]);
    if (!value) {
        return fail("weight '" + printable(w[first].substr(0, 16)) + "' is " + value.error().message);
    }
    const auto unit = parse_weight_unit(w[first + 1]);
    if (!unit) {
        return fail("unknown unit '" + printable(w[first + 1].substr(0, 8)) + "'");
    }
    auto mg = to_milligrams(value->mantissa, value->exponent, *unit);
    if (!mg) {
        return fail(mg.error().message);
    }
    WeightReading r;
    r.milligrams = *mg;
    return r;
}

SicsResponse parse_at(std::string_view line) {
    const std::vector<std::string_view> w = words(line);
    if (w.empty() || !known_command(w[0])) {
        return make(Kind::unrecognised, "", invalid("not an MT-SICS response"));
    }
    const std::string_view cmd = w[0];
    if (cmd == "ES" || cmd == "ET" || cmd == "EL") {
        if (w.size() != 1) {
            return make(Kind::unrecognised, "", invalid("not an MT-SICS response"));
        }
        const char* what = cmd == "ES"   ? "syntax error"
                           : cmd == "ET" ? "transmission error"
                                         : "logical error";
        return make(Kind::error, cmd,
                    invalid(std::string("balance reports a ") + what + " (" + std::string(cmd) + ")"));
    }
    if (w.size() < 2 || w[1].size() != 1) {
        return make(Kind::malformed, cmd, invalid("malformed " + std::string(cmd) + " response"));
    }
    const char status = w[1][0];
    switch (status) {
        case 'I':
            return make(Kind::not_executable, cmd,
                        invalid("balance busy: " + std::string(cmd) + " not executable now"));
        case '+':
            return make(Kind::over_range, cmd,
                        invalid(cmd == "Z" ? "zero refused: above the zero range" : "overload"));
        case '-':
            return make(
                Kind::under_range, cmd,
                invalid(cmd == "Z" ? "zero refused: below the zero range" : "underload: pan removed?"));
        case 'L':
            return make(Kind::error, cmd, invalid("parameter out of range"));
        default:
            break;
    }
    const auto body_kind = [&]() -> std::pair<Kind, bool> {
        if ((cmd == "S" || cmd == "SI") && (status == 'S' || status == 'D')) {
            return {Kind::weight, true};
        }
        if (cmd == "Z" && status == 'A') {
            return {Kind::zero_done, false};
        }
        if (cmd == "T" && status == 'S') {
            return {Kind::tare_done, true};
        }
        if (cmd == "TA" && status == 'A') {
            return {Kind::tare_value, true};
        }
        return {Kind::malformed, false};
    }();
    if (body_kind.first == Kind::malformed) {
        return make(Kind::malformed, cmd,
                    invalid("malformed " + std::string(cmd) + " response: status '" + printable(w[1]) + "'"));
    }
    if (!body_kind.second) {
        if (w.size() != 2) {
            return make(Kind::malformed, cmd, invalid("malformed " + std::string(cmd) + " response"));
        }
        return make(body_kind.first, cmd, invalid("no weight in a " + std::string(cmd) + " response"));
    }
    auto weight = read_weight(w, 2);
    if (!weight) {
        return make(Kind::malformed, cmd,
                    invalid("malformed " + std::string(cmd) + " response: " + weight.error().message));
    }
    WeightReading reading = *weight;
    reading.stable = status != 'D';
    if (reading.milligrams < 0) {
        reading.valid = false;
        reading.reason = "negative weight: zero the scale";
    }
    return make(body_kind.first, cmd, reading);
}

}  // namespace

std::string encode_sics(SicsCommand command) {
    switch (command) {
        case SicsCommand::weigh_stable:
            return "S\r\n";
        case SicsCommand::weigh_immediate:
            return "SI\r\n";
        case SicsCommand::zero:
            return "Z\r\n";
        case SicsCommand::tare:
            return "T\r\n";
        case SicsCommand::tare_query:
            return "TA\r\n";
    }
    return {};
}

SicsResponse parse_sics_line(std::string_view line) {
    if (line.size() > kSicsMaxLine) {
        return make(Kind::unrecognised, "", invalid("line too long for an MT-SICS response"));
    }
    // Try the line as it is, then from each later word start: a reconnect can leave the tail of
    // an old frame in front of a new response on the same line.
    for (size_t pos = 0; pos < line.size(); ++pos) {
        const bool word_start = pos == 0 || line[pos - 1] < 'A' || line[pos - 1] > 'Z';
        if (!word_start || line[pos] < 'A' || line[pos] > 'Z') {
            continue;
        }
        SicsResponse r = parse_at(line.substr(pos));
        if (r.kind != Kind::unrecognised) {
            return r;
        }
    }
    return make(Kind::unrecognised, "", invalid("not an MT-SICS response"));
}

}  // namespace packd::drivers
