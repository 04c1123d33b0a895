#include "packd/drivers/keyboard_wedge.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <cstring>

namespace packd::drivers {
namespace {

// struct input_event on 64-bit Linux (linux/input.h): struct timeval {int64 sec; int64 usec}, u16 type,
// u16 code, s32 value, in host byte order.
InputEvent decode_event(const uint8_t* p) {
    int64_t sec = 0;
    int64_t usec = 0;
    InputEvent e;
    std::memcpy(&sec, p, 8);
    std::memcpy(&usec, p + 8, 8);
    std::memcpy(&e.type, p + 16, 2);
    std::memcpy(&e.code, p + 18, 2);
    std::memcpy(&e.value, p + 20, 4);
    // Clamped so that arithmetic on times of garbage events cannot overflow.
    constexpr int64_t kMaxSeconds = int64_t{1} << 40;
    sec = std::clamp<int64_t>(sec, 0, kMaxSeconds);
    usec = std::clamp<int64_t>(usec, 0, 999'999);
    e.time_us = sec * 1'000'000 + usec;
    return e;
}

std::optional<uint32_t> keypad_digit(uint16_t code) {
    constexpr uint16_t kDigits[] = {KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
                                    KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9};
    for (uint32_t d = 0; d < 10; ++d) {
        if (kDigits[d] == code) {
            return d;
        }
    }
    return std::nullopt;
}

std::string ms(int64_t us) {
    return std::to_string(us / 1000) + "." + std::to_string((us % 1000) / 100) + " ms";
}

}  // namespace

void InputEventReader::feed(std::span<const uint8_t> bytes,
                            const std::function<void(const InputEvent&)>& sink) {
    while (!bytes.empty()) {
        if (partial_.empty() && bytes.size() >= kEventSize) {
            sink(decode_event(bytes.data()));
            bytes = bytes.subspan(kEventSize);
            continue;
        }
        const std::size_t take = std::min(bytes.size(), kEventSize - partial_.size());
        partial_.insert(partial_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
        bytes = bytes.subspan(take);
        if (partial_.size() == kEventSize) {
            sink(decode_event(partial_.data()));
            partial_.clear();
        }
    }
}

std::string InputEventReader::encode(const InputEvent& event) {
    std::string out(kEventSize, '\0');
    const int64_t sec = event.time_us / 1'000'000;
    const int64_t usec = event.time_us % 1'000'000;
    std::memcpy(out.data(), &sec, 8);
    std::memcpy(out.data() + 8, &usec, 8);
    std::memcpy(out.data() + 16, &event.type, 2);
    std::memcpy(out.data() + 18, &event.code, 2);
    std::memcpy(out.data() + 20, &event.value, 4);
    return out;
}

const char* to_string(ScanTerminator terminator) {
    switch (terminator) {
        case ScanTerminator::enter:
            return "enter";
        case ScanTerminator::tab:
            return "tab";
        case ScanTerminator::none:
            return "none";
    }
    return "enter";
}

Result<ScanTerminator> parse_scan_terminator(std::string_view name) {
    for (const ScanTerminator t : {ScanTerminator::enter, ScanTerminator::tab, ScanTerminator::none}) {
        if (name == to_string(t)) {
            return t;
        }
    }
    return fail("unknown scan terminator '" + std::string(name) + "' (enter, tab or none)");
}

KeyboardWedgeCodec::KeyboardWedgeCodec(KeyboardWedgeSettings settings) : settings_(std::move(settings)) {}

KeyStroke KeyboardWedgeCodec::stroke(uint16_t code) const {
    KeyStroke key;
    key.code = code;
    key.shift = left_shift_ || right_shift_;
    // AltGr is the right Alt key; Ctrl+Alt gives the same level (as on Windows, which scanners copy).
    key.altgr = right_alt_ || ((left_ctrl_ || right_ctrl_) && left_alt_);
    key.ctrl = (left_ctrl_ || right_ctrl_) && !key.altgr;
    key.caps_lock = caps_lock_;
    return key;
}

void KeyboardWedgeCodec::feed(const InputEvent& event, const Sink& sink) {
    if (event.type == EV_SYN && event.code == SYN_DROPPED) {
        // The kernel's buffer overflowed: keys are missing, so the scan cannot be trusted.
        abandon("input events were lost (SYN_DROPPED): scan again", sink);
        rest_of_lost_scan_ = true;
        return;
    }
    if (event.type != EV_KEY) {
        return;
    }
    if (event.value == 0) {
        key_up(event.code);
        if (event.code == KEY_LEFTALT && alt_code_) {
            const uint32_t code = *alt_code_ % 256;
            alt_code_.reset();
            if (code != 0) {
                KeyStroke key;
                key.alt_code = code;
                add(key, event.time_us);
            }
        }
        return;
    }
    if (event.value == 2) {
        // Autorepeat: a key held down for longer than the repeat delay. Scanners release every key at
        // once, so this is a stuck key or something resting on a keyboard; modifiers may repeat harmlessly.
        const bool modifier = event.code == KEY_LEFTSHIFT || event.code == KEY_RIGHTSHIFT ||
                              event.code == KEY_LEFTCTRL || event.code == KEY_RIGHTCTRL ||
                              event.code == KEY_LEFTALT || event.code == KEY_RIGHTALT;
        if (!modifier && !keys_.empty()) {
            held_key_ = event.code;
        }
        return;
    }
    key_down(event, sink);
}

void KeyboardWedgeCodec::key_up(uint16_t code) {
    switch (code) {
        case KEY_LEFTSHIFT:
            left_shift_ = false;
            break;
        case KEY_RIGHTSHIFT:
            right_shift_ = false;
            break;
        case KEY_LEFTCTRL:
            left_ctrl_ = false;
            break;
        case KEY_RIGHTCTRL:
            right_ctrl_ = false;
            break;
        case KEY_LEFTALT:
            left_alt_ = false;
            break;
        case KEY_RIGHTALT:
            right_alt_ = false;
            break;
        default:
            break;
    }
}

void KeyboardWedgeCodec::key_down(const InputEvent& event, const Sink& sink) {
    switch (event.code) {
        case KEY_LEFTSHIFT:
            left_shift_ = true;
            return;
        case KEY_RIGHTSHIFT:
            right_shift_ = true;
            return;
        case KEY_LEFTCTRL:
            left_ctrl_ = true;
            return;
        case KEY_RIGHTCTRL:
            right_ctrl_ = true;
            return;
        case KEY_LEFTALT:
            left_alt_ = true;
            alt_code_.reset();
            return;
        case KEY_RIGHTALT:
            right_alt_ = true;
            return;
        case KEY_CAPSLOCK:
            caps_lock_ = !caps_lock_;
            return;
        default:
            break;
    }
    if (!keys_.empty() && event.time_us - last_press_us_ > settings_.gap_us) {
        if (keys_.size() >= 2 && scanner_paced()) {
            finish(sink, false);
        } else {
            typed_by_hand_ =
                true;  // a pause inside typing: keep the keys together and reject them at the end
        }
    }
    const bool enter = event.code == KEY_ENTER || event.code == KEY_KPENTER;
    const bool tab = event.code == KEY_TAB;
    if ((enter && settings_.terminator == ScanTerminator::enter) ||
        (tab && settings_.terminator == ScanTerminator::tab)) {
        if (!keys_.empty()) {
            press_times_.push_back(event.time_us);  // the terminator's timing counts too
            finish(sink, true);
        }
        return;
    }
    if (enter || tab) {
        KeyStroke key;
        key.alt_code = enter ? U'\n' : U'\t';
        add(key, event.time_us);
        return;
    }
    if (left_alt_ && !right_alt_ && !left_ctrl_ && !right_ctrl_) {
        if (auto digit = keypad_digit(event.code)) {
            alt_code_ = (alt_code_.value_or(0) * 10 + *digit) % 100000;
            return;
        }
    }
    add(stroke(event.code), event.time_us);
}

void KeyboardWedgeCodec::add(KeyStroke key, int64_t time_us) {
    if (keys_.size() >= settings_.max_keys) {
        overflow_ = true;
        last_press_us_ = time_us;
        return;
    }
    keys_.push_back(key);
    press_times_.push_back(time_us);
    last_press_us_ = time_us;
}

int64_t KeyboardWedgeCodec::median_interval_us() const {
    if (press_times_.size() < 2) {
        return 0;
    }
    std::vector<int64_t> gaps;
    gaps.reserve(press_times_.size() - 1);
    for (std::size_t i = 1; i < press_times_.size(); ++i) {
        gaps.push_back(press_times_[i] - press_times_[i - 1]);
    }
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    return gaps[gaps.size() / 2];
}

bool KeyboardWedgeCodec::scanner_paced() const {
    return !typed_by_hand_ && median_interval_us() <= settings_.max_key_interval_us;
}

void KeyboardWedgeCodec::idle(int64_t now_us, const Sink& sink) {
    if (keys_.empty()) {
        return;
    }
    const int64_t quiet = now_us - last_press_us_;
    if (keys_.size() >= 2 && scanner_paced() && quiet > settings_.gap_us) {
        finish(sink, false);
    } else if (quiet > settings_.typing_timeout_us) {
        typed_by_hand_ = typed_by_hand_ || keys_.size() < 2 || !scanner_paced();
        finish(sink, false);
    }
}

std::optional<int64_t> KeyboardWedgeCodec::idle_deadline_us() const {
    if (keys_.empty()) {
        return std::nullopt;
    }
    const bool burst = keys_.size() >= 2 && scanner_paced();
    return last_press_us_ + (burst ? settings_.gap_us : settings_.typing_timeout_us) + 1;
}

void KeyboardWedgeCodec::abandon(const std::string& reason, const Sink& sink) {
    rest_of_lost_scan_ = false;
    left_shift_ = right_shift_ = left_ctrl_ = right_ctrl_ = left_alt_ = right_alt_ = false;
    alt_code_.reset();
    if (keys_.empty()) {
        reset_scan();
        return;
    }
    KeyedScan scan;
    scan.layout = settings_.layout;
    auto text = decode_keys(settings_.layout, keys_);
    scan.text = text ? *text : std::string();
    scan.rejected = "scan cut short: " + reason;
    scan.keys = std::move(keys_);
    reset_scan();
    sink(std::move(scan));
}

void KeyboardWedgeCodec::reset_scan() {
    keys_.clear();
    press_times_.clear();
    typed_by_hand_ = false;
    overflow_ = false;
    held_key_.reset();
}

void KeyboardWedgeCodec::finish(const Sink& sink, bool terminated) {
    KeyedScan scan;
    scan.layout = settings_.layout;
    auto decoded = decode_keys(settings_.layout, keys_);
    if (decoded) {
        scan.text = *decoded;
    }
    const int64_t median = median_interval_us();
    if (rest_of_lost_scan_) {
        scan.rejected = "the rest of a scan whose start was lost (SYN_DROPPED): scan again";
    } else if (held_key_) {
        scan.rejected = "key " + std::to_string(*held_key_) +
                        " was held down: a stuck key or something resting on a keyboard, not a scan";
    } else if (overflow_) {
        scan.rejected =
            "more than " + std::to_string(settings_.max_keys) + " keys without an end: not a scan";
    } else if (press_times_.size() < 2) {
        scan.rejected = "a single key press" + std::string(terminated ? "" : " and a pause") +
                        ": typed by hand, not scanned";
    } else if (typed_by_hand_ || median > settings_.max_key_interval_us) {
        scan.rejected = "typed by hand, not scanned: keys came " + ms(median) +
                        " apart (a scanner sends them within " + ms(settings_.max_key_interval_us) + ")";
    }
    bool proven_elsewhere = false;
    if (scan.rejected.empty() && settings_.layout_proof && settings_.verifiable &&
        !(decoded && settings_.verifiable(*decoded))) {
        for (const KeyboardLayout other : kAllKeyboardLayouts) {
            if (other == settings_.layout) {
                continue;
            }
            auto alternative = decode_keys(other, keys_);
            if (alternative && settings_.verifiable(*alternative)) {
                scan.warning = std::string("the scan reads as a valid code only on the ") + to_string(other) +
                               " keyboard layout, not on the configured " + to_string(settings_.layout) +
                               ": set the scanner's keyboard country or the scanner's layout in the config";
                scan.text = std::move(*alternative);
                scan.layout = other;
                proven_elsewhere = true;
                break;
            }
        }
    }
    if (scan.rejected.empty() && !decoded && !proven_elsewhere) {
        scan.rejected = decoded.error().message;
    }
    scan.keys = std::move(keys_);
    reset_scan();
    rest_of_lost_scan_ = false;
    sink(std::move(scan));
}

}  // namespace packd::drivers
