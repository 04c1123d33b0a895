// The simulated scale's input (drivers/src/line_feed.cpp, drivers/src/sim_scale.cpp): bytes from a FIFO are
// cut into lines and each line becomes a weight reading. The first input byte chooses where the rest is cut
// in two, as a pipe may deliver it in two reads; the lines must not depend on where that cut falls.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/sim_scale.hpp"

namespace {

using packd::fuzz::check;

struct Line {
    bool ok = false;
    std::string text;  // the line, or the error

    bool operator==(const Line&) const = default;
};

std::vector<Line> split(std::size_t max_line, std::initializer_list<std::string_view> pieces) {
    packd::drivers::LineSplitter splitter(max_line);
    std::vector<Line> lines;
    for (const std::string_view piece : pieces) {
        splitter.feed(piece, [&](packd::Result<std::string> line) {
            lines.push_back(line ? Line{true, *line} : Line{false, line.error().message});
        });
    }
    return lines;
}

// The documented behaviour, written out: every "\n" ends a line; one "\r" before it is dropped; a line whose
// bytes (before the "\r" is dropped) are more than max_line is reported instead of kept; the bytes after the
// last "\n" wait for more.
std::vector<Line> expected_lines(std::size_t max_line, std::string_view bytes) {
    std::vector<Line> lines;
    for (std::size_t end = bytes.find('\n'); end != std::string_view::npos; end = bytes.find('\n')) {
        std::string_view line = bytes.substr(0, end);
        bytes.remove_prefix(end + 1);
        if (line.size() > max_line) {
            lines.push_back({false, {}});
            continue;
        }
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.push_back({true, std::string(line)});
    }
    return lines;
}

void check_reading(std::string_view line) {
    const packd::drivers::WeightReading reading = packd::drivers::parse_sim_weight(line);
    if (reading.valid) {
        check(std::llabs(reading.milligrams) <= 1000000000LL, "a valid reading is within 1000 kg",
              std::to_string(reading.milligrams));
        check(reading.reason.empty(), "a valid reading has no reason", reading.reason);
    } else {
        check(!reading.reason.empty(), "an invalid reading says why", std::string(line));
    }
}

void check_stream(std::size_t max_line, std::string_view bytes, std::size_t cut) {
    const std::vector<Line> whole = split(max_line, {bytes});
    const std::vector<Line> in_two = split(max_line, {bytes.substr(0, cut), bytes.substr(cut)});
    check(in_two == whole, "the lines do not depend on how the bytes arrive", bytes);
    const std::vector<Line> expected = expected_lines(max_line, bytes);
    check(whole.size() == expected.size(), "one line or one error per newline", bytes);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        const Line& line = whole[i];
        check(line.ok == expected[i].ok, "a line is reported as too long exactly when it is", bytes);
        if (line.ok) {
            check(line.text == expected[i].text, "a line is the bytes before its newline", line.text);
            check(line.text.size() <= max_line, "no line is longer than the limit", line.text);
            check_reading(line.text);
        } else {
            check(!line.text.empty(), "a discarded line is reported with a reason");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t cut = bytes.size() * std::size_t{data[0]} / 255;
    check_stream(256, bytes, cut);  // the sim scale's limit
    check_stream(16, bytes, cut);   // a short one, so that overlong lines are common
    check_reading(bytes);           // the parser on its own takes any bytes
    return 0;
}
