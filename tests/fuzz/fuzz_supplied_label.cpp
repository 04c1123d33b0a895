// Labels the shop supplies (fulfillment/labels/src/supplied_label.cpp, zpl_graphic.cpp). The first input byte
// picks the format (ZPL, PNG, PDF) and the stock; the rest is the label. Whatever the bytes, the answer is
// ZPL that is complete formats, or a reason; accepted ZPL goes out byte for byte as it came.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/labels/supplied_label.hpp"

namespace {

using packd::fulfillment::LabelSize;
using packd::fulfillment::SuppliedLabelFormat;
using packd::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::array<SuppliedLabelFormat, 3> formats = {SuppliedLabelFormat::Zpl, SuppliedLabelFormat::Png,
                                                        SuppliedLabelFormat::Pdf};
    // Small stocks keep each run quick; the scaling code does not care about the size.
    const std::array<LabelSize, 2> stocks = {LabelSize{203, 305, 203}, LabelSize{300, 200, 300}};
    const SuppliedLabelFormat format = formats[data[0] % 3];
    const LabelSize stock = stocks[(data[0] / 3) % 2];
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t limit = 64 * 1024;

    const auto zpl = packd::fulfillment::supplied_label_to_zpl(format, bytes, stock, limit);
    if (!zpl) {
        check(!zpl.error().message.empty(), "a refused label says why", bytes);
        return 0;
    }
    check(!bytes.empty() && bytes.size() <= limit, "only labels within the limit are accepted", bytes);
    check(packd::fulfillment::check_supplied_zpl(*zpl).ok(), "the answer is complete ZPL formats", *zpl);
    if (format == SuppliedLabelFormat::Zpl) {
        check(*zpl == bytes, "accepted ZPL goes out as it came", bytes);
    } else {
        check(zpl->find("^GFA,") != std::string::npos, "an image becomes a graphic field", *zpl);
    }
    return 0;
}
