// Continuous-output ASCII lines (drivers/src/ascii_scale_codec.cpp) in a regex format and a fixed-column
// format, as the config examples describe them.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "packd/drivers/ascii_scale_codec.hpp"
#include "scale_reading_check.hpp"

namespace {

packd::drivers::AsciiScaleCodec regex_codec() {
    packd::drivers::AsciiScaleFormat f;
    f.pattern = R"(^(ST|US|OL),(?:GS|NT),([+-])([0-9. E]{8})\s*([a-z]*)$)";
    f.stability.group = 1;
    f.sign.group = 2;
    f.value.group = 3;
    f.unit.group = 4;
    return *packd::drivers::AsciiScaleCodec::make(f);
}

packd::drivers::AsciiScaleCodec column_codec() {
    packd::drivers::AsciiScaleFormat f;
    f.mode = packd::drivers::AsciiScaleFormat::Mode::columns;
    f.stability = {0, 0, 1};
    f.sign = {0, 2, 1};
    f.value = {0, 3, 7};
    f.unit = {0, 11, 2};
    f.stable_text = "S";
    return *packd::drivers::AsciiScaleCodec::make(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const packd::drivers::AsciiScaleCodec by_regex = regex_codec();
    static const packd::drivers::AsciiScaleCodec by_columns = column_codec();
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    packd::fuzz::check_scale_reading(by_regex.parse_line(line), line);
    packd::fuzz::check_scale_reading(by_columns.parse_line(line), line);
    return 0;
}
