// Serial and network scanners' codec (drivers/src/suffix_scan_codec.cpp): scans must not depend on where
// the reads cut the bytes, never hold their suffix, and never exceed the length limit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/drivers/suffix_scan_codec.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::drivers;

std::vector<std::string> cut(ScanSuffix suffix, std::string_view a, std::string_view b) {
    SuffixScanCodec codec(suffix, 32);
    std::vector<std::string> out;
    auto emit = [&](packd::Result<std::string> s) { out.push_back(s ? "+" + *s : "-" + s.error().message); };
    codec.feed(a, emit);
    codec.feed(b, emit);
    codec.abandon("end", emit);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t at = bytes.size() * std::size_t{data[0]} / 255;
    for (const ScanSuffix suffix : {ScanSuffix::cr, ScanSuffix::lf, ScanSuffix::crlf, ScanSuffix::tab}) {
        const auto whole = cut(suffix, bytes, {});
        check(whole == cut(suffix, bytes.substr(0, at), bytes.substr(at)), "scans do not depend on the reads",
              bytes);
        for (const std::string& s : whole) {
            if (s[0] == '+') {
                check(s.size() > 1 && s.size() <= 33, "a scan is 1 to max_length bytes", s);
                const char end = suffix == ScanSuffix::lf ? '\n' : suffix == ScanSuffix::tab ? '\t' : '\r';
                check(s.find(end) == std::string::npos, "a scan holds no suffix", s);
            }
        }
    }
    return 0;
}
