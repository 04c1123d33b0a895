// The parts of the label model both outputs share: sizes, UTF-8 handling, text fitting, GS1 element
// strings, barcode encoding and placement, and validation.

#include "packd/fulfillment/label.hpp"

#include "gs1_data_matrix.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <utility>

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';
constexpr std::string_view kEllipsis = "...";

bool is_printable_ascii(char c) {
    return c >= 0x20 && c <= 0x7e;
}

// ---- UTF-8 --------------------------------------------------------------------------------------------

struct Utf8Step {
    char32_t code_point;
    std::size_t length;
    bool well_formed;
};

// Reads one code point at `pos`, accepting exactly the well-formed sequences of Unicode Table 3-7 (no
// overlong forms, no surrogates, nothing above U+10FFFF).
Utf8Step utf8_step(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    const Utf8Step ill_formed{U'?', 1, false};
    if (lead < 0x80) {
        return {lead, 1, true};
    }
    std::size_t length = 0;
    char32_t code_point = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        code_point = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        code_point = lead & 0x0Fu;
        low = lead == 0xE0 ? 0xA0 : low;
        high = lead == 0xED ? 0x9F : high;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        code_point = lead & 0x07u;
        low = lead == 0xF0 ? 0x90 : low;
        high = lead == 0xF4 ? 0x8F : high;
    } else {
        return ill_formed;
    }
    if (pos + length > text.size()) {
        return ill_formed;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[pos + i]);
        const unsigned char min = i == 1 ? low : 0x80;
        const unsigned char max = i == 1 ? high : 0xBF;
        if (byte < min || byte > max) {
            return ill_formed;
        }
        code_point = (code_point << 6) | (byte & 0x3Fu);
    }
    return {code_point, length, true};
}

// ---- Text fitting -------------------------------------------------------------------------------------

std::string_view trim_trailing_spaces(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// `text` must be well-formed UTF-8. Cuts on code point boundaries and searches for the longest prefix that
// fits with the ellipsis; widths only grow with the prefix, so a binary search finds it.
std::string fit_to_width(const std::string& text, int height, bool bold, int limit) {
    if (text.empty() || text_width_dots(text, height, bold) <= limit) {
        return text;
    }
    std::vector<std::size_t> prefix_ends{0};
    for (std::size_t pos = 0; pos < text.size();) {
        pos += utf8_step(text, pos).length;
        prefix_ends.push_back(pos);
    }
    const auto with_ellipsis = [&](std::size_t count) {
        std::string candidate(trim_trailing_spaces(std::string_view(text).substr(0, prefix_ends[count])));
        candidate += kEllipsis;
        return candidate;
    };
    if (text_width_dots(with_ellipsis(0), height, bold) > limit) {
        // Not even the ellipsis fits; show as much of it as does.
        std::string dots(kEllipsis);
        while (!dots.empty() && text_width_dots(dots, height, bold) > limit) {
            dots.pop_back();
        }
        return dots;
    }
    std::size_t fits = 0;                           // with_ellipsis(fits) fits
    std::size_t too_wide = prefix_ends.size() - 1;  // the whole text does not
    while (too_wide - fits > 1) {
        const std::size_t middle = fits + (too_wide - fits) / 2;
        if (text_width_dots(with_ellipsis(middle), height, bold) <= limit) {
            fits = middle;
        } else {
            too_wide = middle;
        }
    }
    return with_ellipsis(fits);
}

// ---- ZXing ----------------------------------------------------------------------------------------------

Result<BarcodeSymbol> encode_with_zxing(ZXing::BarcodeFormat format, const std::string& contents) {
    try {
        ZXing::MultiFormatWriter writer(format);
        writer.setMargin(0);
        if (format == ZXing::BarcodeFormat::QRCode) {
            writer.setEccLevel(4);  // ZXing 1.4.0 maps 3 and 4 to level M (~15% recovery)
        }
        const ZXing::BitMatrix matrix = writer.encode(contents, 0, 0);
        BarcodeSymbol symbol{matrix.width(), matrix.height(), {}};
        symbol.dark.reserve(static_cast<std::size_t>(symbol.width * symbol.height));
        for (int y = 0; y < symbol.height; ++y) {
            for (int x = 0; x < symbol.width; ++x) {
                symbol.dark.push_back(matrix.get(x, y) ? 1 : 0);
            }
        }
        return symbol;
    } catch (const std::exception& e) {
        return fail(std::string("barcode encoder refused the data: ") + e.what());
    }
}

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

std::string well_formed_utf8(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        if (step.well_formed) {
            out.append(utf8.substr(pos, step.length));
        } else {
            out.push_back('?');
        }
        pos += step.length;
    }
    return out;
}

