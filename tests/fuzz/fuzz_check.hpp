#pragma once
// Property checks for the fuzz targets. A broken property aborts, which libFuzzer and the replay driver
// both report as a failing input; the message says which property broke and shows the value, escaped.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace packd::fuzz {

/// `bytes` with everything outside printable ASCII as \xNN, cut after `limit` bytes, for messages.
inline std::string printable(std::string_view bytes, std::size_t limit = 400) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        if (byte >= 0x20 && byte < 0x7F && byte != '\\') {
            out += static_cast<char>(byte);
        } else {
            out += "\\x";
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        }
    }
    if (bytes.size() > limit) {
        out += "... (" + std::to_string(bytes.size()) + " bytes)";
    }
    return out;
}

/// Aborts with `property` and `value` on stderr unless `holds`.
inline void check(bool holds, std::string_view property, std::string_view value = {}) {
    if (holds) {
        return;
    }
    const std::string shown = printable(value);
    std::fprintf(stderr, "fuzz property violated: %.*s\n  value: \"%s\"\n", static_cast<int>(property.size()),
                 property.data(), shown.c_str());
    std::abort();
}

/// The length of the well-formed UTF-8 sequence at `pos`, or 0 when the byte there does not start one.
/// Well-formed as the Unicode Standard, Table 3-7, defines it: no overlong forms, no surrogates, nothing
/// above U+10FFFF. Written here on purpose, independently of the code under test.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(s[pos]);
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead <= 0x7F) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead == 0xE0) {
        length = 3;
        second_min = 0xA0;
    } else if (lead >= 0xE1 && lead <= 0xEC) {
        length = 3;
    } else if (lead == 0xED) {
        length = 3;
        second_max = 0x9F;
    } else if (lead >= 0xEE && lead <= 0xEF) {
        length = 3;
    } else if (lead == 0xF0) {
        length = 4;
        second_min = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        length = 4;
    } else if (lead == 0xF4) {
        length = 4;
        second_max = 0x8F;
    } else {
        return 0;
    }
    if (s.size() - pos < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(s[pos + i]);
        const unsigned char min = i == 1 ? second_min : 0x80;
        const unsigned char max = i == 1 ? second_max : 0xBF;
        if (byte < min || byte > max) {
            return 0;
        }
    }
    return length;
}

/// True when all of `s` is well-formed UTF-8 (Table 3-7).
inline bool is_strict_utf8(std::string_view s) {
    for (std::size_t pos = 0; pos < s.size();) {
        const std::size_t length = utf8_sequence_length(s, pos);
        if (length == 0) {
            return false;
        }
        pos += length;
    }
    return true;
}

/// True when `s` holds a Unicode control character (general category Cc): C0, DEL, or C1 (U+0080 to U+009F,
/// which UTF-8 writes as C2 80 to C2 9F). A control character in a log line or a published message can
/// break the line, or the terminal that shows it.
inline bool has_control_character(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto byte = static_cast<unsigned char>(s[i]);
        if (byte < 0x20 || byte == 0x7F) {
            return true;
        }
        if (byte == 0xC2 && i + 1 < s.size()) {
            const auto next = static_cast<unsigned char>(s[i + 1]);
            if (next >= 0x80 && next <= 0x9F) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace packd::fuzz
