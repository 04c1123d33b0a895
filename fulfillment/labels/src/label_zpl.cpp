// The label as ZPL II. Command names and parameters follow the ZPL II Programming Guide; every byte of
// outside data reaches the printer through zpl_field_data() under ^FH, so none of it can start a command.

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "label_writing.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// One symbol character to come: a data character, or FNC1.
struct Code128Item {
    char character;
    bool fnc1;
};

// Code 128 field data for ^BC in mode N, with explicit subset invocations (ZPL II Programming Guide, ^BC,
// "Code 128 Subsets"): >: start B, >; start C, >5 switch to C, >6 switch to B, >8 FNC1, >< a literal '>'.
// Runs of four or more digits go to subset C in pairs, everything else to subset B; this is also how ZXing
// chooses subsets, so the printed symbol and the preview have the same width.
std::string code128_field_data(const std::vector<Code128Item>& items, bool gs1) {
    const auto digit_run = [&](std::size_t from) {
        std::size_t end = from;
        while (end < items.size() && !items[end].fnc1 && is_digit(items[end].character)) {
            ++end;
        }
        return end - from;
    };
    std::string out;
    bool subset_c = false;
    std::size_t i = 0;
    if (gs1) {
        out += ">;>8";  // GS1-128: start C then FNC1 (items[0])
        subset_c = true;
        i = 1;
    } else {
        const std::size_t run = digit_run(0);
        subset_c = run >= 4 || (run == items.size() && run % 2 == 0);
        out += subset_c ? ">;" : ">:";
    }
    while (i < items.size()) {
        const Code128Item& item = items[i];
        if (item.fnc1) {
            out += ">8";  // FNC1 exists in every subset
            ++i;
        } else if (subset_c) {
            if (digit_run(i) >= 2) {
                out += item.character;
                out += items[i + 1].character;
                i += 2;
            } else {
                out += ">6";
                subset_c = false;
            }
        } else if (const std::size_t run = digit_run(i); run >= 4 && run % 2 == 0) {
            out += ">5";  // an odd run keeps its first digit in subset B
            subset_c = true;
        } else {
            out += item.character == '>' ? std::string("><") : std::string(1, item.character);
            ++i;
        }
    }
    return out;
}

std::string position(int x, int y) {
    return "^FO" + std::to_string(std::max(0, x)) + "," + std::to_string(std::max(0, y));
}

// `utf8` as zpl_field_data() has it, appended; the copy that makes it well-formed only where it is not ASCII.
void append_field_data(std::string& out, std::string_view utf8) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const bool ascii =
        std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const std::string well_formed = ascii ? std::string() : well_formed_utf8(utf8);
    for (const char c : ascii ? utf8 : std::string_view(well_formed)) {
        const auto byte = static_cast<unsigned char>(c);
        // ^ and ~ are the format and control prefixes, _ is the ^FH indicator; control bytes could end the
        // field or be taken as commands by some firmware.
        if (byte < 0x20 || byte == 0x7F || c == '^' || c == '~' || c == '_') {
            out += '_';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        } else {
            out += c;
        }
    }
}

void append_text(std::string& zpl, const TextImpression& text) {
    // ^A0: the printer's scalable font, normal orientation, height and width in dots.
    const std::string height = std::to_string(text.height);
    zpl += "^FO";
    zpl += std::to_string(std::max(0, text.x));
    zpl += ',';
    zpl += std::to_string(std::max(0, text.y));
    zpl += "^A0N,";
    zpl += height;
    zpl += ',';
    zpl += height;
    zpl += "^FH_^FD";
    append_field_data(zpl, text.text);
    zpl += "^FS\n";
}

void append_box(std::string& zpl, const BoxField& box) {
    // ^GB widens a side shorter than the thickness to the thickness; say so explicitly.
    const int width = std::max(box.width, box.thickness);
    const int height = std::max(box.height, box.thickness);
    zpl += position(box.x, box.y) + "^GB" + std::to_string(width) + "," + std::to_string(height) + "," +
           std::to_string(box.thickness) + ",B,0^FS\n";
}

