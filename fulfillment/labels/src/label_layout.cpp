// The layout step both outputs follow: to_zpl() writes what lay_out() says and render_bitmap() draws it,
// so the preview shows the text, the size, the emphasis and the cut that the printer gets.

#include <utility>

#include "label_writing.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

void set_text(LabelLayout& layout, const TextField& field) {
    FittedText fitted = fit_text(field, layout.size);
    if (fitted.text.empty()) {
        return;
    }
    TextImpression first{field.x, field.y, fitted.height, std::move(fitted.text)};
    if (field.bold) {
        // Emphasis the printer can make with its one scalable font: the line set a second time a dot or
        // two to the right. fit_text() counted the offset in the width.
        TextImpression second = first;
        second.x += emphasis_dots(first.height);
        layout.fields.emplace_back(std::move(first));
        layout.fields.emplace_back(std::move(second));
    } else {
        layout.fields.emplace_back(std::move(first));
    }
}

}  // namespace

void lay_out_field(LabelLayout& layout, const LabelField& field) {
    if (const auto* text = std::get_if<TextField>(&field)) {
        set_text(layout, *text);
    } else if (const auto* box = std::get_if<BoxField>(&field)) {
        layout.fields.emplace_back(*box);
    } else if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
        auto placed = place_barcode(*barcode);
        if (!placed) {
            return;  // validate() names the problem; a symbol of other data would be worse than a gap
        }
        std::optional<TextField> human_readable = std::move(placed->human_readable);
        layout.fields.emplace_back(PlacedSymbol{*barcode, std::move(*placed)});
        if (human_readable) {
            set_text(layout, *human_readable);
        }
    }
}

LabelLayout lay_out(const Label& label) {
    LabelLayout layout{label.size, {}};
    layout.fields.reserve(label.fields.size() + 8);
    for (const LabelField& field : label.fields) {
        lay_out_field(layout, field);
    }
    return layout;
}

}  // namespace packd::fulfillment
