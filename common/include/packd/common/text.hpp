#pragma once
// Small checks and encodings for text that comes from outside.

#include <string>
#include <string_view>

#include "packd/common/result.hpp"

namespace packd {

/// True when `s` is well-formed UTF-8 (no overlong forms or surrogates are checked beyond
/// the byte structure; that is enough to keep JSON and labels from breaking).
bool is_valid_utf8(std::string_view s);

/// Text from outside made safe to echo in an error, a log line or JSON: control characters and
/// bytes that are not well-formed UTF-8 become '?'. Keeps everything else, including UTF-8.
std::string printable(std::string_view s);

/// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
/// The bytes of standard base64 with padding (RFC 4648 section 4); line breaks are skipped, anything
/// else outside the alphabet, a misplaced '=' or a length that is not a multiple of four is refused.
Result<std::string> base64_decode(std::string_view text);

}  // namespace packd
