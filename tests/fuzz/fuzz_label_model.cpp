// The label model as the store keeps it (fulfillment/labels/src/label_model.cpp): bytes read back from a
// print job are either refused with a message that names the line, or a label whose serialization reads back
// to itself; a label that validates lays out and becomes one ZPL format without crashing, and a small one
// draws. Seeds: the models of the four shipped templates and damaged variants in corpus/label_model/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/labels/label_model.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::fulfillment;

std::size_t count(std::string_view haystack, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
         at = haystack.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    auto parsed = parse_label(text);
    if (!parsed) {
        check(parsed.error().message.rfind("label model", 0) == 0, "a refusal says it is the label model",
              parsed.error().message);
        return 0;
    }
    // Written again, the label reads back to the same bytes: nothing is lost or changed on the way.
    const std::string again = serialize_label(*parsed);
    auto reread = parse_label(again);
    check(reread.ok(), "a serialized label parses", again);
    check(serialize_label(*reread) == again, "serialize and parse round-trip", again);
    check(reread->fields.size() == parsed->fields.size(), "every field comes back", again);
    if (!validate(*parsed)) {
        return 0;
    }
    // Large heights and many fields are the store's own data; keep the replay quick.
    if (parsed->fields.size() > 64) {
        return 0;
    }
    for (const LabelField& field : parsed->fields) {
        if (const auto* t = std::get_if<TextField>(&field);
            t != nullptr && (t->height > 400 || t->text.size() > 512)) {
            return 0;
        }
    }
    const std::string zpl = to_zpl(*parsed);
    check(count(zpl, "^XA") == 1 && count(zpl, "^XZ") == 1, "one ZPL format", zpl);
    if (static_cast<long>(parsed->size.width_dots) * parsed->size.height_dots <= 400L * 400L) {
        check(render_bitmap(*parsed).ok(), "a label that validates draws");
    }
    return 0;
}
