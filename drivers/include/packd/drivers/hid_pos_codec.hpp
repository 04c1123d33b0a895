#pragma once
// The codec of USB HID POS scanners (HID usage page 0x8C, Bar Code Scanner): input reports in, scans
// out, with the AIM symbology identifier the scanner puts in each report. Pure: no I/O, no clock.
//
// The Scanned Data Report (usage 0x12, HID Point of Sale Usage Tables 1.02, section 4) as HID POS scanners
// send it in 64-byte input reports: byte 0 report ID 0x02; byte 1 the number of data bytes in this
// report (0 to 56); bytes 2 to 4 the AIM symbology identifier ("]C1"; zeros when the scanner sends none);
// bytes 5 to 60 the data; byte 63 bit 0 set when the scan continues in the next report.

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

class HidPosScanCodec {
  public:
    static constexpr uint8_t kScannedDataReportId = 0x02;
    static constexpr std::size_t kReportSize = 64;
    static constexpr std::size_t kMaxDataPerReport = 56;

    explicit HidPosScanCodec(std::size_t max_length = 8192) : max_length_(max_length) {}
    /// One input report; calls `emit` when a scan is complete, or with the reason a report is refused.
    void feed(std::span<const uint8_t> report, const std::function<void(Result<ScanReading>)>& emit);
    /// The scanner went away: a scan spread over reports and not finished is reported as cut short.
    void abandon(const std::string& reason, const std::function<void(Result<ScanReading>)>& emit);

  private:
    std::size_t max_length_;
    ScanReading pending_;
    bool continuing_ = false;
    bool overlong_ = false;
};

}  // namespace packd::drivers
