// The keyboard-wedge scanner codec (drivers/src/keyboard_wedge.cpp, drivers/src/keymap.cpp): bytes read
// from /dev/input/event* become input events, then scans. The first byte chooses where the bytes are cut
// in two reads; the scans must not depend on that cut. Every scan is valid UTF-8, and is either a text or
// a reason it was rejected. The rest of the bytes are also taken as key strokes for every layout.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/drivers/keymap.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::drivers;

struct Seen {
    std::string text, rejected, warning;
    bool operator==(const Seen&) const = default;
};

std::vector<Seen> scans_of(std::span<const uint8_t> bytes, std::size_t cut, KeyboardLayout layout) {
    KeyboardWedgeSettings settings;
    settings.layout = layout;
    settings.layout_proof = true;
    settings.max_keys = 64;
    KeyboardWedgeCodec codec(settings);
    InputEventReader reader;
    std::vector<Seen> seen;
    auto sink = [&](KeyedScan scan) {
        check(packd::fuzz::is_strict_utf8(scan.text), "a scan's text is UTF-8", scan.text);
        check(scan.keys.size() <= settings.max_keys, "a scan keeps at most max_keys keys");
        seen.push_back({scan.text, scan.rejected, scan.warning});
    };
    auto on_event = [&](const InputEvent& e) { codec.feed(e, sink); };
    reader.feed(bytes.subspan(0, cut), on_event);
    reader.feed(bytes.subspan(cut), on_event);
    if (auto deadline = codec.idle_deadline_us()) {
        codec.idle(*deadline, sink);
        check(!codec.scanning(), "a scan in progress ends by its idle deadline");
    }
    codec.abandon("end of input", sink);
    check(!codec.scanning(), "nothing is pending after abandon");
    return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::span<const uint8_t> bytes(data + 1, size - 1);
    const std::size_t cut = bytes.size() * std::size_t{data[0]} / 255;
    for (const KeyboardLayout layout : {KeyboardLayout::us, KeyboardLayout::fr}) {
        const auto whole = scans_of(bytes, bytes.size(), layout);
        const auto in_two = scans_of(bytes, cut, layout);
        check(whole == in_two, "scans do not depend on how the bytes arrive");
    }
    // Two bytes per key stroke: the key code's low byte, then modifier bits.
    std::vector<KeyStroke> keys;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
        KeyStroke k;
        k.code = bytes[i];
        k.shift = (bytes[i + 1] & 1) != 0;
        k.altgr = (bytes[i + 1] & 2) != 0;
        k.ctrl = (bytes[i + 1] & 4) != 0;
        k.caps_lock = (bytes[i + 1] & 8) != 0;
        if ((bytes[i + 1] & 16) != 0) {
            k.alt_code = bytes[i];
        }
        keys.push_back(k);
    }
    for (const KeyboardLayout layout : kAllKeyboardLayouts) {
        auto text = decode_keys(layout, keys);
        if (text) {
            check(packd::fuzz::is_strict_utf8(*text), "decoded keys are UTF-8", *text);
        } else {
            check(!text.error().message.empty(), "a failed decoding says why");
        }
    }
    return 0;
}
