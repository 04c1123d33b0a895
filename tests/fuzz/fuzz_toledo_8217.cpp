// Toledo 8213/8217 records (drivers/src/toledo_8217_codec.cpp): the splitter finds the same records however
// the bytes arrive, and every record becomes a reading with the usual properties.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packd/drivers/toledo_8217_codec.hpp"
#include "scale_reading_check.hpp"

namespace {

std::vector<std::string> records(std::string_view a, std::string_view b) {
    packd::drivers::Toledo8217Splitter splitter;
    std::vector<std::string> out;
    const auto keep = [&](std::string_view r) {
        packd::fuzz::check(r.size() <= packd::drivers::kToledoMaxRecord, "no record beyond the limit", r);
        out.emplace_back(r);
    };
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
    const auto whole = records(bytes, {});
    packd::fuzz::check(whole == records(bytes.substr(0, cut), bytes.substr(cut)),
                       "the records do not depend on how the bytes arrive", bytes);
    for (const std::string& record : whole) {
        packd::fuzz::check_scale_reading(parse_toledo_8217_record(record, WeightUnit::pound), record);
        packd::fuzz::check_scale_reading(parse_toledo_8217_record(record, WeightUnit::kilogram), record);
    }
    packd::fuzz::check_scale_reading(parse_toledo_8217_record(bytes, WeightUnit::gram), bytes);
    return 0;
}
