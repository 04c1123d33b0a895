#include "packd/drivers/hid_pos_codec.hpp"

#include <algorithm>

namespace packd::drivers {

void HidPosScanCodec::feed(std::span<const uint8_t> report,
                           const std::function<void(Result<ScanReading>)>& emit) {
    if (report.empty() || report[0] != kScannedDataReportId) {
        return;  // other reports (status, attributes) carry no scan
    }
    if (report.size() < 6) {
        emit(fail("HID POS scanned data report of " + std::to_string(report.size()) +
                  " bytes is too short (at least 6 expected)"));
        return;
    }
    const std::size_t room = std::min(report.size(), std::size_t{61}) - 5;
    const std::size_t length = report[1];
    if (length > room) {
        emit(fail("HID POS report says " + std::to_string(length) + " data bytes, the report holds at most " +
                  std::to_string(room)));
        continuing_ = false;
        overlong_ = false;
        pending_ = {};
        return;
    }
    if (!continuing_) {
        pending_ = {};
        overlong_ = false;
        if (report[2] == ']' && report[3] >= 0x21 && report[3] < 0x7F && report[4] >= 0x21 &&
            report[4] < 0x7F) {
            pending_.symbology.assign(
                {static_cast<char>(report[2]), static_cast<char>(report[3]), static_cast<char>(report[4])});
        }
    }
    if (pending_.data.size() + length > max_length_) {
        overlong_ = true;
    } else {
        pending_.data.append(reinterpret_cast<const char*>(report.data()) + 5, length);
    }
    continuing_ = report.size() >= kReportSize && (report[kReportSize - 1] & 0x01) != 0;
    if (continuing_) {
        return;
    }
    if (overlong_) {
        emit(fail("scan longer than " + std::to_string(max_length_) + " bytes, discarded"));
    } else if (!pending_.data.empty()) {
        emit(std::move(pending_));
    }
    pending_ = {};
    overlong_ = false;
}

void HidPosScanCodec::abandon(const std::string& reason,
                              const std::function<void(Result<ScanReading>)>& emit) {
    const bool had = continuing_;
    continuing_ = false;
    overlong_ = false;
    pending_ = {};
    if (had) {
        emit(fail("scan cut short: " + reason));
    }
}

}  // namespace packd::drivers
