// Label templates (fulfillment/labels/src/label_template_loader.cpp and label_template_render.cpp): any text
// is either refused with a message that says where, or loads and renders on every stock with hostile data
// without crashing; the ZPL is one format whose field data holds no raw command prefix or control byte.
// Seeds: the four shipped templates (config/labels/) and broken variants in corpus/label_template/.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/labels/label_template.hpp"

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

// Every ^FD ... ^FS of the format holds no raw '^', '~' or control byte.
void check_zpl(const std::string& zpl) {
    check(count(zpl, "^XA") == 1 && count(zpl, "^XZ") == 1, "one ZPL format per label", zpl);
    for (std::size_t at = zpl.find("^FD"); at != std::string::npos; at = zpl.find("^FD", at + 3)) {
        const std::size_t end = zpl.find("^FS", at + 3);
        check(end != std::string::npos, "every field data ends with ^FS", zpl);
        for (std::size_t i = at + 3; i < end; ++i) {
            const auto byte = static_cast<unsigned char>(zpl[i]);
            check(byte != '~' && byte >= 0x20 && byte != 0x7F, "field data is escaped",
                  zpl.substr(at, end - at));
        }
    }
}

LabelData hostile(LabelKind kind, const std::string& text) {
    LabelData data;
    for (const auto& name : label_data_fields(kind)) {
        data.values[name] = text;
    }
    data.values["sscc"] = "340123450000000000";
    data.values["gtin"] = "09501101530003";
    for (int i = 0; i < 12; ++i) {
        data.rows.push_back(
            {{"location", text}, {"sku", text}, {"name", text}, {"quantity", "7"}, {"order_id", text}});
    }
    return data;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    auto loaded = LabelTemplate::parse(text, "fuzz.toml");
    if (!loaded) {
        check(loaded.error().message.rfind("fuzz.toml", 0) == 0, "a refusal names the file",
              loaded.error().message);
        return 0;
    }
    // One stock per input keeps the replay quick; the mutations reach both.
    const LabelSize stock =
        size % 2 == 0 ? LabelSize::inches(4, 6, 203) : LabelSize::millimetres(100, 150, 300);
    for (const std::string& value : {std::string("^XZ~JA\x01\n Zoë"), std::string(160, 'W')}) {
        const auto pages = render_pages(*loaded, hostile(loaded->kind, value), stock);
        check(!pages.empty() && pages.size() <= 12, "one to 12 pages for 12 rows");
        for (const Label& label : pages) {
            (void)validate(label);
            check_zpl(to_zpl(label));
        }
    }
    return 0;
}
