#include "packd/web/web_access.hpp"

#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "packd/common/text.hpp"
#include "packd/web/web_request.hpp"

namespace packd::web {
namespace {

constexpr std::size_t kMinToken = 16;
constexpr std::size_t kMaxFile = 64 * 1024;

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool starts_with_word(std::string_view header, std::string_view word) {
    if (header.size() <= word.size() || header[word.size()] != ' ') {
        return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(header[i])) != word[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

Result<WebCredentials> parse_credentials(std::string_view text) {
    WebCredentials out;
    int line_no = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        const std::string where = "line " + std::to_string(line_no) + ": ";
        // Checked on comments too: a byte that is not UTF-8 anywhere means the file was saved in another
        // encoding, and the admin needs the line to find it.
        if (!is_valid_utf8(line)) {
            return fail(where + "a byte that is not UTF-8 (save the file as UTF-8)");
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (has_control(line)) {
            return fail(where + "a control character");
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            if (line.size() < kMinToken) {
                return fail(where + "a token needs at least 16 characters");
            }
            out.tokens.emplace_back(line);
            continue;
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view password = line.substr(colon + 1);
        if (name.empty() || password.empty()) {
            return fail(where + "expected user:password, with neither empty");
        }
        const bool twice = std::any_of(out.users.begin(), out.users.end(),
                                       [&](const WebCredentials::User& u) { return u.name == name; });
        if (twice) {
            return fail(where + "the user \"" + printable(name.substr(0, 64)) + "\" a second time");
        }
        out.users.push_back({std::string(name), std::string(password)});
    }
    if (out.tokens.empty() && out.users.empty()) {
        return fail("the credentials file holds no token and no user:password line");
    }
    return out;
}

Result<WebCredentials> load_credentials(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return fail(path + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(path + ": not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        return fail(path + ": group or others may read it; chmod 600 it (packd's user alone reads it)");
    }
    if (static_cast<std::size_t>(st.st_size) > kMaxFile) {
        return fail(path + ": larger than 64 KiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(path + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = parse_credentials(text.str());
    if (!parsed) {
        return fail(path + ": " + parsed.error().message);
    }
    return parsed;
}

bool is_loopback_host(std::string_view host) {
    std::string_view name = host;
    std::string_view port;
    const bool bracketed = !host.empty() && host.front() == '[';
    if (bracketed) {
        const auto close = name.find(']');
        if (close == std::string_view::npos) {
            return false;
        }
        port = name.substr(close + 1);
        name = name.substr(1, close - 1);
        if (!port.empty() && port.front() != ':') {
            return false;
        }
    } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
        port = name.substr(colon);
        name = name.substr(0, colon);
    }
    // RFC 9110 section 7.2 and RFC 3986 section 3.2.3: Host is uri-host [ ":" port ], a port is digits.
    if (!port.empty() && (port.size() > 6 || !std::all_of(port.begin() + 1, port.end(),
                                                          [](char c) { return c >= '0' && c <= '9'; }))) {
        return false;
    }
    if (bracketed) {
        return name == "::1";
    }
    if (name == "localhost") {
        return true;
    }
    // 127.0.0.0/8, four decimal parts.
    if (name.substr(0, 4) != "127.") {
        return false;
    }
    int dots = 0;
    int digits = 0;
    for (const char c : name) {
        if (c == '.') {
            if (digits == 0) {
                return false;
            }
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9' && ++digits <= 3) {
            continue;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

WebAccess::WebAccess(std::optional<WebCredentials> credentials, std::string csrf)
    : credentials_(std::move(credentials)), csrf_(std::move(csrf)) {}

bool WebAccess::host_allowed(std::string_view host) const {
    return credentials_.has_value() || is_loopback_host(host);
}

bool WebAccess::token_valid(std::string_view token) const {
    if (!credentials_) {
        return true;
    }
    bool found = false;
    for (const std::string& t : credentials_->tokens) {
        found = same_secret(t, token) || found;
    }
    return found;
}

bool WebAccess::authenticated(std::string_view authorization, std::string_view cookie_header) const {
    if (!credentials_) {
        return true;
    }
    if (starts_with_word(authorization, "bearer")) {
        return token_valid(trim(authorization.substr(7)));
    }
    if (starts_with_word(authorization, "basic")) {
        auto decoded = base64_decode(trim(authorization.substr(6)));
        if (!decoded) {
            return false;
        }
        const auto colon = decoded->find(':');
        if (colon == std::string::npos) {
            return false;
        }
        const std::string_view name = std::string_view(*decoded).substr(0, colon);
        const std::string_view password = std::string_view(*decoded).substr(colon + 1);
        bool found = false;
        for (const WebCredentials::User& u : credentials_->users) {
            found = (u.name == name && same_secret(u.password, password)) || found;
        }
        return found;
    }
    const std::string token = cookie_value(cookie_header, kTokenCookie);
    return !token.empty() && token_valid(token);
}

bool WebAccess::csrf_ok(std::string_view csrf_header, std::string_view origin, std::string_view host) const {
    if (csrf_header.empty() || !same_secret(csrf_, csrf_header)) {
        return false;
    }
    if (origin.empty()) {
        return true;  // a same-origin fetch may omit it; a cross-origin one cannot set the header
    }
    return origin == "http://" + std::string(host) || origin == "https://" + std::string(host);
}

std::string random_token() {
    std::array<unsigned char, 32> bytes{};
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return diff == 0;
}

}  // namespace packd::web
