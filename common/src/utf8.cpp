// UTF-8 read as the printer and the preview read it: exactly the well-formed sequences of Unicode
// Table 3-7, anything else one '?' a byte.

#include "packd/common/utf8.hpp"

namespace packd {

// Reads one code point at `pos`, accepting exactly the well-formed sequences of Unicode Table 3-7 (no
// overlong forms, no surrogates, nothing above U+10FFFF).
Utf8Step utf8_step(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    const Utf8Step ill_formed{U'?', 1, false};
    if (lead < 0x80) {
        return {lead, 1, true};
    }
    std::size_t length = 0;
    char32_t code_point = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code_point = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code_point = lead & 0x0Fu;
        low = lead == 0xE0 ? 0xA0 : low;
        high = lead == 0xED ? 0x9F : high;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code_point = lead & 0x07u;
        low = lead == 0xF0 ? 0x90 : low;
        high = lead == 0xF4 ? 0x8F : high;
    } else {
        return ill_formed;
    }
    if (pos + length > text.size()) {
        return ill_formed;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[pos + i]);
        const unsigned char min = i == 1 ? low : 0x80;
        const unsigned char max = i == 1 ? high : 0xBF;
        if (byte < min || byte > max) {
            return ill_formed;
        }
        code_point = (code_point << 6) | (byte & 0x3Fu);
    }
    return {code_point, length, true};
}

std::string well_formed_utf8(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        if (step.well_formed) {
            out.append(utf8.substr(pos, step.length));
        } else {
            out.push_back('?');
        }
        pos += step.length;
    }
    return out;
}

std::u32string code_points(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        out.push_back(step.code_point);
        pos += step.length;
    }
    return out;
}

}  // namespace packd