std::u32string code_points(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = utf8_step(utf8, pos);
        out.push_back(step.code_point);
        pos += step.length;
    }
    return out;
}

std::string fitted_text(const TextField& field, const LabelSize& size) {
    int limit = size.width_dots - field.x;
    if (field.max_width > 0) {
        limit = std::min(limit, field.max_width);
    }
    return fit_to_width(well_formed_utf8(field.text), field.height, field.bold, limit);
}

Result<BarcodeSymbol> encode_barcode(BarcodeKind kind, std::string_view data) {
    switch (kind) {
        case BarcodeKind::Code128: {
            if (data.empty() || data.size() > 80) {
                return fail("Code 128 data must be 1 to 80 characters, got " + std::to_string(data.size()));
            }
            if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
                return fail("Code 128 data may only hold printable ASCII: '" + well_formed_utf8(data) + "'");
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, std::string(data));
        }
        case BarcodeKind::Gs1_128: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            const std::string transmitted = gs1_transmitted(*elements);
            // GS1 General Specifications 5.4.1: at most 48 data characters, separators included.
            if (transmitted.size() > 48) {
                return fail("GS1-128 holds at most 48 characters, this element string has " +
                            std::to_string(transmitted.size()));
            }
            // ZXing's Code 128 writer takes U+00F1 as FNC1 (its ESCAPE_FNC_1); leading, it makes the
            // symbol GS1-128, between elements it is the separator.
            const std::string fnc1 = "\xC3\xB1";
            std::string contents = fnc1;
            for (const char c : transmitted) {
                contents += c == kGroupSeparator ? fnc1 : std::string(1, c);
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, contents);
        }
        case BarcodeKind::Gs1DataMatrix: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            return encode_gs1_data_matrix(gs1_transmitted(*elements));
        }
        case BarcodeKind::QrCode: {
            // Links go percent-encoded (RFC 3986), and the printer's automatic input mode would read bytes
            // 0x80-0x9F and 0xE0-0xFF as Shift JIS (ZPL II Programming Guide, ^BQ, "data input"), so the
            // printed and previewed symbols only agree on printable ASCII.
            if (data.empty() || data.size() > 1000) {
                return fail("QR code data must be 1 to 1000 characters, got " + std::to_string(data.size()));
            }
            if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
                return fail("QR code data may only hold printable ASCII (percent-encode links): '" +
                            well_formed_utf8(data) + "'");
            }
            return encode_with_zxing(ZXing::BarcodeFormat::QRCode, std::string(data));
        }
    }
    return fail("unknown barcode kind");
}

Result<PlacedBarcode> place_barcode(const BarcodeField& field) {
    auto symbol = encode_barcode(field.kind, field.data);
    if (!symbol) {
        return symbol.error();
    }
    PlacedBarcode placed;
    placed.symbol = std::move(*symbol);
    placed.width_dots = placed.symbol.width * field.module_width;
    placed.height_dots = is_linear(field.kind) ? field.height : placed.symbol.height * field.module_width;
    if (field.human_readable) {
        std::string text = field.data;
        if (field.kind == BarcodeKind::Gs1_128 || field.kind == BarcodeKind::Gs1DataMatrix) {
            text = gs1_human_readable(*parse_gs1(field.data));  // encode_barcode parsed it already
        }
        TextField line;
        line.text = std::move(text);
        if (is_linear(field.kind)) {
            // Centred under the bars and no wider than them.
            line.height = std::max(16, std::min(8 * field.module_width, 48));
            const std::string fitted =
                fit_to_width(well_formed_utf8(line.text), line.height, false, placed.width_dots);
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
