#include "packd/drivers/sim_scale.hpp"

#include "packd/common/text.hpp"

#include <charconv>
#include <cmath>

namespace packd::drivers {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

WeightReading parse_sim_weight(std::string_view line) {
    std::string_view rest = trim(line);
    if (rest.empty()) {
        return invalid("empty line");
    }
    double value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || !std::isfinite(value)) {
        return invalid("not a number: '" + printable(rest.substr(0, 32)) + "'");
    }
    rest = trim(rest.substr(static_cast<size_t>(end - rest.data())));
    double scale_to_mg = 1000.0;
    bool stable = true;
    while (!rest.empty()) {
        size_t space = rest.find_first_of(" \t");
        std::string_view word = rest.substr(0, space);
        if (word == "g") {
            scale_to_mg = 1000.0;
        } else if (word == "kg") {
            scale_to_mg = 1000000.0;
        } else if (word == "motion") {
            stable = false;
        } else {
            return invalid("unknown word '" + printable(word.substr(0, 32)) + "' (expected g, kg or motion)");
        }
        rest = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space));
    }
    const double mg = value * scale_to_mg;
    // 1000 kg is beyond any parcel scale; larger values are typing errors.
    if (std::fabs(mg) > 1e9) {
        return invalid("weight out of range");
    }
    WeightReading r;
    r.milligrams = std::llround(mg);
    r.stable = stable;
    return r;
}

SimScale::SimScale(boost::asio::io_context& io, std::string name, std::string fifo_path)
    : name_(std::move(name)), feed_(io, std::move(fifo_path), 256), push_(io) {
    push_.update(status_);
}

Status SimScale::open() {
    if (auto st = feed_.open(); !st) {
        status_ = {DeviceState::fault, st.error().message};
        push_.update(status_);
        return st;
    }
    status_ = {DeviceState::ready, "simulated, fed from " + feed_.path()};
    push_.update(status_);
    feed_.start([this](Result<std::string> line) {
        set_weight(line ? parse_sim_weight(*line) : invalid(line.error().message));
    });
    return {};
}

void SimScale::set_weight(const WeightReading& reading) {
    WeightReading r = reading;
    if (r.valid) {
        r.milligrams -= tare_mg_;
    }
    last_ = r;
    if (handler_) {
        handler_(r);
    }
}

Status SimScale::zero() {
    tare_mg_ = 0;
    if (last_ && last_->valid) {
        tare_mg_ = last_->milligrams + tare_mg_;
    }
    return {};
}

Status SimScale::tare() {
    return zero();
}

}  // namespace packd::drivers
