#include "packd/common/text.hpp"

namespace packd {

namespace {

/// The length of the well-formed UTF-8 sequence at `s[i]` (RFC 3629 section 4), or 0 when there is none.
size_t sequence_length(std::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    if (c < 0x80) {
        return 1;
    }
    if ((c >> 5) == 0x6 && c >= 0xC2) {
        len = 2;
    } else if ((c >> 4) == 0xE) {
        len = 3;
    } else if ((c >> 3) == 0x1E && c <= 0xF4) {
        len = 4;
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    // After E0, ED, F0 and F4 the second byte's range is narrower, which rules out overlong three- and
    // four-byte forms, UTF-16 surrogates (U+D800..U+DFFF) and anything past U+10FFFF.
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) || (c == 0xF0 && second < 0x90) ||
        (c == 0xF4 && second > 0x8F)) {
        return 0;
    }
    for (size_t k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const size_t len = sequence_length(s, i);
        if (len == 0) {
            return false;
        }
        i += len;
    }
    return true;
}

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
            ++i;
            continue;
        }
        const size_t len = sequence_length(s, i);
        if (len == 0) {
            out += '?';
            ++i;
        } else if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
            out += '?';  // C1 controls (U+0080..U+009F) are control characters too
            i += 2;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    return out;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                           static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                           static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned v = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2) {
            v |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        }
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    unsigned value = 0;
    int count = 0;    // symbols in the current group of four
    int padding = 0;  // '=' seen so far; only at the end
    size_t symbols = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\r' || c == '\n') {
            continue;
        }
        int digit = -1;
        if (c >= 'A' && c <= 'Z') {
            digit = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            digit = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            digit = c - '0' + 52;
        } else if (c == '+') {
            digit = 62;
        } else if (c == '/') {
            digit = 63;
        } else if (c == '=') {
            if (count < 2 || ++padding > 2) {
                return fail("base64: '=' at byte " + std::to_string(i) + " where data must be");
            }
            digit = 0;
        } else {
            return fail("base64: byte " + std::to_string(i) + " is not in the base64 alphabet");
        }
        if (c != '=' && padding > 0) {
            return fail("base64: data after '=' at byte " + std::to_string(i));
        }
        ++symbols;
        value = value << 6 | static_cast<unsigned>(digit);
        if (++count == 4) {
            out += static_cast<char>((value >> 16) & 0xFF);
            if (padding < 2) {
                out += static_cast<char>((value >> 8) & 0xFF);
            }
            if (padding < 1) {
                out += static_cast<char>(value & 0xFF);
            }
            value = 0;
            count = 0;
        }
    }
    if (count != 0 || (symbols > 0 && symbols % 4 != 0)) {
        return fail("base64: the text ends in the middle of a group of four");
    }
    return out;
}

}  // namespace packd
