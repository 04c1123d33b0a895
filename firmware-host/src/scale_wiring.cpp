#include "packd/host/scale_wiring.hpp"

#include <variant>

#include "packd/drivers/hid_scale.hpp"
#include "packd/drivers/serial_scale.hpp"
#include "packd/drivers/sim_scale.hpp"

namespace packd::host {
namespace {

// "4-11" (1-based, inclusive; checked by the config reader) -> a column field.
drivers::AsciiField columns(const std::string& range) {
    drivers::AsciiField f;
    const size_t dash = range.find('-');
    if (range.empty() || dash == std::string::npos) {
        return f;
    }
    const size_t first = std::stoul(range.substr(0, dash));
    const size_t last = std::stoul(range.substr(dash + 1));
    f.start = first - 1;
    f.length = last - first + 1;
    return f;
}

drivers::WeightUnit unit_or(const std::string& name, drivers::WeightUnit fallback) {
    return drivers::parse_weight_unit(name).value_or(fallback);
}

drivers::SerialLine serial_line(const SerialLineConfig& c) {
    drivers::SerialLine line;
    line.port = c.port;
    line.baud = static_cast<unsigned>(c.baud);
    line.parity = c.parity == "even" ? 'E' : c.parity == "odd" ? 'O' : 'N';
    line.data_bits = static_cast<unsigned>(c.data_bits);
    line.stop_bits = static_cast<unsigned>(c.stop_bits);
    line.flow_control = c.flow_control;
    return line;
}

OpenedScale open_serial(boost::asio::io_context& io, const std::string& name, const SerialLineConfig& c,
                        std::unique_ptr<drivers::SerialScaleProtocol> protocol, int poll_ms) {
    drivers::SerialScaleTiming timing;
    timing.poll = std::chrono::milliseconds(poll_ms);
    timing.reconnect = std::chrono::milliseconds(c.reconnect_ms);
    auto scale =
        std::make_shared<drivers::SerialScale>(io, name, serial_line(c), std::move(protocol), timing);
    Status st = scale->open();
    return {scale, st};
}

// The factories, one per alternative of ScaleSettings: a type without one does not compile.
OpenedScale open_one(boost::asio::io_context& io, const std::string& name, const SimScaleConfig& c) {
    auto scale = std::make_shared<drivers::SimScale>(io, name, c.fifo);
    Status st = scale->open();
    return {scale, st};
}

OpenedScale open_one(boost::asio::io_context& io, const std::string& name, const HidScaleConfig& c) {
    drivers::HidScaleMatch match;
    if (c.usb_id.size() == 9) {  // "vvvv:pppp", checked by the config reader
        match.vendor_id = static_cast<uint16_t>(std::stoul(c.usb_id.substr(0, 4), nullptr, 16));
        match.product_id = static_cast<uint16_t>(std::stoul(c.usb_id.substr(5), nullptr, 16));
    }
    auto scale =
        std::make_shared<drivers::HidScale>(io, name, match, std::chrono::milliseconds(c.reconnect_ms));
    Status st = scale->open();
    return {scale, st};
}

OpenedScale open_one(boost::asio::io_context& io, const std::string& name, const MtSicsScaleConfig& c) {
    return open_serial(io, name, c.line, drivers::make_mt_sics_protocol(), c.poll_ms);
}

OpenedScale open_one(boost::asio::io_context& io, const std::string& name, const Toledo8217ScaleConfig& c) {
    return open_serial(io, name, c.line,
                       drivers::make_toledo_8217_protocol(unit_or(c.unit, drivers::WeightUnit::pound)),
                       c.poll_ms);
}

OpenedScale open_one(boost::asio::io_context& io, const std::string& name, const AsciiScaleConfig& c) {
    auto format = ascii_format(c);
    auto codec =
        format ? drivers::AsciiScaleCodec::make(*format) : Result<drivers::AsciiScaleCodec>(format.error());
    if (!codec) {
        return {nullptr, fail("line format: " + codec.error().message)};
    }
    // A streaming scale is not asked; the poll interval is the serial scale's default.
    return open_serial(io, name, c.line, drivers::make_ascii_protocol(std::move(*codec)),
                       MtSicsScaleConfig{}.poll_ms);
}

}  // namespace

Result<drivers::AsciiScaleFormat> ascii_format(const AsciiScaleConfig& c) {
    drivers::AsciiScaleFormat f;
    if (!c.pattern.empty()) {
        f.mode = drivers::AsciiScaleFormat::Mode::regex;
        f.pattern = c.pattern;
        f.value.group = c.value_group;
        f.sign.group = c.sign_group;
        f.unit.group = c.unit_group;
        f.stability.group = c.stability_group;
    } else {
        f.mode = drivers::AsciiScaleFormat::Mode::columns;
        f.value = columns(c.value_columns);
        f.sign = columns(c.sign_columns);
        f.unit = columns(c.unit_columns);
        f.stability = columns(c.stability_columns);
    }
    f.stable_text = c.stable_text;
    f.overload_text = c.overload_text;
    f.default_unit = unit_or(c.unit, drivers::WeightUnit::gram);
    return f;
}

fulfillment::StableWeightRules stable_rules(const ScaleConfig& c) {
    fulfillment::StableWeightRules rules;
    rules.min_readings = c.stable.readings;
    rules.min_duration = std::chrono::milliseconds(c.stable.ms);
    rules.tolerance_mg = c.stable.tolerance_mg;
    return rules;
}

OpenedScale open_scale(boost::asio::io_context& io, const ScaleConfig& c) {
    return std::visit([&](const auto& settings) { return open_one(io, c.name, settings); }, c.settings);
}

}  // namespace packd::host
