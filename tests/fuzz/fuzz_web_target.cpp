// Request targets as a browser or anyone on the network sends them to packd's web UI
// (firmware-host/web/src/web_request.cpp, parse_target). What a route sees must be text: every decoded
// segment, parameter name and value well-formed UTF-8 without control characters; no segment that is
// empty, holds a '/', or is "." or "..", so that no route can be walked out of; the decoded path is the
// segments joined. The segments and parameters are also compared with a model written here, and a target
// rebuilt from them with every byte escaped parses back to the same.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/web/web_request.hpp"

namespace {

using packd::fuzz::check;
using packd::fuzz::has_control_character;
using packd::fuzz::is_strict_utf8;
using packd::web::parse_target;
using packd::web::WebTarget;

bool is_text(std::string_view s) {
    return is_strict_utf8(s) && !has_control_character(s);
}

int hex(char c) {
    const std::string_view digits = "0123456789abcdef0123456789ABCDEF";
    const auto at = digits.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at % 16);
}

/// Percent-decoding, written again: nothing when an escape is cut short or not hex.
std::optional<std::string> model_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += plus_is_space && s[i] == '+' ? ' ' : s[i];
        } else if (s.size() - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
            return std::nullopt;
        } else {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const auto at = s.find(separator, start);
        parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) {
            return parts;
        }
        start = at + 1;
    }
}

std::string escaped(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        out += '%';
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
    }
    return out;
}

void check_accepted(std::string_view input, const WebTarget& t) {
    check(!input.empty() && input.front() == '/', "an accepted target starts with '/'", input);
    check(t.segments.size() <= 16, "at most 16 segments", input);
    check(t.query.size() <= 32, "at most 32 parameters", input);
    std::string joined;
    for (const std::string& s : t.segments) {
        check(!s.empty(), "no empty segment", input);
        check(s.find('/') == std::string::npos, "no '/' inside a segment", s);
        check(s != "." && s != "..", "no \".\" or \"..\" segment", input);
        check(is_text(s), "a segment is UTF-8 text without control characters", s);
        joined += "/" + s;
    }
    check(t.path == (joined.empty() ? "/" : joined), "the path is \"/\" and the segments joined", t.path);
    for (const auto& [name, value] : t.query) {
        check(is_text(name), "a parameter's name is UTF-8 text without control characters", name);
        check(is_text(value), "a parameter's value is UTF-8 text without control characters", value);
    }

    // The model: the path up to the first '?', split on '/', empty pieces dropped, each decoded; the query
    // up to the first '#', split on '&', empty pairs dropped, cut at the first '=', decoded with '+' as a
    // space, the last value of a name kept.
    const auto question = input.find('?');
    std::vector<std::string> segments;
    for (const std::string_view raw :
         split(input.substr(1, question == std::string_view::npos ? input.npos : question - 1), '/')) {
        if (!raw.empty()) {
            const auto decoded = model_decode(raw, false);
            check(decoded.has_value(), "an accepted segment decodes", raw);
            segments.push_back(decoded.value_or(""));
        }
    }
    check(segments == t.segments, "the segments are the model's", input);
    std::map<std::string, std::string> query;
    if (question != std::string_view::npos) {
        std::string_view rest = input.substr(question + 1);
        rest = rest.substr(0, rest.find('#'));
        for (const std::string_view pair : split(rest, '&')) {
            if (pair.empty()) {
                continue;
            }
            const auto eq = pair.find('=');
            const auto name = model_decode(pair.substr(0, eq), true);
            const auto value = model_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
            check(name && value, "an accepted parameter decodes", pair);
            query[name.value_or("")] = value.value_or("");
        }
    }
    check(query == t.query, "the parameters are the model's", input);

    // Escaping every byte of what was parsed gives a target that parses to the same.
    std::string again;
    for (const std::string& s : t.segments) {
        again += "/" + escaped(s);
    }
    again = again.empty() ? "/" : again;
    char separator = '?';
    for (const auto& [name, value] : t.query) {
        again += separator + escaped(name) + "=" + escaped(value);
        separator = '&';
    }
    const auto reparsed = parse_target(again);
    check(reparsed.ok(), "the target rebuilt with every byte escaped is accepted", again);
    if (reparsed) {
        check(reparsed->segments == t.segments && reparsed->query == t.query && reparsed->path == t.path,
              "the target rebuilt with every byte escaped parses to the same", again);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse_target(input);
    if (!parsed) {
        const std::string& message = parsed.error().message;
        check(!message.empty(), "a refusal says why", input);
        check(is_text(message), "a refusal is one line of UTF-8 text", message);
        return 0;
    }
    check_accepted(input, *parsed);
    return 0;
}
