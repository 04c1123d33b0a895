// [tracking.NAME]: a carrier's range of tracking numbers packd allocates itself.

#include "config_reader.hpp"
#include "packd/fulfillment/barcodes/tracking_scheme.hpp"

namespace packd::host::config_detail {
namespace {

/// The range as packd would take it at start (prefix length and characters per scheme, serials that fit):
/// refused here already, with the line, so that --check-config finds what start would refuse.
void check_tracking_range(const TrackingRangeConfig& t, int line, Problems& problems) {
    auto scheme = fulfillment::parse_tracking_scheme(t.scheme);
    if (!scheme || t.carrier.empty()) {
        return;  // reported by its own key
    }
    const fulfillment::TrackingRange range{t.carrier, *scheme, t.prefix, t.first, t.last, t.low_water};
    if (auto valid = fulfillment::validate(range); !valid) {
        const std::string& why = valid.error().message;
        const std::string key = why.find("prefix") != std::string::npos    ? ".prefix"
                                : why.find("serials") != std::string::npos ? ".last"
                                                                           : ".low_water";
        problems.add(line, "tracking." + t.name + key, why);
    }
}

}  // namespace

TrackingRangeConfig read_tracking(const std::string& name, TableReader& r, Problems& problems) {
    TrackingRangeConfig t;
    t.name = name;
    r.text("carrier", t.carrier, true);
    r.text("scheme", t.scheme, true, [](const std::string& v) {
        return one_of(v, {"sscc", "ups_1z", "generic_mod10", "generic_mod11"});
    });
    r.text("prefix", t.prefix, false);
    r.integer("first", t.first, 0, 999'999'999'999LL, true);
    r.integer("last", t.last, 0, 999'999'999'999LL, true);
    r.integer("low_water", t.low_water, 0, 999'999'999'999LL);
    if (t.last < t.first) {
        problems.add(r.line(), "tracking." + name + ".last",
                     "expected a value at least first (" + std::to_string(t.first) + "), found " +
                         std::to_string(t.last));
    }
    check_tracking_range(t, r.line(), problems);
    return t;
}

}  // namespace packd::host::config_detail
