// The parts of the label model both outputs share: sizes, barcode encoding, sizing and placement, and
// validation. Text is in label_text.cpp, the layout both outputs follow in label_layout.cpp.

#include "packd/fulfillment/label.hpp"

#include "gs1_data_matrix.hpp"
#include "qr_version.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';

bool is_printable_ascii(char c) {
    return c >= 0x20 && c <= 0x7e;
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

Status check_code128(std::string_view data) {
    if (data.empty() || data.size() > 80) {
        return fail("Code 128 data must be 1 to 80 characters, got " + std::to_string(data.size()));
    }
    if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
        return fail("Code 128 data may only hold printable ASCII: '" + well_formed_utf8(data) + "'");
    }
    return {};
}

Status check_qr(std::string_view data) {
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
    return {};
}

// The last sizes barcode_size() answered: a label asks for each of its symbols when it is drawn from its
// template, when it is laid out and when it is validated.
class SizeCache {
  public:
    std::optional<Result<SymbolSize>> find(BarcodeKind kind, std::string_view data) {
        const std::lock_guard lock(mutex_);
        for (const Entry& e : entries_) {
            if (e.kind == kind && e.data == data && e.used) {
                return e.size;
            }
        }
        return std::nullopt;
    }

    void keep(BarcodeKind kind, std::string_view data, const Result<SymbolSize>& size) {
        if (data.size() > kLongestKept) {
            return;
        }
        const std::lock_guard lock(mutex_);
        Entry& e = entries_[next_];
        next_ = (next_ + 1) % entries_.size();
        e = Entry{kind, std::string(data), size, true};
    }

  private:
    static constexpr std::size_t kLongestKept = 256;
    struct Entry {
        BarcodeKind kind = BarcodeKind::Code128;
        std::string data;
        Result<SymbolSize> size = SymbolSize{};
        bool used = false;
    };
    std::mutex mutex_;
    std::array<Entry, 16> entries_;
    std::size_t next_ = 0;
};

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

Result<BarcodeSymbol> encode_barcode(BarcodeKind kind, std::string_view data) {
    switch (kind) {
        case BarcodeKind::Code128: {
            if (auto checked = check_code128(data); !checked) {
                return checked.error();
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
            if (auto checked = check_qr(data); !checked) {
                return checked.error();
            }
            return encode_with_zxing(ZXing::BarcodeFormat::QRCode, std::string(data));
        }
    }
    return fail("unknown barcode kind");
}

Result<SymbolSize> barcode_size(BarcodeKind kind, std::string_view data) {
    static SizeCache cache;
    if (auto known = cache.find(kind, data)) {
        return *known;
    }
    Result<SymbolSize> size = SymbolSize{};
    if (kind == BarcodeKind::QrCode) {
        // The full encoder tries all eight masks on the whole matrix, hundreds of microseconds for a link;
        // the size is the version alone, 17 + 4 modules a version (ISO/IEC 18004 5.3).
        if (auto checked = check_qr(data); !checked) {
            size = checked.error();
        } else if (const int version = qr_version(data); version == 0) {
            size = fail("QR code data of " + std::to_string(data.size()) + " characters does not fit");
        } else {
            size = SymbolSize{17 + 4 * version, 17 + 4 * version};
        }
    } else if (auto symbol = encode_barcode(kind, data)) {
        size = SymbolSize{symbol->width, symbol->height};
    } else {
        size = symbol.error();
    }
    cache.keep(kind, data, size);
    return size;
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
