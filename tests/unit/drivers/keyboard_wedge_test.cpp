#include <gtest/gtest.h>
#include <linux/input-event-codes.h>

#include <map>
#include <sstream>

#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/drivers/keymap.hpp"
#include "wedge_keys.hpp"  // tests/support

namespace packd::drivers {
namespace {

using test::KeyTypist;
using test::strokes;

std::vector<KeyedScan> run(KeyboardWedgeCodec& codec, const std::vector<InputEvent>& events) {
    std::vector<KeyedScan> scans;
    for (const InputEvent& e : events) {
        codec.feed(e, [&](KeyedScan s) { scans.push_back(std::move(s)); });
    }
    return scans;
}

// What a scanner set to each keyboard country types for "ORD-2024/7@Zy": the keys of that
// country's layout (Shift "S+", AltGr "G+"), as its programming guide's country tables give them.
struct LayoutCase {
    KeyboardLayout layout;
    const char* keys;
};
constexpr const char* kText = "ORD-2024/7@Zy";
const LayoutCase kCases[] = {
    {KeyboardLayout::us, "S+o S+r S+d minus 2 0 2 4 slash 7 S+2 S+z y"},
    {KeyboardLayout::uk, "S+o S+r S+d minus 2 0 2 4 slash 7 S+apostrophe S+z y"},
    {KeyboardLayout::de, "S+o S+r S+d slash 2 0 2 4 S+7 7 G+q S+y z"},
    {KeyboardLayout::fr, "S+o S+r S+d 6 S+2 S+0 S+2 S+4 S+dot S+7 G+0 S+w y"},
    {KeyboardLayout::be, "S+o S+r S+d equal S+2 S+0 S+2 S+4 S+dot S+7 G+2 S+w y"},
    {KeyboardLayout::es, "S+o S+r S+d slash 2 0 2 4 S+7 7 G+2 S+z y"},
    {KeyboardLayout::it, "S+o S+r S+d slash 2 0 2 4 S+7 7 G+semicolon S+z y"},
    {KeyboardLayout::nordic, "S+o S+r S+d slash 2 0 2 4 S+7 7 G+2 S+z y"},
};

TEST(Keymap, EveryLayoutDecodesItsScannersKeys) {
    for (const LayoutCase& c : kCases) {
        SCOPED_TRACE(to_string(c.layout));
        auto text = decode_keys(c.layout, strokes(c.keys));
        ASSERT_TRUE(text) << text.error().message;
        EXPECT_EQ(*text, kText);
    }
}

TEST(Keymap, TheSameKeysReadDifferentlyOnAnotherLayout) {
    // A French scanner's digits are shifted keys: on a US layout they are punctuation.
    auto us = decode_keys(KeyboardLayout::us, strokes("S+4 S+0 S+0 S+6"));
    ASSERT_TRUE(us);
    EXPECT_EQ(*us, "$))^");
    auto fr = decode_keys(KeyboardLayout::fr, strokes("S+4 S+0 S+0 S+6"));
    ASSERT_TRUE(fr);
    EXPECT_EQ(*fr, "4006");
    // German swaps Y and Z.
    EXPECT_EQ(*decode_keys(KeyboardLayout::de, strokes("y z")), "zy");
}

TEST(Keymap, AccentsDeadKeysControlAndAltCodes) {
    EXPECT_EQ(*decode_keys(KeyboardLayout::de, strokes("semicolon apostrophe leftbrace minus")), "öäüß");
    // A German scanner types '^' as dead circumflex then space.
    EXPECT_EQ(*decode_keys(KeyboardLayout::de, strokes("grave space 1")), "^1");
    // A dead key before another key gives the accent and the key.
    EXPECT_EQ(*decode_keys(KeyboardLayout::fr, strokes("leftbrace q")), "^a");
    EXPECT_EQ(*decode_keys(KeyboardLayout::es, strokes("S+apostrophe")), "\u00A8");
    // Ctrl+] is GS (0x1D), the FNC1 separator scanners send in keyboard mode.
    EXPECT_EQ(*decode_keys(KeyboardLayout::us, strokes("1 0 C+rightbrace 2 1")),
              "10\x1d"
              "21");
    KeyStroke alt;
    alt.alt_code = 0x1D;
    std::vector<KeyStroke> keys = strokes("S+1 S+0");
    keys.push_back(alt);
    EXPECT_EQ(*decode_keys(KeyboardLayout::fr, keys), "10\x1d");
    // Caps Lock shifts letters only.
    KeyStroke caps = strokes("a")[0];
    caps.caps_lock = true;
    KeyStroke caps_digit = strokes("1")[0];
    caps_digit.caps_lock = true;
    std::vector<KeyStroke> locked = {caps, caps_digit};
    EXPECT_EQ(*decode_keys(KeyboardLayout::us, locked), "A1");
}

TEST(Keymap, AKeyWithNothingOnItsLevelIsAnErrorNamingIt) {
    auto text = decode_keys(KeyboardLayout::us, strokes("1 G+q"));
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("position 2"), std::string::npos) << text.error().message;
    EXPECT_NE(text.error().message.find("us layout"), std::string::npos);
    EXPECT_FALSE(decode_keys(KeyboardLayout::us, std::vector<KeyStroke>{KeyStroke{KEY_F1}}));
}

TEST(Keymap, LayoutNames) {
    for (const KeyboardLayout l : kAllKeyboardLayouts) {
        EXPECT_EQ(*parse_keyboard_layout(to_string(l)), l);
    }
    EXPECT_FALSE(parse_keyboard_layout("dvorak"));
    EXPECT_TRUE(has_gs1_check_digit("4006381333931"));
    EXPECT_FALSE(has_gs1_check_digit("4006381333932"));
}

TEST(KeyboardWedge, ScannerBurstEndsAtTheTerminator) {
    for (const LayoutCase& c : kCases) {
        SCOPED_TRACE(to_string(c.layout));
        KeyboardWedgeSettings settings;
        settings.layout = c.layout;
        KeyboardWedgeCodec codec(settings);
        KeyTypist t(1'000'000, 2'000);
        t.type(c.keys);
        t.press(KEY_ENTER);
        auto scans = run(codec, t.events);
        ASSERT_EQ(scans.size(), 1u);
        EXPECT_EQ(scans[0].text, kText);
        EXPECT_EQ(scans[0].rejected, "");
        EXPECT_EQ(scans[0].warning, "");
        EXPECT_FALSE(codec.scanning());
    }
}

TEST(KeyboardWedge, TabTerminatorKeepsEnterAsData) {
    KeyboardWedgeSettings settings;
    settings.terminator = ScanTerminator::tab;
    KeyboardWedgeCodec codec(settings);
    KeyTypist t(0, 1'000);
    t.type("1 2");
    t.press(KEY_ENTER);
    t.type("3");
    t.press(KEY_TAB);
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "12\n3");
}

TEST(KeyboardWedge, APauseEndsAnUnterminatedScan) {
    KeyboardWedgeSettings settings;
    settings.terminator = ScanTerminator::none;
    KeyboardWedgeCodec codec(settings);
    KeyTypist t(5'000'000, 3'000);
    t.type("1 2 3");
    t.at += 200'000;
    t.type("4 5 6");
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);  // the pause ended "123"; "456" waits for a pause
    EXPECT_EQ(scans[0].text, "123");
    ASSERT_TRUE(codec.idle_deadline_us());
    codec.idle(*codec.idle_deadline_us() - 2, [&](KeyedScan s) { scans.push_back(std::move(s)); });
    EXPECT_EQ(scans.size(), 1u);
    codec.idle(*codec.idle_deadline_us(), [&](KeyedScan s) { scans.push_back(std::move(s)); });
    ASSERT_EQ(scans.size(), 2u);
    EXPECT_EQ(scans[1].text, "456");
    EXPECT_EQ(scans[1].rejected, "");
}

TEST(KeyboardWedge, TypingByHandIsRejected) {
    KeyboardWedgeCodec codec(KeyboardWedgeSettings{});
    KeyTypist t(0, 180'000);  // a person: keys about 180 ms apart
    t.type("S+d S+o S+n S+e");
    t.press(KEY_ENTER);
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "DONE");
    EXPECT_NE(scans[0].rejected.find("typed by hand"), std::string::npos) << scans[0].rejected;

    // Unterminated typing is reported once, after the typing timeout.
    KeyboardWedgeCodec quiet(KeyboardWedgeSettings{});
    KeyTypist u(0, 150'000);
    u.type("a b");
    scans = run(quiet, u.events);
    EXPECT_TRUE(scans.empty());
    quiet.idle(u.at + 3'000'000, [&](KeyedScan s) { scans.push_back(std::move(s)); });
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_NE(scans[0].rejected.find("typed by hand"), std::string::npos);
    EXPECT_FALSE(quiet.scanning());
}

TEST(KeyboardWedge, AStuckKeyIsRejected) {
    KeyboardWedgeCodec codec(KeyboardWedgeSettings{});
    KeyTypist t(0, 2'000);
    t.type("1");
    for (int i = 0; i < 5; ++i) {
        t.events.push_back({t.at += 33'000, EV_KEY, KEY_1, 2});  // autorepeat
    }
    t.press(KEY_ENTER);
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_NE(scans[0].rejected.find("held down"), std::string::npos) << scans[0].rejected;
}

TEST(KeyboardWedge, UnpluggedMidScanAndLostEvents) {
    KeyboardWedgeCodec codec(KeyboardWedgeSettings{});
    KeyTypist t(0, 2'000);
    t.type("1 2 S+3");
    auto scans = run(codec, t.events);
    codec.abandon("scanner unplugged", [&](KeyedScan s) { scans.push_back(std::move(s)); });
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "12#");
    EXPECT_EQ(scans[0].rejected, "scan cut short: scanner unplugged");

    KeyTypist u(0, 2'000);
    u.type("4 5");
    u.events.push_back({u.at, EV_SYN, SYN_DROPPED, 0});
    u.type("6");
    u.press(KEY_ENTER);
    scans = run(codec, u.events);
    ASSERT_EQ(scans.size(), 2u);
    EXPECT_NE(scans[0].rejected.find("SYN_DROPPED"), std::string::npos);
    EXPECT_EQ(scans[1].text, "6");
    EXPECT_NE(scans[1].rejected.find("start was lost"), std::string::npos) << scans[1].rejected;
}

TEST(KeyboardWedge, LayoutProofPicksTheLayoutWithAValidCheckDigit) {
    KeyboardWedgeSettings settings;
    settings.layout = KeyboardLayout::us;
    settings.layout_proof = true;
    KeyboardWedgeCodec codec(settings);
    // A scanner set to French types the EAN-13 4006381333931 with Shift held for each digit.
    KeyTypist t(0, 1'000);
    t.type("S+4 S+0 S+0 S+6 S+3 S+8 S+1 S+3 S+3 S+3 S+9 S+3 S+1");
    t.press(KEY_ENTER);
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "4006381333931");
    EXPECT_EQ(scans[0].layout, KeyboardLayout::fr);
    EXPECT_NE(scans[0].warning.find("configured us"), std::string::npos) << scans[0].warning;

    // A code that proves nothing keeps the configured layout and no warning.
    KeyTypist u(0, 1'000);
    u.type("S+4 S+0");
    u.press(KEY_ENTER);
    scans = run(codec, u.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "$)");
    EXPECT_EQ(scans[0].warning, "");

    // Without layout-proof mode the configured layout is trusted.
    KeyboardWedgeCodec plain(KeyboardWedgeSettings{});
    scans = run(plain, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text, "$))^#*!###(#!");
}

TEST(KeyboardWedge, AltModeCodesOnTheKeypad) {
    KeyboardWedgeCodec codec(KeyboardWedgeSettings{});
    KeyTypist t(0, 1'000);
    t.type("1 0 a");
    t.events.push_back({t.at += 1000, EV_KEY, KEY_LEFTALT, 1});
    for (const int k : {KEY_KP0, KEY_KP0, KEY_KP2, KEY_KP9}) {
        t.press(static_cast<uint16_t>(k));
    }
    t.events.push_back({t.at += 1000, EV_KEY, KEY_LEFTALT, 0});
    t.type("2 1");
    t.press(KEY_ENTER);
    auto scans = run(codec, t.events);
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0].text,
              "10a\x1d"
              "21");
}

TEST(InputEventReader, EventsSurviveAnyCut) {
    KeyTypist t(1'700'000'123'456, 1'000);
    t.type("S+a 1");
    std::string bytes;
    for (const InputEvent& e : t.events) {
        bytes += InputEventReader::encode(e);
    }
    for (std::size_t cut = 0; cut <= bytes.size(); cut += 5) {
        InputEventReader reader;
        std::vector<InputEvent> out;
        auto sink = [&](const InputEvent& e) { out.push_back(e); };
        const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
        reader.feed({p, cut}, sink);
        reader.feed({p + cut, bytes.size() - cut}, sink);
        ASSERT_EQ(out.size(), t.events.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            EXPECT_EQ(out[i].time_us, t.events[i].time_us);
            EXPECT_EQ(out[i].code, t.events[i].code);
            EXPECT_EQ(out[i].value, t.events[i].value);
        }
    }
}

}  // namespace
}  // namespace packd::drivers
