#pragma once
// Log lines for the systemd journal: one line per write, prefixed with the syslog priority
// as "<N>" (sd-daemon(3)) so journald files it under the right level. Thread-safe.

#include <string_view>

namespace packd::log {

enum class Level : int { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

/// Lines above this level are dropped. Defaults to info.
void set_threshold(Level level);
Level threshold();

/// Parses "error", "warning", "notice", "info" or "debug".
bool parse_level(std::string_view text, Level& out);

void write(Level level, std::string_view message);

inline void error(std::string_view m) {
    write(Level::error, m);
}
inline void warning(std::string_view m) {
    write(Level::warning, m);
}
inline void notice(std::string_view m) {
    write(Level::notice, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
inline void debug(std::string_view m) {
    write(Level::debug, m);
}

}  // namespace packd::log