void append_barcode(std::string& zpl, const PlacedSymbol& barcode) {
    const BarcodeField& field = barcode.field;
    const std::string module = std::to_string(field.module_width);
    std::string symbol;
    switch (field.kind) {
        case BarcodeKind::Code128: {
            std::vector<Code128Item> items;
            for (const char c : field.data) {
                items.push_back({c, false});
            }
            symbol = "^BY" + module + "^BCN," + std::to_string(field.height) + ",N,N,N,N^FH_^FD" +
                     zpl_field_data(code128_field_data(items, false));
            break;
        }
        case BarcodeKind::Gs1_128: {
            std::vector<Code128Item> items{{'\0', true}};
            for (const char c : gs1_transmitted(*parse_gs1(field.data))) {
                items.push_back(c == '\x1d' ? Code128Item{'\0', true} : Code128Item{c, false});
            }
            symbol = "^BY" + module + "^BCN," + std::to_string(field.height) + ",N,N,N,N^FH_^FD" +
                     zpl_field_data(code128_field_data(items, true));
            break;
        }
        case BarcodeKind::Gs1DataMatrix: {
            // ^BX quality 200 takes FNC1 as the escape character followed by 1, and the escape character
            // itself doubled (ZPL II Programming Guide, ^BX, "Field Data (^FD) for ^BX"). Its default escape
            // character differs between firmware versions ('~' or '_'), so ^BX names '_' explicitly. ^FH
            // hex processing runs before escape processing, so the escape sequences below reach ^BX as
            // written once zpl_field_data() has turned every '_' into _5F.
            const auto elements = *parse_gs1(field.data);
            std::string data = "_1";
            for (std::size_t i = 0; i < elements.size(); ++i) {
                for (const char c : elements[i].ai + elements[i].data) {
                    data += c == '_' ? std::string("__") : std::string(1, c);
                }
                if (i + 1 < elements.size() && !gs1_has_predefined_length(elements[i].ai)) {
                    data += "_1";
                }
            }
            symbol = "^BXN," + module + ",200,,,,_^FH_^FD" + zpl_field_data(data);
            break;
        }
        case BarcodeKind::QrCode:
            // ^BQ model 2 with the module size as magnification and error correction M; "MA," in the field
            // data says M again (older firmware reads it only there) and selects automatic data input (ZPL II
            // Programming Guide, ^BQ, "Considerations for ^FD When Using the QR Code").
            symbol = "^BQN,2," + module + ",M^FH_^FDMA," + zpl_field_data(field.data);
            break;
    }
    zpl += position(field.x, field.y) + symbol + "^FS\n";
}

}  // namespace

std::string zpl_field_data(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    append_field_data(out, utf8);
    return out;
}

std::string zpl_header(const LabelSize& size) {
    // ^CI28: field data is UTF-8. ^PW and ^LL: print width and label length in dots. ^LH: label home.
    return "^XA\n^CI28\n^PW" + std::to_string(size.width_dots) + "\n^LL" + std::to_string(size.height_dots) +
           "\n^LH0,0\n";
}

void append_zpl(std::string& zpl, const LaidOutField& field) {
    std::visit(
        [&](const auto& f) {
            using Field = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<Field, TextImpression>) {
                append_text(zpl, f);
            } else if constexpr (std::is_same_v<Field, BoxField>) {
                append_box(zpl, f);
            } else {
                append_barcode(zpl, f);
            }
        },
        field);
}

void append_zpl(std::string& zpl, const LabelField& field, const LabelSize& size) {
    LabelLayout layout{size, {}};
    lay_out_field(layout, field);
    for (const LaidOutField& laid_out : layout.fields) {
        append_zpl(zpl, laid_out);
    }
}

std::string to_zpl(const Label& label) {
    std::string zpl = zpl_header(label.size);
    zpl.reserve(256 + 64 * label.fields.size());
    for (const LabelField& field : label.fields) {
        append_zpl(zpl, field, label.size);
    }
    zpl += kZplFooter;
    return zpl;
}

std::string to_zpl(const LabelLayout& layout) {
    std::string zpl = zpl_header(layout.size);
    for (const LaidOutField& field : layout.fields) {
        append_zpl(zpl, field);
    }
    zpl += kZplFooter;
    return zpl;
}

}  // namespace packd::fulfillment
