#include "packd/drivers/keymap.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <array>

namespace packd::drivers {
namespace {

// The four rows of alphanumeric keys of an ISO (105-key) keyboard, as evdev key codes, left to right.
// A layout names the character of each key on three levels: plain, Shift, AltGr.
constexpr std::array<uint16_t, 13> kRowE = {KEY_GRAVE, KEY_1, KEY_2, KEY_3, KEY_4,     KEY_5,    KEY_6,
                                            KEY_7,     KEY_8, KEY_9, KEY_0, KEY_MINUS, KEY_EQUAL};
constexpr std::array<uint16_t, 12> kRowD = {KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T,         KEY_Y,
                                            KEY_U, KEY_I, KEY_O, KEY_P, KEY_LEFTBRACE, KEY_RIGHTBRACE};
constexpr std::array<uint16_t, 12> kRowC = {KEY_A, KEY_S,         KEY_D,          KEY_F,
                                            KEY_G, KEY_H,         KEY_J,          KEY_K,
                                            KEY_L, KEY_SEMICOLON, KEY_APOSTROPHE, KEY_BACKSLASH};
constexpr std::array<uint16_t, 11> kRowB = {KEY_102ND, KEY_Z, KEY_X,     KEY_C,   KEY_V,    KEY_B,
                                            KEY_N,     KEY_M, KEY_COMMA, KEY_DOT, KEY_SLASH};

// In the tables a space means "nothing on this level" (the space bar is not in these rows), and a
// combining accent (U+0300 grave, U+0301 acute, U+0302 circumflex, U+0303 tilde, U+0308 diaeresis)
// marks a dead key. The characters follow the xkeyboard-config symbols files (symbols/us, gb, de,
// fr, be, es, it, se), which match what scanners emulate for those keyboard countries; levels a
// scanner never types (superscripts, guillemets, dead ogonek...) are left out.
struct Row {
    std::u32string_view plain, shift, altgr;
};

struct Layout {
    Row e, d, c, b;
};

constexpr Layout kUs = {
    {U"`1234567890-=", U"~!@#$%^&*()_+", U"             "},
    {U"qwertyuiop[]", U"QWERTYUIOP{}", U"            "},
    {U"asdfghjkl;'\\", U"ASDFGHJKL:\"|", U"            "},
    {U"<zxcvbnm,./", U">ZXCVBNM<>?", U"           "},
};
constexpr Layout kUk = {
    {U"`1234567890-=", U"¬!\"£$%^&*()_+", U"|   €        "},
    {U"qwertyuiop[]", U"QWERTYUIOP{}", U"            "},
    {U"asdfghjkl;'#", U"ASDFGHJKL:@~", U"            "},
    {U"\\zxcvbnm,./", U"|ZXCVBNM<>?", U"|          "},
};
constexpr Layout kDe = {
    {U"\u03021234567890ß\u0301", U"°!\"§$%&/()=?\u0300", U"  ²³   {[]}\\ "},
    {U"qwertzuiopü+", U"QWERTZUIOPÜ*", U"@ €        ~"},
    {U"asdfghjklöä#", U"ASDFGHJKLÖÄ'", U"            "},
    {U"<yxcvbnm,.-", U">YXCVBNM;:_", U"|      µ   "},
};
constexpr Layout kFr = {
    {U"²&é\"'(-è_çà)=", U"~1234567890°+", U"  ~#{[|`\\^@]}"},
    {U"azertyuiop\u0302$", U"AZERTYUIOP\u0308£", U"  €         "},
    {U"qsdfghjklmù*", U"QSDFGHJKLM%µ", U"@           "},
    {U"<wxcvbn,;:!", U">WXCVBN?./§", U"           "},
};
constexpr Layout kBe = {
    {U"²&é\"'(§è!çà)-", U"³1234567890°_", U" |@#  ^{[{}\\ "},
    {U"azertyuiop\u0302$", U"AZERTYUIOP\u0308*", U"  €       []"},
    {U"qsdfghjklmùµ", U"QSDFGHJKLM%£", U"          \u0301\u0300"},
    {U"<wxcvbn,;:=", U">WXCVBN?./+", U"\\         \u0303"},
};
constexpr Layout kEs = {
    {U"º1234567890'¡", U"ª!\"·$%&/()=?¿", U"\\|@#~ ¬      "},
    {U"qwertyuiop\u0300+", U"QWERTYUIOP\u0302*", U"  €       []"},
    {U"asdfghjklñ\u0301ç", U"ASDFGHJKLÑ\u0308Ç", U"          {}"},
    {U"<zxcvbnm,.-", U">ZXCVBNM;:_", U"           "},
};
constexpr Layout kIt = {
    {U"\\1234567890'ì", U"|!\"£$%&/()=?^", U"           `~"},
    {U"qwertyuiopè+", U"QWERTYUIOPé*", U"  €       []"},
    {U"asdfghjklòàù", U"ASDFGHJKLç°§", U"         @# "},
    {U"<zxcvbnm,.-", U">ZXCVBNM;:_", U"           "},
};
constexpr Layout kNordic = {
    {U"§1234567890+\u0301", U"½!\"#¤%&/()=?\u0300", U"  @£$€ {[]}\\ "},
    {U"qwertyuiopå\u0308", U"QWERTYUIOPÅ\u0302", U"  €        \u0303"},
    {U"asdfghjklöä'", U"ASDFGHJKLÖÄ*", U"            "},
    {U"<zxcvbnm,.-", U">ZXCVBNM;:_", U"|          "},
};

constexpr bool row_fits(const Row& row, std::size_t keys) {
    return row.plain.size() == keys && row.shift.size() == keys && row.altgr.size() == keys;
}
constexpr bool layout_fits(const Layout& l) {
    return row_fits(l.e, kRowE.size()) && row_fits(l.d, kRowD.size()) && row_fits(l.c, kRowC.size()) &&
           row_fits(l.b, kRowB.size());
}
static_assert(layout_fits(kUs) && layout_fits(kUk) && layout_fits(kDe) && layout_fits(kFr) &&
                  layout_fits(kBe) && layout_fits(kEs) && layout_fits(kIt) && layout_fits(kNordic),
              "every layout names every key of the four rows on each level");

const Layout& table(KeyboardLayout layout) {
    switch (layout) {
        case KeyboardLayout::us:
            return kUs;
        case KeyboardLayout::uk:
            return kUk;
        case KeyboardLayout::de:
            return kDe;
        case KeyboardLayout::fr:
            return kFr;
        case KeyboardLayout::be:
            return kBe;
        case KeyboardLayout::es:
            return kEs;
        case KeyboardLayout::it:
            return kIt;
        case KeyboardLayout::nordic:
            return kNordic;
    }
    return kUs;
}

bool is_combining_accent(char32_t ch) {
    return ch >= 0x300 && ch <= 0x36F;
}

bool is_letter(char32_t ch) {
    return (ch >= U'a' && ch <= U'z') || (ch >= 0xE0 && ch <= 0xFE && ch != 0xF7);
}

char32_t upper(char32_t ch) {
    return ch >= U'a' && ch <= U'z' ? ch - 32 : (is_letter(ch) ? ch - 32 : ch);
}

// The spacing form of a dead key's accent, typed by dead key + space.
char32_t spacing_accent(char32_t combining) {
    switch (combining) {
        case 0x300:
            return U'`';
        case 0x301:
            return U'\u00B4';
        case 0x302:
            return U'^';
        case 0x303:
            return U'~';
        case 0x308:
            return U'\u00A8';
        default:
            return combining;
    }
}

template <std::size_t N>
std::optional<char32_t> look_up(const std::array<uint16_t, N>& codes, const Row& row, const KeyStroke& key) {
    const auto at = std::find(codes.begin(), codes.end(), key.code);
    if (at == codes.end()) {
        return std::nullopt;
    }
    const auto i = static_cast<std::size_t>(at - codes.begin());
    if (key.altgr) {
        return row.altgr[i];
    }
    // Caps Lock shifts letters only, as on every layout here.
    const bool shifted = key.shift != (key.caps_lock && is_letter(row.plain[i]));
    return shifted ? row.shift[i] : row.plain[i];
}

// Keys that mean the same on every layout here: the space bar and the numeric keypad with Num Lock on.
std::optional<char32_t> common_key(uint16_t code) {
    switch (code) {
        case KEY_SPACE:
            return U' ';
        case KEY_KP0:
            return U'0';
        case KEY_KP1:
            return U'1';
        case KEY_KP2:
            return U'2';
        case KEY_KP3:
            return U'3';
        case KEY_KP4:
            return U'4';
        case KEY_KP5:
            return U'5';
        case KEY_KP6:
            return U'6';
        case KEY_KP7:
            return U'7';
        case KEY_KP8:
            return U'8';
        case KEY_KP9:
            return U'9';
        case KEY_KPDOT:
            return U'.';
        case KEY_KPPLUS:
            return U'+';
        case KEY_KPMINUS:
            return U'-';
        case KEY_KPASTERISK:
            return U'*';
        case KEY_KPSLASH:
            return U'/';
        default:
            return std::nullopt;
    }
}

}  // namespace

const char* to_string(KeyboardLayout layout) {
    switch (layout) {
        case KeyboardLayout::us:
            return "us";
        case KeyboardLayout::uk:
            return "uk";
        case KeyboardLayout::de:
            return "de";
        case KeyboardLayout::fr:
            return "fr";
        case KeyboardLayout::be:
            return "be";
        case KeyboardLayout::es:
            return "es";
        case KeyboardLayout::it:
            return "it";
        case KeyboardLayout::nordic:
            return "nordic";
    }
    return "us";
}

Result<KeyboardLayout> parse_keyboard_layout(std::string_view name) {
    for (const KeyboardLayout layout : kAllKeyboardLayouts) {
        if (name == to_string(layout)) {
            return layout;
        }
    }
    return fail("unknown keyboard layout '" + std::string(name) + "' (us, uk, de, fr, be, es, it, nordic)");
}

KeyMeaning key_meaning(KeyboardLayout layout, const KeyStroke& key) {
    if (key.alt_code != 0) {
        return {KeyMeaning::Kind::character, key.alt_code};
    }
    if (auto common = common_key(key.code); common && !key.altgr) {
        return {KeyMeaning::Kind::character, *common};
    }
    const Layout& l = table(layout);
    std::optional<char32_t> ch = look_up(kRowE, l.e, key);
    if (!ch) {
        ch = look_up(kRowD, l.d, key);
    }
    if (!ch) {
        ch = look_up(kRowC, l.c, key);
    }
    if (!ch) {
        ch = look_up(kRowB, l.b, key);
    }
    if (!ch || *ch == U' ') {
        return {};
    }
    if (is_combining_accent(*ch)) {
        return {KeyMeaning::Kind::dead, *ch};
    }
    if (key.ctrl && !key.altgr) {
        // Ctrl+letter and Ctrl+[\]^_@ give the C0 control characters (ASCII, as terminals map them).
        const char32_t c = upper(*ch);
        if (c >= U'@' && c <= U'_') {
            return {KeyMeaning::Kind::character, c - U'@'};
        }
        return {};
    }
    return {KeyMeaning::Kind::character, *ch};
}

void append_utf8(std::string& out, char32_t ch) {
    if (ch < 0x80) {
        out += static_cast<char>(ch);
    } else if (ch < 0x800) {
        out += static_cast<char>(0xC0 | (ch >> 6));
        out += static_cast<char>(0x80 | (ch & 0x3F));
    } else if (ch < 0x10000) {
        out += static_cast<char>(0xE0 | (ch >> 12));
        out += static_cast<char>(0x80 | ((ch >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (ch & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (ch >> 18));
        out += static_cast<char>(0x80 | ((ch >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((ch >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (ch & 0x3F));
    }
}

Result<std::string> decode_keys(KeyboardLayout layout, std::span<const KeyStroke> keys) {
    std::string text;
    char32_t pending_accent = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const KeyMeaning meaning = key_meaning(layout, keys[i]);
        if (meaning.kind == KeyMeaning::Kind::none) {
            return fail(std::string("key ") + std::to_string(keys[i].code) +
                        (keys[i].shift ? " with Shift" : "") + (keys[i].altgr ? " with AltGr" : "") +
                        " at position " + std::to_string(i + 1) + " means nothing on the " +
                        to_string(layout) + " layout");
        }
        if (pending_accent != 0) {
            append_utf8(text, spacing_accent(pending_accent));
            const bool was_space = meaning.kind == KeyMeaning::Kind::character && meaning.ch == U' ';
            pending_accent = 0;
            if (was_space) {
                continue;
            }
        }
        if (meaning.kind == KeyMeaning::Kind::dead) {
            pending_accent = meaning.ch;
            continue;
        }
        append_utf8(text, meaning.ch);
    }
    if (pending_accent != 0) {
        append_utf8(text, spacing_accent(pending_accent));
    }
    return text;
}

bool has_gs1_check_digit(std::string_view code) {
    const std::size_t n = code.size();
    if (n != 8 && n != 12 && n != 13 && n != 14 && n != 18) {
        return false;
    }
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    int sum = 0;
    int weight = 3;
    for (std::size_t i = n - 1; i-- > 0;) {
        sum += (code[i] - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10 == code.back() - '0';
}

}  // namespace packd::drivers
