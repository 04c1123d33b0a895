// ~HQES answers (ZPL II Programming Guide, ~HQ "Host Query", ES). The error and warning bits are those of the
// guide's "Error Flags" and "Warning Flags" tables, which list group 2 as all zeros; packd names the group 1
// bits of nibbles 1 to 5 and reports any other set bit by its value, so an unknown fault still stops a job.

#include "packd/drivers/zpl_hqes.hpp"

#include <vector>

namespace packd::drivers {
namespace {

constexpr char kStx = '\x02';
constexpr char kEtx = '\x03';

// Error flags, group 1 (~HQ, "Error Flags" table).
constexpr uint32_t kMediaOut = 0x00000001;
constexpr uint32_t kRibbonOut = 0x00000002;
constexpr uint32_t kHeadOpen = 0x00000004;
constexpr uint32_t kCutterFault = 0x00000008;
constexpr uint32_t kHeadOverTemperature = 0x00000010;
constexpr uint32_t kMotorOverTemperature = 0x00000020;
constexpr uint32_t kBadHeadElement = 0x00000040;
constexpr uint32_t kHeadDetectionError = 0x00000080;
constexpr uint32_t kInvalidFirmwareConfig = 0x00000100;
constexpr uint32_t kHeadThermistorOpen = 0x00000200;
// Nibbles 4 and 5 are the paper path of kiosk printers: paper jam during retract (0x1000), presenter not
// running (0x2000), paper feed error (0x4000), clear paper path failed (0x8000), black mark calibrate error
// (0x40000), black mark not found (0x80000).
constexpr uint32_t kPaperPath = 0x0000F000 | 0x000C0000;
constexpr uint32_t kHeadFaults = kBadHeadElement | kHeadDetectionError | kHeadThermistorOpen;
constexpr uint32_t kKnownErrors = kMediaOut | kRibbonOut | kHeadOpen | kCutterFault | kHeadOverTemperature |
                                  kMotorOverTemperature | kHeadFaults | kInvalidFirmwareConfig | kPaperPath;

// Warning flags, group 1 (~HQ, "Warning Flags" table). Nibbles 2 and 3 are sensor states (paper before and
// after the head, black mark, loop, presenter, retract, bin) that say nothing is wrong, so they are not read.
// Unlike the error bits, these four have not been checked against a second copy of the table or a printer;
// a wrong one only changes the note on a ready printer, never whether a job is sent.
constexpr uint32_t kNeedCalibration = 0x00000001;
constexpr uint32_t kCleanHead = 0x00000002;
constexpr uint32_t kReplaceHead = 0x00000004;
constexpr uint32_t kPaperNearEnd = 0x00000008;

std::string shown(std::string_view text) {
    std::string out;
    for (const char c : text.substr(0, 24)) {
        out += static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F ? c : '?';
    }
    return out;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
            ++i;
        }
        if (i > start) {
            out.push_back(s.substr(start, i - start));
        }
    }
    return out;
}

bool hex_group(std::string_view text, uint32_t& value) {
    if (text.size() != 8) {
        return false;
    }
    value = 0;
    for (const char c : text) {
        uint32_t digit = 0;
        if (c >= '0' && c <= '9') {
            digit = static_cast<uint32_t>(c - '0');
        } else if (c >= 'A' && c <= 'F') {
            digit = static_cast<uint32_t>(c - 'A' + 10);
        } else if (c >= 'a' && c <= 'f') {
            digit = static_cast<uint32_t>(c - 'a' + 10);
        } else {
            return false;
        }
        value = value << 4 | digit;
    }
    return true;
}

// "1 00000000 00000005" after the label; an empty string when it reads, else why not.
std::string flags(std::string_view text, ZplHqesFlags& out) {
    const auto w = words(text);
    if (w.size() != 3) {
        return "has " + std::to_string(w.size()) + " values, not 3 (flag, group 2, group 1)";
    }
    if (w[0] != "0" && w[0] != "1") {
        return "flag '" + shown(w[0]) + "' is not 0 or 1";
    }
    out.any = w[0] == "1";
    if (!hex_group(w[1], out.group2)) {
        return "group 2 '" + shown(w[1]) + "' is not eight hex digits";
    }
    if (!hex_group(w[2], out.group1)) {
        return "group 1 '" + shown(w[2]) + "' is not eight hex digits";
    }
    return {};
}

}  // namespace

