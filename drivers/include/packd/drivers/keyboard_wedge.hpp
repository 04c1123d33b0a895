#pragma once
// The codec of keyboard-wedge scanners: evdev input events in, scans out. It tracks the
// modifiers, cuts scans at the terminator key or at a pause, tells a scanner's burst of keys from
// a person typing by the events' own timestamps, and decodes the keys with the configured
// keyboard layout, or with the one whose decoding carries a valid check digit (layout-proof mode).
// Pure: no I/O and no clock; the transport passes the time in when it has seen nothing for a while.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/drivers/keymap.hpp"

namespace packd::drivers {

/// One struct input_event as the kernel delivers it (linux/input.h), time in microseconds.
struct InputEvent {
    int64_t time_us = 0;
    uint16_t type = 0;
    uint16_t code = 0;
    int32_t value = 0;
};

/// Cuts a byte stream read from /dev/input/event* into input events; a read may end inside one.
class InputEventReader {
  public:
    static constexpr std::size_t kEventSize = 24;  ///< sizeof(struct input_event) on 64-bit Linux
    void feed(std::span<const uint8_t> bytes, const std::function<void(const InputEvent&)>& sink);
    /// The bytes of one event, as the kernel writes it (for recordings and tests).
    static std::string encode(const InputEvent& event);

  private:
    std::vector<uint8_t> partial_;
};

/// The key that ends a scan besides a pause; the other one of Enter and Tab is kept as data.
enum class ScanTerminator { enter, tab, none };
const char* to_string(ScanTerminator terminator);
Result<ScanTerminator> parse_scan_terminator(std::string_view name);

struct KeyboardWedgeSettings {
    KeyboardLayout layout = KeyboardLayout::us;
    ScanTerminator terminator = ScanTerminator::enter;
    /// A pause this long after a burst of keys ends the scan (scanners set to send no suffix).
    int64_t gap_us = 50'000;
    /// Keys whose median spacing is longer than this were typed by a person, not scanned.
    int64_t max_key_interval_us = 30'000;
    /// A person's unterminated typing is dropped (and reported) after this long without a key.
    int64_t typing_timeout_us = 2'000'000;
    std::size_t max_keys = 4096;
    /// Decode with every layout when the configured one gives no verifiable code.
    bool layout_proof = false;
    /// True for a text that can only be a right decoding (a check digit holds). The default
    /// knows GTINs and SSCCs; the daemon passes one that knows GS1 strings and our own codes too.
    std::function<bool(std::string_view)> verifiable = has_gs1_check_digit;
};

/// One scan out of the key stream, or why the keys were not taken as a scan.
struct KeyedScan {
    std::string text;                            ///< decoded, UTF-8; what was read so far when rejected
    std::string rejected;                        ///< empty when the scan is good
    std::string warning;                         ///< e.g. the configured layout looks wrong
    KeyboardLayout layout = KeyboardLayout::us;  ///< the layout the text was decoded with
    std::vector<KeyStroke> keys;
};

class KeyboardWedgeCodec {
  public:
    using Sink = std::function<void(KeyedScan)>;

    explicit KeyboardWedgeCodec(KeyboardWedgeSettings settings);

    void feed(const InputEvent& event, const Sink& sink);
    /// Called by the transport when no event came for a while; ends a scan that paused long enough.
    void idle(int64_t now_us, const Sink& sink);
    /// The device went away (unplugged, read error): a scan in progress is reported as cut short.
    void abandon(const std::string& reason, const Sink& sink);
    /// When `idle` should next be called, if a scan is in progress.
    std::optional<int64_t> idle_deadline_us() const;
    bool scanning() const { return !keys_.empty(); }
    const KeyboardWedgeSettings& settings() const { return settings_; }

  private:
    void key_down(const InputEvent& event, const Sink& sink);
    void key_up(uint16_t code);
    void add(KeyStroke key, int64_t time_us);
    bool scanner_paced() const;
    int64_t median_interval_us() const;
    void finish(const Sink& sink, bool terminated);
    void reset_scan();
    KeyStroke stroke(uint16_t code) const;

    KeyboardWedgeSettings settings_;
    // Modifiers, as held now.
    bool left_shift_ = false, right_shift_ = false, left_ctrl_ = false, right_ctrl_ = false;
    bool left_alt_ = false, right_alt_ = false, caps_lock_ = false;
    std::optional<uint32_t> alt_code_;  ///< digits typed on the keypad while Alt is held
    // The scan in progress.
    std::vector<KeyStroke> keys_;
    std::vector<int64_t> press_times_;
    bool typed_by_hand_ = false;
    bool overflow_ = false;
    std::optional<uint16_t> held_key_;
    bool rest_of_lost_scan_ = false;  ///< keys after SYN_DROPPED until the scan's end
    int64_t last_press_us_ = 0;
};

}  // namespace packd::drivers
