#pragma once
// A browser's request as packd's web UI reads it: the method, the path split into its segments, the query's
// parameters and the few headers that matter, each decoded once here so no route parses raw bytes.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::web {

/// A request target ("/api/orders/SO%2D1?limit=5") taken apart.
struct WebTarget {
    std::string path;                          ///< decoded, "/api/orders/SO-1"
    std::vector<std::string> segments;         ///< {"api", "orders", "SO-1"}
    std::map<std::string, std::string> query;  ///< the last value of each name wins
};

/// Takes a request target apart. Refused: not starting with '/', a bad %-escape, a control character (C0,
/// DEL, C1) or a byte that is not UTF-8 once decoded, an encoded '/' in a segment, a "." or ".." segment,
/// more than 16 segments or 32 parameters.
Result<WebTarget> parse_target(std::string_view target);

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nothing for a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(std::string_view header, std::string_view name);

struct WebRequest {
    std::string method;  ///< "GET", "POST"
    WebTarget target;
    std::string body;
    std::string content_type;
};

}  // namespace packd::web
