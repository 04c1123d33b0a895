// USB HID POS scale input reports (drivers/src/hid_pos_scale_codec.cpp): any bytes, in each report-id mode;
// and the same bytes as a report descriptor searched for the scale usage page.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "packd/drivers/hid_pos_scale_codec.hpp"
#include "scale_reading_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace packd::drivers;
    const std::span<const std::uint8_t> bytes(data, size);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const HidReportId mode : {HidReportId::automatic, HidReportId::present, HidReportId::absent}) {
        const HidScaleReport r = decode_hid_scale_report(bytes, mode);
        packd::fuzz::check_scale_reading(r.reading, text);
        if (r.reading.valid) {
            packd::fuzz::check(r.status == 2 || r.status == 3 || r.status == 4,
                               "only zero, motion and stable reports are valid", text);
        }
    }
    // The same bytes as a sequence of six-byte reports, with a zero taken after the second.
    HidReportStream stream;
    for (std::size_t at = 0, n = 0; at + 6 <= size; at += 6, ++n) {
        if (const auto reading = stream.next(bytes.subspan(at, 6))) {
            packd::fuzz::check_scale_reading(*reading, text);
        }
        if (n == 1) {
            [[maybe_unused]] const auto zeroed = stream.zero();
        }
    }
    // The same bytes as a report descriptor: the item walk must stay inside them.
    [[maybe_unused]] const bool scale = declares_pos_scale_usage_page(bytes);
    return 0;
}
