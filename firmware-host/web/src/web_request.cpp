#include "packd/web/web_request.hpp"

#include "packd/common/text.hpp"

namespace packd::web {
namespace {

constexpr std::size_t kMaxSegments = 16;
constexpr std::size_t kMaxParameters = 32;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/// A decoded piece of the target: well-formed UTF-8 without control characters (C0, DEL, and the C1
/// controls U+0080 to U+009F, which UTF-8 writes as C2 80 to C2 9F).
bool acceptable(std::string_view decoded) {
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        const auto c = static_cast<unsigned char>(decoded[i]);
        if (c < 0x20 || c == 0x7f) {
            return false;
        }
        if (c == 0xc2 && i + 1 < decoded.size() && static_cast<unsigned char>(decoded[i + 1]) < 0xa0) {
            return false;
        }
    }
    return is_valid_utf8(decoded);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

Result<WebTarget> parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return fail("the request target does not start with '/'");
    }
    WebTarget out;
    std::string_view path = target;
    std::string_view query;
    if (const auto q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    if (const auto hash = query.find('#'); hash != std::string_view::npos) {
        query = query.substr(0, hash);
    }
    std::string_view rest = path.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const std::string_view raw = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (raw.empty()) {
            continue;  // "//" or a trailing '/'
        }
        auto segment = percent_decode(raw, false);
        if (!segment || !acceptable(*segment) || segment->find('/') != std::string::npos) {
            return fail("the request path holds a bad escape or a byte that is not text");
        }
        if (*segment == "." || *segment == "..") {
            return fail("the request path holds a \".\" or \"..\" segment");
        }
        if (out.segments.size() == kMaxSegments) {
            return fail("the request path has more than 16 segments");
        }
        out.path += "/" + *segment;
        out.segments.push_back(std::move(*segment));
    }
    if (out.path.empty()) {
        out.path = "/";
    }
    std::size_t parameters = 0;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        if (++parameters > kMaxParameters) {
            return fail("the request has more than 32 query parameters");
        }
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq), true);
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!name || !value || !acceptable(*name) || !acceptable(*value)) {
            return fail("a query parameter holds a bad escape or a byte that is not text");
        }
        out.query[*name] = std::move(*value);
    }
    return out;
}

std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            return std::string(pair.substr(eq + 1));
        }
    }
    return {};
}

}  // namespace packd::web
