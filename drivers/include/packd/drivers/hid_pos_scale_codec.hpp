#pragma once
// USB HID Point of Sale scales (usage page 0x8D): the Scale Data Report -> a weight reading.
// Pure: bytes in, reading out; the libusb transport is in hid_scale.cpp.
//
// The report (HID Point of Sale Usage Tables 1.02, chapter 4 "Weighing Devices"; report id 3 by
// convention of every scale we know):
//   [report id 0x03] status  unit  exponent(signed)  weight LSB  weight MSB
// Devices that number their reports put the id first; the Dymo M10/M25 through hidraw or an
// interrupt read without the id deliver the last five bytes only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "packd/drivers/scale.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::drivers {

/// Scale Status (usage 0x70) values 1-8 (selectors 0x71-0x78).
enum class HidScaleStatus : uint8_t {
    fault = 1,
    stable_at_zero = 2,
    in_motion = 3,
    stable = 4,
    under_zero = 5,
    over_weight = 6,
    requires_calibration = 7,
    requires_rezeroing = 8,
};

const char* to_string(HidScaleStatus status);

/// Whether the report starts with the report id. `automatic`: exactly five bytes are a report
/// without the id (the Dymo M-series through hidraw); any other length starts with it.
enum class HidReportId { automatic, present, absent };

/// One decoded Scale Data Report: the fields as sent and the reading packd uses.
struct HidScaleReport {
    uint8_t status = 0;
    uint8_t unit = 0;
    int8_t exponent = 0;
    uint16_t raw_weight = 0;
    WeightReading reading;
};

inline constexpr uint8_t kHidScaleDataReportId = 0x03;

/// Decodes one input report. Never fails: a report that cannot be a weight gives a reading
/// marked invalid with the reason (fault, over weight, unknown unit, short report, ...).
HidScaleReport decode_hid_scale_report(std::span<const uint8_t> report,
                                       HidReportId report_id = HidReportId::automatic);

/// The reports of one HID scale in the order they come. The first report after (re)connecting is
/// the weight from before (a Dymo M10 repeats its last reading on power-up) and is dropped. Zero
/// and tare are kept here, as the HID scales we know take them only on their buttons: the gross
/// weight when they were asked is subtracted, and a net weight below zero is invalid like a gross
/// one.
class HidReportStream {
  public:
    /// The device was (re)opened: its next report is stale.
    void connected() { drop_next_ = true; }
    /// The reading for one report, or nothing for a stale one.
    std::optional<WeightReading> next(std::span<const uint8_t> report,
                                      HidReportId report_id = HidReportId::automatic);
    /// Takes the weight on the pan now as zero; fails without a valid reading to take it from.
    Status zero();
    int64_t offset_mg() const { return offset_mg_; }

  private:
    bool drop_next_ = true;
    int64_t offset_mg_ = 0;
    std::optional<int64_t> last_gross_mg_;
};

inline constexpr uint16_t kHidPosScaleUsagePage = 0x8D;

/// Whether a HID report descriptor declares the weighing-device usage page (0x8D) anywhere: how
/// a scale is told from the keyboards and mice on the same box without knowing its USB ids.
/// Walks the items as HID 1.11, 6.2.2.2-6.2.2.4 define them (short items: prefix byte with size
/// in bits 0-1, type in bits 2-3, tag in bits 4-7; long items 0xFE); a truncated descriptor
/// counts only the items that are whole.
bool declares_pos_scale_usage_page(std::span<const uint8_t> report_descriptor);

}  // namespace packd::drivers
