// The HID POS scanner codec (drivers/src/hid_pos_codec.cpp): any sequence of input reports gives scans or
// reasons, never more data than the reports carried, and a scan's symbology is "]" and two printables.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.hpp"
#include "packd/drivers/hid_pos_codec.hpp"

using packd::fuzz::check;
using namespace packd::drivers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    HidPosScanCodec codec(200);
    std::size_t carried = 0;
    auto emit = [&](packd::Result<ScanReading> s) {
        if (s) {
            check(!s->data.empty() && s->data.size() <= 200, "a scan is 1 to max_length bytes", s->data);
            check(s->data.size() <= carried, "a scan holds no more than the reports carried", s->data);
            check(s->symbology.empty() || (s->symbology.size() == 3 && s->symbology[0] == ']'),
                  "a symbology is ]Xm", s->symbology);
        } else {
            check(!s.error().message.empty(), "a refused report says why");
        }
    };
    // The first byte of each chunk is its length (a report of 0 to 255 bytes), the rest the report.
    std::span<const std::uint8_t> bytes(data, size);
    while (!bytes.empty()) {
        const std::size_t n = std::min<std::size_t>(bytes[0], bytes.size() - 1);
        const auto r = bytes.subspan(1, n);
        carried += n;
        codec.feed(r, emit);
        bytes = bytes.subspan(1 + n);
    }
    codec.abandon("end", emit);
    return 0;
}
