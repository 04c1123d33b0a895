#pragma once
// SQL text helpers the store's files share.

#include <string>
#include <string_view>

namespace packd::fulfillment {

/// The current UTC time as SQLite writes it into the store's TEXT timestamps.
inline constexpr std::string_view kSqlNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// `sql` with every "$NOW$" replaced by kSqlNow.
inline std::string with_now(std::string_view sql) {
    std::string out;
    for (size_t i = 0; i < sql.size(); ++i) {
        if (sql.substr(i, 5) == "$NOW$") {
            out += kSqlNow;
            i += 4;
        } else {
            out += sql[i];
        }
    }
    return out;
}

}  // namespace packd::fulfillment
