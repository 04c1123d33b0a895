// ~HS answers, field by field as the ZPL II Programming Guide lists them (~HS "Host Status Return", String 1
// and String 2; String 3 holds the password and a RAM flag, which packd reads past).

#include "packd/drivers/zpl_status.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace packd::drivers {
namespace {

constexpr char kStx = '\x02';
constexpr char kEtx = '\x03';

std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == ',') {
            out.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

// A field of decimal digits, at most nine of them so the value fits a long on every platform.
bool number(std::string_view field, long& value) {
    if (field.empty() || field.size() > 9) {
        return false;
    }
    value = 0;
    for (const char c : field) {
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    return true;
}

std::string shown(std::string_view field) {
    std::string out;
    for (const char c : field.substr(0, 16)) {
        out += static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F ? c : '?';
    }
    return out;
}

}  // namespace

ZplStatusParse parse_zpl_host_status(std::string_view bytes) {
    ZplStatusParse parse;
    const auto malformed = [&](std::string why) {
        parse.progress = ZplStatusProgress::malformed;
        parse.error = "printer status answer is not a ~HS answer: " + std::move(why);
        return parse;
    };
    std::array<std::string_view, 3> strings;
    std::size_t pos = 0;
    for (std::size_t n = 0; n < strings.size(); ++n) {
        while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n')) {
            ++pos;
        }
        if (pos == bytes.size()) {
            return pos > kMaxZplStatusBytes ? malformed("too long") : parse;
        }
        if (bytes[pos] != kStx) {
            return malformed("string " + std::to_string(n + 1) + " does not start with STX");
        }
        const std::size_t end = bytes.find(kEtx, pos + 1);
        if (end == std::string_view::npos) {
            if (bytes.size() > kMaxZplStatusBytes) {
                return malformed("no ETX within " + std::to_string(kMaxZplStatusBytes) + " bytes");
            }
            if (bytes.find(kStx, pos + 1) != std::string_view::npos) {
                return malformed("string " + std::to_string(n + 1) + " has STX inside");
            }
            return parse;
        }
        strings[n] = bytes.substr(pos + 1, end - pos - 1);
        if (strings[n].find(kStx) != std::string_view::npos) {
            return malformed("string " + std::to_string(n + 1) + " has STX inside");
        }
        pos = end + 1;
    }
    // The CR LF after the third ETX belongs to the answer; take it when it has arrived.
    for (const char c : {'\r', '\n'}) {
        if (pos < bytes.size() && bytes[pos] == c) {
            ++pos;
        }
    }
    if (pos > kMaxZplStatusBytes) {
        return malformed("too long");
    }

    const auto first = split_commas(strings[0]);
    const auto second = split_commas(strings[1]);
    if (first.size() != 12) {
        return malformed("string 1 has " + std::to_string(first.size()) + " fields, not 12");
    }
    if (second.size() != 11) {
        return malformed("string 2 has " + std::to_string(second.size()) + " fields, not 11");
    }
    std::array<long, 12> a{};
    for (std::size_t i = 0; i < first.size(); ++i) {
        if (!number(first[i], a[i])) {
            return malformed("string 1 field " + std::to_string(i + 1) + " '" + shown(first[i]) +
                             "' is not a number");
        }
    }
    std::array<long, 11> b{};
    for (std::size_t i = 0; i < second.size(); ++i) {
        if (!number(second[i], b[i])) {
            return malformed("string 2 field " + std::to_string(i + 1) + " '" + shown(second[i]) +
                             "' is not a number");
        }
    }
    ZplHostStatus& s = parse.status;
    s.paper_out = a[1] == 1;
    s.paused = a[2] == 1;
    s.label_length_dots = static_cast<int>(a[3]);
    s.formats_in_buffer = static_cast<int>(a[4]);
    s.buffer_full = a[5] == 1;
    s.partial_format = a[7] == 1;
    s.corrupt_ram = a[9] == 1;
    s.under_temperature = a[10] == 1;
    s.over_temperature = a[11] == 1;
    s.head_open = b[2] == 1;
    s.ribbon_out = b[3] == 1;
    s.label_waiting = b[7] == 1;
    s.labels_remaining = b[8];
    parse.progress = ZplStatusProgress::complete;
    parse.consumed = pos;
    return parse;
}

bool can_print(const ZplHostStatus& s) {
    return !(s.paper_out || s.ribbon_out || s.head_open || s.paused || s.over_temperature || s.corrupt_ram ||
             s.buffer_full || s.cutter_fault || s.motor_over_temperature || s.head_fault ||
             s.invalid_firmware_config || s.paper_path_fault || s.other_error_group1 != 0 ||
             s.other_error_group2 != 0 || s.error_flag_only);
}

DeviceStatus device_status(const ZplHostStatus& s) {
    // The most actionable condition first: an open head also reads as paper out on many models.
    if (s.head_open) {
        return {DeviceState::fault, "print head open: close the head"};
    }
    if (s.paper_out) {
        return {DeviceState::fault, "paper out: load labels"};
    }
    if (s.ribbon_out) {
        return {DeviceState::fault, "ribbon out: load a ribbon"};
    }
    if (s.over_temperature) {
        return {DeviceState::fault, "print head too hot: let it cool down"};
    }
    if (s.cutter_fault) {
        return {DeviceState::fault, "cutter fault: clear the cutter"};
    }
    if (s.paper_path_fault) {
        return {DeviceState::fault, "paper jam or feed error: clear the paper path"};
    }
    if (s.motor_over_temperature) {
        return {DeviceState::fault, "motor too hot: let it cool down"};
    }
    if (s.head_fault) {
        return {DeviceState::fault, "print head fault: check or replace the print head"};
    }
    if (s.invalid_firmware_config) {
        return {DeviceState::fault, "invalid firmware configuration: check the printer's firmware"};
    }
    if (s.corrupt_ram) {
        return {DeviceState::fault, "printer lost its settings: check its configuration"};
    }
    if (s.paused) {
        return {DeviceState::fault, "paused: press PAUSE on the printer to resume"};
    }
    if (s.buffer_full) {
        return {DeviceState::fault, "receive buffer full: the printer is still busy"};
    }
    if (s.error_flag_only) {
        return {DeviceState::fault, "printer reports an error without naming it: see its display"};
    }
    if (s.other_error_group1 != 0 || s.other_error_group2 != 0) {
        char bits[24];
        std::snprintf(bits, sizeof bits, "%08X %08X", static_cast<unsigned>(s.other_error_group2),
                      static_cast<unsigned>(s.other_error_group1));
        return {DeviceState::fault, std::string("printer reports error flags ") + bits + ": see its display"};
    }
    // Warnings: the printer prints, the operator should know.
    std::string notes;
    const auto note = [&notes](bool on, const char* text) {
        if (on) {
            notes += notes.empty() ? "" : ", ";
            notes += text;
        }
    };
    note(s.label_waiting, "a peeled label waits to be taken");
    note(s.paper_near_end, "labels nearly out");
    note(s.replace_head, "print head needs replacing");
    note(s.clean_head, "print head needs cleaning");
    note(s.needs_calibration, "media needs calibrating");
    if (!notes.empty()) {
        return {DeviceState::ready, "ready; " + notes};
    }
    return {DeviceState::ready, "ready"};
}

}  // namespace packd::drivers