ZplHqesParse parse_zpl_hqes(std::string_view bytes) {
    ZplHqesParse parse;
    const auto malformed = [&](std::string why) {
        parse.progress = ZplStatusProgress::malformed;
        parse.error = "printer status answer is not a ~HQES answer: " + std::move(why);
        return parse;
    };
    std::size_t pos = 0;
    while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) {
        ++pos;
    }
    if (pos == bytes.size()) {
        return pos > kMaxZplHqesBytes ? malformed("too long") : parse;
    }
    if (bytes[pos] != kStx) {
        return malformed("it does not start with STX");
    }
    const std::size_t end = bytes.find(kEtx, pos + 1);
    const std::size_t inner_stx = bytes.find(kStx, pos + 1);
    if (inner_stx != std::string_view::npos && (end == std::string_view::npos || inner_stx < end)) {
        return malformed("STX inside the answer");
    }
    if (end == std::string_view::npos) {
        return bytes.size() > kMaxZplHqesBytes
                   ? malformed("no ETX within " + std::to_string(kMaxZplHqesBytes) + " bytes")
                   : parse;
    }
    const std::string_view body = bytes.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    for (const char c : {'\r', '\n'}) {
        if (pos < bytes.size() && bytes[pos] == c) {
            ++pos;
        }
    }
    if (pos > kMaxZplHqesBytes) {
        return malformed("too long");
    }

    bool title = false;
    bool errors = false;
    bool warnings = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= body.size(); ++i) {
        if (i < body.size() && body[i] != '\r' && body[i] != '\n') {
            continue;
        }
        const std::string_view line = trimmed(body.substr(start, i - start));
        start = i + 1;
        if (line.empty()) {
            continue;
        }
        if (!title) {
            if (line != "PRINTER STATUS") {
                return malformed("first line '" + shown(line) + "' is not PRINTER STATUS");
            }
            title = true;
            continue;
        }
        const bool is_errors = line.starts_with("ERRORS:");
        const bool is_warnings = line.starts_with("WARNINGS:");
        if (!is_errors && !is_warnings) {
            return malformed("unexpected line '" + shown(line) + "'");
        }
        bool& seen = is_errors ? errors : warnings;
        if (seen) {
            return malformed(std::string(is_errors ? "ERRORS" : "WARNINGS") + " appears twice");
        }
        seen = true;
        const std::string_view rest = line.substr(is_errors ? 7 : 9);
        if (std::string why = flags(rest, is_errors ? parse.answer.errors : parse.answer.warnings);
            !why.empty()) {
            return malformed(std::string(is_errors ? "ERRORS" : "WARNINGS") + " " + why);
        }
    }
    if (!title) {
        return malformed("no PRINTER STATUS title");
    }
    if (!errors || !warnings) {
        return malformed(std::string("no ") + (errors ? "WARNINGS" : "ERRORS") + " line");
    }
    parse.progress = ZplStatusProgress::complete;
    parse.consumed = pos;
    return parse;
}

void merge_hqes(const ZplHqesAnswer& answer, ZplHostStatus& s) {
    // A printer that sets bits but not the flag (or the flag without bits) is taken at its bits, and at
    // its flag: either way something is wrong.
    const uint32_t e = answer.errors.group1;
    s.paper_out = s.paper_out || (e & kMediaOut) != 0;
    s.ribbon_out = s.ribbon_out || (e & kRibbonOut) != 0;
    s.head_open = s.head_open || (e & kHeadOpen) != 0;
    s.over_temperature = s.over_temperature || (e & kHeadOverTemperature) != 0;
    s.cutter_fault = (e & kCutterFault) != 0;
    s.motor_over_temperature = (e & kMotorOverTemperature) != 0;
    s.head_fault = (e & kHeadFaults) != 0;
    s.invalid_firmware_config = (e & kInvalidFirmwareConfig) != 0;
    s.paper_path_fault = (e & kPaperPath) != 0;
    s.other_error_group1 = e & ~kKnownErrors;
    s.other_error_group2 = answer.errors.group2;
    s.error_flag_only = answer.errors.any && e == 0 && answer.errors.group2 == 0;
    const uint32_t w = answer.warnings.group1;
    s.needs_calibration = (w & kNeedCalibration) != 0;
    s.clean_head = (w & kCleanHead) != 0;
    s.replace_head = (w & kReplaceHead) != 0;
    s.paper_near_end = (w & kPaperNearEnd) != 0;
}

}  // namespace packd::drivers
