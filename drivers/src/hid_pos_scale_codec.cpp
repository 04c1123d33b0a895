#include "packd/drivers/hid_pos_scale_codec.hpp"

namespace packd::drivers {
namespace {

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

const char* to_string(HidScaleStatus status) {
    switch (status) {
        case HidScaleStatus::fault:
            return "fault";
        case HidScaleStatus::stable_at_zero:
            return "stable at zero";
        case HidScaleStatus::in_motion:
            return "in motion";
        case HidScaleStatus::stable:
            return "stable";
        case HidScaleStatus::under_zero:
            return "under zero";
        case HidScaleStatus::over_weight:
            return "over weight";
        case HidScaleStatus::requires_calibration:
            return "requires calibration";
        case HidScaleStatus::requires_rezeroing:
            return "requires re-zeroing";
    }
    return "unknown status";
}

HidScaleReport decode_hid_scale_report(std::span<const uint8_t> report, HidReportId report_id) {
    HidScaleReport out;
    bool has_id = report_id == HidReportId::present;
    if (report_id == HidReportId::automatic) {
        has_id = report.size() != 5;
    }
    if (has_id) {
        if (report.empty() || report[0] != kHidScaleDataReportId) {
            out.reading = invalid(report.empty() ? "empty report"
                                                 : "not a scale data report (report id " +
                                                       std::to_string(report[0]) + ", expected 3)");
            return out;
        }
        report = report.subspan(1);
    }
    if (report.size() < 5) {
        out.reading = invalid("short report: " + std::to_string(report.size()) + " bytes, expected 5");
        return out;
    }
    out.status = report[0];
    out.unit = report[1];
    out.exponent = static_cast<int8_t>(report[2]);
    out.raw_weight = static_cast<uint16_t>(report[3] | (report[4] << 8));

    if (out.status < 1 || out.status > 8) {
        out.reading = invalid("unknown scale status " + std::to_string(out.status));
        return out;
    }
    const auto status = static_cast<HidScaleStatus>(out.status);
    switch (status) {
        case HidScaleStatus::fault:
        case HidScaleStatus::over_weight:
        case HidScaleStatus::requires_calibration:
        case HidScaleStatus::requires_rezeroing:
            out.reading = invalid(to_string(status));
            return out;
        case HidScaleStatus::stable_at_zero:
            // Some scales send a stale unit and exponent with a zero weight (Dymo M10 at power on);
            // zero is zero in any unit.
            out.reading.milligrams = 0;
            out.reading.stable = true;
            return out;
        default:
            break;
    }
    if (out.unit < 1 || out.unit > 12) {
        out.reading = invalid("unknown weight unit " + std::to_string(out.unit));
        return out;
    }
    auto mg = to_milligrams(out.raw_weight, out.exponent, static_cast<WeightUnit>(out.unit));
    if (!mg) {
        out.reading = invalid(mg.error().message);
        return out;
    }
    if (status == HidScaleStatus::under_zero) {
        // The weight field carries the magnitude below zero (Stamps.com, Dymo); a negative weight is
        // never a parcel's, so the reading is invalid but says how far under zero.
        out.reading = invalid("under zero (-" + std::to_string(*mg / 1000) + " g): zero the scale");
        out.reading.milligrams = -*mg;
        return out;
    }
    out.reading.milligrams = *mg;
    out.reading.stable = status == HidScaleStatus::stable;
    return out;
}

std::optional<WeightReading> HidReportStream::next(std::span<const uint8_t> report, HidReportId report_id) {
    if (drop_next_) {
        drop_next_ = false;
        return std::nullopt;
    }
    WeightReading r = decode_hid_scale_report(report, report_id).reading;
    if (!r.valid) {
        last_gross_mg_.reset();
        return r;
    }
    last_gross_mg_ = r.milligrams;
    r.milligrams -= offset_mg_;
    if (r.milligrams < 0) {
        return invalid("negative weight (" + std::to_string(r.milligrams / 1000) +
                       " g below the zero set): zero again");
    }
    return r;
}

Status HidReportStream::zero() {
    if (!last_gross_mg_) {
        return fail("no valid weight on the scale to zero against");
    }
    offset_mg_ = *last_gross_mg_;
    return {};
}

bool declares_pos_scale_usage_page(std::span<const uint8_t> d) {
    size_t i = 0;
    while (i < d.size()) {
        const uint8_t prefix = d[i];
        if (prefix == 0xFE) {  // long item: size byte, tag byte, data (HID 1.11, 6.2.2.3)
            if (i + 2 >= d.size()) {
                return false;
            }
            i += 3 + size_t{d[i + 1]};
            continue;
        }
        const size_t size = (prefix & 0x03) == 3 ? 4 : (prefix & 0x03);
        if (i + 1 + size > d.size()) {
            return false;
        }
        // Global item (type 1), tag 0: Usage Page (HID 1.11, 6.2.2.7).
        if ((prefix & 0xFC) == 0x04 && size > 0) {
            uint32_t page = 0;
            for (size_t k = 0; k < size; ++k) {
                page |= static_cast<uint32_t>(d[i + 1 + k]) << (8 * k);
            }
            if (page == kHidPosScaleUsagePage) {
                return true;
            }
        }
        i += 1 + size;
    }
    return false;
}

}  // namespace packd::drivers
