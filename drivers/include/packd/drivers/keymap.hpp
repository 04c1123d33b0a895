#pragma once
// Keyboard layouts of keyboard-wedge scanners: a scanner types a barcode as key presses of the
// keyboard country it is set to emulate, so the same evdev key codes mean different characters on
// a German or a French station. Pure tables and functions: no I/O, no clock.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::drivers {

/// The keyboard countries a scanner can be set to. `nordic` is the Swedish/Finnish layout.
enum class KeyboardLayout { us, uk, de, fr, be, es, it, nordic };

inline constexpr KeyboardLayout kAllKeyboardLayouts[] = {
    KeyboardLayout::us, KeyboardLayout::uk, KeyboardLayout::de, KeyboardLayout::fr,
    KeyboardLayout::be, KeyboardLayout::es, KeyboardLayout::it, KeyboardLayout::nordic};

const char* to_string(KeyboardLayout layout);
Result<KeyboardLayout> parse_keyboard_layout(std::string_view name);

/// One key press with the modifiers held at that moment, as a scan recorded it.
struct KeyStroke {
    uint16_t code = 0;  ///< evdev key code (linux/input-event-codes.h)
    bool shift = false;
    bool altgr = false;  ///< right Alt, or Ctrl+Alt
    bool ctrl = false;
    bool caps_lock = false;
    /// Non-zero when the character was typed as Alt + a code on the numeric keypad ("Alt mode",
    /// e.g. Alt+0029 for GS): the same on every layout, so `code` is 0 then.
    char32_t alt_code = 0;

    bool operator==(const KeyStroke&) const = default;
};

/// What one key press means in a layout: a character, a dead key waiting for the next key
/// (`combining` holds the accent, e.g. U+0302 for a dead circumflex), or nothing.
struct KeyMeaning {
    enum class Kind { none, character, dead };
    Kind kind = Kind::none;
    char32_t ch = 0;
};

KeyMeaning key_meaning(KeyboardLayout layout, const KeyStroke& key);

/// The text a scanner typed: key presses decoded in `layout`, as UTF-8. A dead key followed by
/// the space bar gives the accent itself ("^" on a German keyboard is dead circumflex + space);
/// followed by another key it gives the accent and then that key. Ctrl with a key whose
/// character is '@' to '_' or a letter gives the control character (Ctrl+] = GS, 0x1D).
/// Fails naming the first key that means nothing in the layout.
Result<std::string> decode_keys(KeyboardLayout layout, std::span<const KeyStroke> keys);

/// A UTF-8 encoding of one code point (helper shared with the scan assembler).
void append_utf8(std::string& out, char32_t ch);

/// True for all-digit codes of GS1 length (GTIN-8/12/13/14, SSCC-18) whose last digit is their
/// GS1 modulo 10 check digit (GS1 General Specifications 7.9.1): a scan that proves its layout.
bool has_gs1_check_digit(std::string_view code);

}  // namespace packd::drivers
