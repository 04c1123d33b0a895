#pragma once
// Key sequences for keyboard-wedge scanner tests, written the way a scanner manual's keyboard
// country tables list them: "S+o" is Shift+O, "G+q" is AltGr+Q, "C+rightbrace" is Ctrl+].

#include <linux/input-event-codes.h>

#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "packd/drivers/keyboard_wedge.hpp"

namespace packd::drivers::test {

inline uint16_t key_code(const std::string& name) {
    static const std::map<std::string, uint16_t> kKeys = {{"1", KEY_1},
                                                          {"2", KEY_2},
                                                          {"3", KEY_3},
                                                          {"4", KEY_4},
                                                          {"5", KEY_5},
                                                          {"6", KEY_6},
                                                          {"7", KEY_7},
                                                          {"8", KEY_8},
                                                          {"9", KEY_9},
                                                          {"0", KEY_0},
                                                          {"a", KEY_A},
                                                          {"b", KEY_B},
                                                          {"c", KEY_C},
                                                          {"d", KEY_D},
                                                          {"e", KEY_E},
                                                          {"f", KEY_F},
                                                          {"g", KEY_G},
                                                          {"h", KEY_H},
                                                          {"i", KEY_I},
                                                          {"j", KEY_J},
                                                          {"k", KEY_K},
                                                          {"l", KEY_L},
                                                          {"m", KEY_M},
                                                          {"n", KEY_N},
                                                          {"o", KEY_O},
                                                          {"p", KEY_P},
                                                          {"q", KEY_Q},
                                                          {"r", KEY_R},
                                                          {"s", KEY_S},
                                                          {"t", KEY_T},
                                                          {"u", KEY_U},
                                                          {"v", KEY_V},
                                                          {"w", KEY_W},
                                                          {"x", KEY_X},
                                                          {"y", KEY_Y},
                                                          {"z", KEY_Z},
                                                          {"minus", KEY_MINUS},
                                                          {"equal", KEY_EQUAL},
                                                          {"leftbrace", KEY_LEFTBRACE},
                                                          {"rightbrace", KEY_RIGHTBRACE},
                                                          {"semicolon", KEY_SEMICOLON},
                                                          {"apostrophe", KEY_APOSTROPHE},
                                                          {"grave", KEY_GRAVE},
                                                          {"backslash", KEY_BACKSLASH},
                                                          {"102nd", KEY_102ND},
                                                          {"comma", KEY_COMMA},
                                                          {"dot", KEY_DOT},
                                                          {"slash", KEY_SLASH},
                                                          {"space", KEY_SPACE},
                                                          {"enter", KEY_ENTER},
                                                          {"tab", KEY_TAB}};
    const auto it = kKeys.find(name);
    if (it == kKeys.end()) {
        throw std::invalid_argument("no key named " + name);
    }
    return it->second;
}

struct NamedKey {
    uint16_t code = 0;
    bool shift = false, altgr = false, ctrl = false;
};

inline std::vector<NamedKey> named_keys(const std::string& keys) {
    std::vector<NamedKey> out;
    std::istringstream in(keys);
    for (std::string token; in >> token;) {
        NamedKey k;
        while (token.size() > 2 && token[1] == '+') {
            k.shift = k.shift || token[0] == 'S';
            k.altgr = k.altgr || token[0] == 'G';
            k.ctrl = k.ctrl || token[0] == 'C';
            token.erase(0, 2);
        }
        k.code = key_code(token);
        out.push_back(k);
    }
    return out;
}

/// The key strokes of "S+o S+r 1 ..." for decode_keys.
inline std::vector<KeyStroke> strokes(const std::string& keys) {
    std::vector<KeyStroke> out;
    for (const NamedKey& k : named_keys(keys)) {
        KeyStroke s;
        s.code = k.code;
        s.shift = k.shift;
        s.altgr = k.altgr;
        s.ctrl = k.ctrl;
        out.push_back(s);
    }
    return out;
}

/// Writes the input events a scanner (or a person) produces: modifier down, key down, key up,
/// modifier up, one key every `interval_us`.
struct KeyTypist {
    KeyTypist(int64_t start_us, int64_t interval_us) : at(start_us), interval(interval_us) {}

    void press(uint16_t code) {
        at += interval;
        events.push_back({at, EV_KEY, code, 1});
        events.push_back({at + 100, EV_SYN, SYN_REPORT, 0});
        events.push_back({at + 200, EV_KEY, code, 0});
        events.push_back({at + 300, EV_SYN, SYN_REPORT, 0});
    }

    void type(const std::string& keys) {
        for (const NamedKey& k : named_keys(keys)) {
            const uint16_t modifier = k.shift ? KEY_LEFTSHIFT : k.altgr ? KEY_RIGHTALT : KEY_LEFTCTRL;
            const bool held = k.shift || k.altgr || k.ctrl;
            if (held) {
                events.push_back({at + interval / 2, EV_KEY, modifier, 1});
            }
            press(k.code);
            if (held) {
                events.push_back({at + 400, EV_KEY, modifier, 0});
            }
        }
    }

    int64_t at;
    int64_t interval;
    std::vector<InputEvent> events;
};

}  // namespace packd::drivers::test
