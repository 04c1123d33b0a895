// The parts of the label model both outputs share: sizes, barcode placement and validation. The symbols
// themselves are encoded in barcodes/symbols.cpp. Text is in label_text.cpp, the layout both outputs follow
// in label_layout.cpp.

#include "packd/fulfillment/labels/label.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

namespace packd::fulfillment {
namespace {

bool is_linear(BarcodeKind kind) {
    return kind == BarcodeKind::Code128 || kind == BarcodeKind::Gs1_128;
}

const char* kind_name(BarcodeKind kind) {
    switch (kind) {
        case BarcodeKind::Code128:
            return "Code 128";
        case BarcodeKind::Gs1_128:
            return "GS1-128";
        case BarcodeKind::Gs1DataMatrix:
            return "GS1 DataMatrix";
        case BarcodeKind::QrCode:
            return "QR code";
    }
    return "barcode";
}

Status check_inside(const LabelSize& size, int x, int y, int width, int height) {
    if (x < 0 || y < 0 || x + width > size.width_dots || y + height > size.height_dots) {
        return fail("reaches outside the " + std::to_string(size.width_dots) + "x" +
                    std::to_string(size.height_dots) + " dot label (at " + std::to_string(x) + "," +
                    std::to_string(y) + ", " + std::to_string(width) + "x" + std::to_string(height) +
                    " dots)");
    }
    return {};
}

Status check_field(const LabelSize& size, const TextField& text) {
    if (text.height < 10 || text.height > 32000) {
        return fail("text height " + std::to_string(text.height) + " is outside 10 to 32000 dots");
    }
    return check_inside(size, text.x, text.y, 1, text.height);
}

Status check_field(const LabelSize& size, const BoxField& box) {
    if (box.thickness < 1 || box.width < 1 || box.height < 1) {
        return fail("box needs a width, height and thickness of at least one dot");
    }
    return check_inside(size, box.x, box.y, std::max(box.width, box.thickness),
                        std::max(box.height, box.thickness));
}

Status check_field(const LabelSize& size, const BarcodeField& barcode) {
    const std::string name = kind_name(barcode.kind);
    if (barcode.module_width < 1 || barcode.module_width > 10) {
        return fail(name + ": module width " + std::to_string(barcode.module_width) +
                    " is outside 1 to 10 dots");
    }
    if (is_linear(barcode.kind) && barcode.height < 1) {
        return fail(name + ": bar height must be at least one dot");
    }
    auto placed = place_barcode(barcode);
    if (!placed) {
        return fail(name + ": " + placed.error().message);
    }
    if (auto inside = check_inside(size, barcode.x, barcode.y, placed->width_dots, placed->height_dots);
        !inside) {
        return fail(name + " " + inside.error().message);
    }
    if (placed->human_readable) {
        return check_field(size, *placed->human_readable);
    }
    return {};
}

}  // namespace

LabelSize LabelSize::inches(double width, double height, int dpi) {
    return {static_cast<int>(std::lround(width * dpi)), static_cast<int>(std::lround(height * dpi)), dpi};
}

LabelSize LabelSize::millimetres(double width, double height, int dpi) {
    const LabelSize size{0, 0, dpi};
    return {size.dots_from_mm(width), size.dots_from_mm(height), dpi};
}

int LabelSize::dots_from_mm(double mm) const {
    return static_cast<int>(std::lround(mm * dpi / 25.4));
}

Result<PlacedBarcode> place_barcode(const BarcodeField& field) {
    auto size = barcode_size(field.kind, field.data);
    if (!size) {
        return size.error();
    }
    PlacedBarcode placed;
    placed.modules = *size;
    placed.width_dots = size->width * field.module_width;
    placed.height_dots = is_linear(field.kind) ? field.height : size->height * field.module_width;
    if (field.human_readable) {
        std::string text = field.data;
        if (field.kind == BarcodeKind::Gs1_128 || field.kind == BarcodeKind::Gs1DataMatrix) {
            text = gs1_human_readable(*parse_gs1(field.data));  // barcode_size parsed it already
        }
        TextField line;
        line.text = std::move(text);
        if (is_linear(field.kind)) {
            // Centred under the bars and no wider than them.
            line.height = std::max(16, std::min(8 * field.module_width, 48));
            const TextField under_bars{0, 0, line.height, placed.width_dots, line.text, false};
            const std::string fitted = fitted_text(under_bars, LabelSize{placed.width_dots, 1, 0});
            const int offset =
                std::max(0, (placed.width_dots - text_width_dots(fitted, line.height, false)) / 2);
            line.x = field.x + offset;
            line.max_width = placed.width_dots - offset;
        } else {
            // A 2D symbol is much narrower than its data set in text: the line starts at the symbol's left
            // edge and may run on to the label edge.
            line.height = std::max(16, std::min(3 * field.module_width, 32));
            line.x = field.x;
            line.max_width = 0;
        }
        line.y = field.y + placed.height_dots + std::max(2, line.height / 4);
        placed.human_readable = std::move(line);
    }
    return placed;
}

Status validate(const Label& label) {
    if (label.size.width_dots < 1 || label.size.height_dots < 1 || label.size.width_dots > 32000 ||
        label.size.height_dots > 32000) {
        return fail("label size " + std::to_string(label.size.width_dots) + "x" +
                    std::to_string(label.size.height_dots) + " dots is outside 1 to 32000");
    }
    if (label.size.dpi < 100 || label.size.dpi > 600) {
        return fail("label resolution " + std::to_string(label.size.dpi) + " dpi is outside 100 to 600");
    }
    for (std::size_t i = 0; i < label.fields.size(); ++i) {
        auto checked =
            std::visit([&](const auto& field) { return check_field(label.size, field); }, label.fields[i]);
        if (!checked) {
            return fail("label field " + std::to_string(i + 1) + ": " + checked.error().message);
        }
    }
    return {};
}

}  // namespace packd::fulfillment
