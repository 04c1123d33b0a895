#include "packd/common/log.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace packd::log {
namespace {
std::atomic<int> g_threshold{static_cast<int>(Level::info)};
}

void set_threshold(Level level) {
    g_threshold.store(static_cast<int>(level));
}
Level threshold() {
    return static_cast<Level>(g_threshold.load());
}

bool parse_level(std::string_view text, Level& out) {
    struct Name {
        std::string_view name;
        Level level;
    };
    static constexpr Name names[] = {{"error", Level::error},
                                     {"warning", Level::warning},
                                     {"notice", Level::notice},
                                     {"info", Level::info},
                                     {"debug", Level::debug}};
    for (const auto& n : names) {
        if (n.name == text) {
            out = n.level;
            return true;
        }
    }
    return false;
}

void write(Level level, std::string_view message) {
    if (static_cast<int>(level) > g_threshold.load()) {
        return;
    }
    std::string line;
    line.reserve(message.size() + 5);
    line += '<';
    line += static_cast<char>('0' + static_cast<int>(level));
    line += '>';
    // A message never spans journal entries: newlines from outside data become spaces.
    for (char c : message) {
        line += (c == '\n' || c == '\r') ? ' ' : c;
    }
    line += '\n';
    // One write() per line keeps lines from different threads whole.
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) {
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

}  // namespace packd::log
