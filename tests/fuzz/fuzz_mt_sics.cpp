// MT-SICS response lines (drivers/src/mt_sics_codec.cpp): the byte stream is cut into lines as the serial
// transport does (LineSplitter) and each line parsed. The first byte chooses where the stream is cut in two.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/mt_sics_codec.hpp"
#include "scale_reading_check.hpp"

namespace {

std::vector<std::string> lines(std::string_view a, std::string_view b) {
    packd::drivers::LineSplitter splitter(packd::drivers::kSicsMaxLine);
    std::vector<std::string> out;
    const auto keep = [&](packd::Result<std::string> line) { out.push_back(line ? *line : "!"); };
    splitter.feed(a, keep);
    splitter.feed(b, keep);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace packd::drivers;
    if (size == 0) {
        return 0;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t cut = bytes.size() * std::size_t{data[0]} / 255;
    const auto whole = lines(bytes, {});
    packd::fuzz::check(whole == lines(bytes.substr(0, cut), bytes.substr(cut)),
                       "the lines do not depend on how the bytes arrive", bytes);
    for (const std::string& line : whole) {
        const SicsResponse r = parse_sics_line(line);
        packd::fuzz::check_scale_reading(r.reading, line);
        if (r.kind != SicsResponse::Kind::weight && r.kind != SicsResponse::Kind::tare_done &&
            r.kind != SicsResponse::Kind::tare_value) {
            packd::fuzz::check(!r.reading.valid, "only weight responses carry a valid reading", line);
        }
    }
    packd::fuzz::check_scale_reading(parse_sics_line(bytes).reading, bytes);
    return 0;
}
