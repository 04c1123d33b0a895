#pragma once
// The codec of scanners that send each scan as bytes followed by a suffix (serial, USB CDC-ACM, network
// scanners): bytes in, scans out. Pure: no I/O, no clock.

#include <functional>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"

namespace packd::drivers {

/// The suffix scanners are programmed to send after each scan.
enum class ScanSuffix { cr, lf, crlf, tab };
const char* to_string(ScanSuffix suffix);
Result<ScanSuffix> parse_scan_suffix(std::string_view name);

/// Cuts a byte stream into scans at the suffix. With `cr` or `crlf`, a lone LF after the CR (a scanner
/// set to CR LF on a CR config) is dropped; an empty scan (two suffixes) is skipped; a scan longer than
/// `max_length` is reported once and its bytes dropped up to the next suffix.
class SuffixScanCodec {
  public:
    SuffixScanCodec(ScanSuffix suffix, std::size_t max_length = 4096)
        : suffix_(suffix), max_length_(max_length) {}
    void feed(std::string_view bytes, const std::function<void(Result<std::string>)>& emit);
    /// The connection dropped: a scan in progress is reported as cut short.
    void abandon(const std::string& reason, const std::function<void(Result<std::string>)>& emit);

  private:
    ScanSuffix suffix_;
    std::size_t max_length_;
    std::string partial_;
    bool overlong_ = false;
    bool after_cr_ = false;
};

}  // namespace packd::drivers
