#pragma once
// Who may use the web UI and how a request proves it. On loopback the UI is open to the box's own screens,
// but only under a loopback Host (a page elsewhere cannot reach it through DNS rebinding). On any other
// address every request needs a bearer token or HTTP basic credentials from a file packd alone can read;
// a kiosk passes its token once in the URL and keeps it in a cookie. A request that changes something
// (POST) needs the per-process CSRF token too, which only a page of packd's own origin can read.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::web {

struct WebCredentials {
    std::vector<std::string> tokens;  ///< bearer tokens, at least 16 characters each
    struct User {
        std::string name;
        std::string password;
    };
    std::vector<User> users;  ///< HTTP basic credentials
};

/// One credential per line: "user:password" (basic) or a token without ':'; '#' starts a comment line.
/// Refused, naming the line: a token shorter than 16 characters, an empty user or password, a user twice,
/// a control character or a byte that is not UTF-8; and a file without a credential.
Result<WebCredentials> parse_credentials(std::string_view text);
/// The file read and parsed; refused when group or others may read or write it (chmod 600), or it is
/// larger than 64 KiB.
Result<WebCredentials> load_credentials(const std::string& path);

/// True for "localhost", "127.x.y.z" and "[::1]", with or without a port (digits only).
bool is_loopback_host(std::string_view host);

/// The cookie a kiosk's token is kept in.
inline constexpr std::string_view kTokenCookie = "packd_token";
/// The header a page sends the CSRF token in.
inline constexpr std::string_view kCsrfHeader = "X-Packd-Csrf";

class WebAccess {
  public:
    /// `credentials`: none for a loopback listener (open to loopback Hosts); `csrf` the process's token.
    WebAccess(std::optional<WebCredentials> credentials, std::string csrf);

    bool needs_credentials() const { return credentials_.has_value(); }
    /// The Host header is one this listener answers to (any, when credentials guard it).
    bool host_allowed(std::string_view host) const;
    /// The Authorization header ("Bearer T" or "Basic B64") or the token cookie proves a credential.
    bool authenticated(std::string_view authorization, std::string_view cookie_header) const;
    bool token_valid(std::string_view token) const;
    /// A state-changing request: the CSRF header matches (an empty one never does) and, when the browser
    /// named an Origin, it is the Host's own.
    bool csrf_ok(std::string_view csrf_header, std::string_view origin, std::string_view host) const;
    const std::string& csrf() const { return csrf_; }

  private:
    std::optional<WebCredentials> credentials_;
    std::string csrf_;
};

/// 32 random bytes as hex, from the kernel's generator.
std::string random_token();
/// Compares in time that depends on the lengths only.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace packd::web
