// The web UI's credentials file (firmware-host/web/src/web_access.cpp, parse_credentials): an admin writes
// it, but a mistake in it must be refused with its line, never turned into a credential nobody meant. An
// accepted file gives tokens of at least 16 characters without ':' and users with a name and a password,
// each name once; the credentials are the file's lines as a model written here reads them, and each one
// lets a request in through WebAccess, as a bearer token or as basic credentials.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/common/text.hpp"
#include "packd/web/web_access.hpp"

namespace {

using packd::fuzz::check;
using packd::fuzz::has_control_character;
using packd::fuzz::is_strict_utf8;
using packd::web::WebCredentials;

/// The control characters the parser refuses in a credential: C0 and DEL.
bool has_c0_or_del(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

std::string_view trimmed(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && blank(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

/// The lines that hold a credential: not blank, not a comment.
std::vector<std::string_view> credential_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = trimmed(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.front() != '#') {
            lines.push_back(line);
        }
    }
    return lines;
}

int line_count(std::string_view text) {
    int lines = 1;
    for (const char c : text) {
        lines += c == '\n' ? 1 : 0;
    }
    return lines;
}

void check_refusal(std::string_view text, const std::string& message) {
    check(!message.empty(), "a refusal says why", text);
    check(is_strict_utf8(message) && !has_control_character(message), "a refusal is one line of text",
          message);
    if (message.rfind("line ", 0) == 0) {
        const int line = std::stoi(message.substr(5, 9));
        check(line >= 1 && line <= line_count(text), "a refusal names a line of the file", message);
    } else {
        check(credential_lines(text).empty(), "a refusal without a line is for a file without credentials",
              message);
    }
}

void check_accepted(std::string_view text, const WebCredentials& c) {
    std::vector<std::string> tokens;
    std::vector<std::string> names;
    std::vector<std::string> passwords;
    for (const std::string_view line : credential_lines(text)) {
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            tokens.emplace_back(line);
        } else {
            names.emplace_back(line.substr(0, colon));
            passwords.emplace_back(line.substr(colon + 1));
        }
    }
    check(!c.tokens.empty() || !c.users.empty(), "an accepted file holds a credential", text);
    check(c.tokens == tokens, "the tokens are the lines without ':'", text);
    check(c.users.size() == names.size(), "the users are the lines with ':'", text);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < c.users.size() && i < names.size(); ++i) {
        const WebCredentials::User& u = c.users[i];
        check(u.name == names[i] && u.password == passwords[i], "a user is its line cut at the first ':'",
              text);
        check(!u.name.empty() && !u.password.empty(), "a user has a name and a password", u.name);
        check(seen.insert(u.name).second, "each user once", u.name);
        check(u.name.find(':') == std::string::npos, "a name holds no ':'", u.name);
        check(is_strict_utf8(u.name + u.password) && !has_c0_or_del(u.name + u.password), "a user is text",
              u.name);
    }
    for (const std::string& t : c.tokens) {
        check(t.size() >= 16, "a token has at least 16 characters", t);
        check(t.find(':') == std::string::npos, "a token holds no ':'", t);
        check(is_strict_utf8(t) && !has_c0_or_del(t), "a token is text", t);
    }

    const packd::web::WebAccess access(c, "csrf");
    for (std::size_t i = 0; i < c.tokens.size() && i < 32; ++i) {
        check(access.authenticated("Bearer " + c.tokens[i], ""), "a token lets a request in", c.tokens[i]);
        check(access.authenticated("", std::string(packd::web::kTokenCookie) + "=" + c.tokens[i]) ||
                  c.tokens[i].find(';') != std::string::npos,
              "a token in its cookie lets a request in", c.tokens[i]);
    }
    for (std::size_t i = 0; i < c.users.size() && i < 32; ++i) {
        const WebCredentials::User& u = c.users[i];
        check(access.authenticated("Basic " + packd::base64_encode(u.name + ":" + u.password), ""),
              "a user and password let a request in", u.name);
        check(!access.authenticated("Basic " + packd::base64_encode(u.name + ":" + u.password + "x"), ""),
              "a wrong password does not", u.name);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto parsed = packd::web::parse_credentials(text);
    if (!parsed) {
        check_refusal(text, parsed.error().message);
        return 0;
    }
    check_accepted(text, *parsed);
    return 0;
}
