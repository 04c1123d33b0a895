// Drawing a label template with data: lengths become dots on the stock, "{name}" placeholders become the
// data, barcodes get the largest module their field allows, and a pick list's rows continue on further
// pages. The result is the same Label model the hard-coded layouts produced, so ZPL and the preview follow.

#include <algorithm>
#include <cmath>

#include "packd/fulfillment/label_template.hpp"

namespace packd::fulfillment {
namespace {

using Values = std::map<std::string, std::string>;

// A newline typed into a checkout form must not break the label's lines: control characters become spaces.
std::string single_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            c = ' ';
        }
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

struct Resolved {
    std::string text;
    bool has_fields = false;
    bool any_value = false;  ///< at least one field had data

    // A piece of text that names data but got none is left out: "(02) {gtin}" without a GTIN prints nothing.
    bool left_out() const { return text.empty() || (has_fields && !any_value); }
};

const std::string* find(const Values& values, const Values* row, const std::string& name) {
    if (row != nullptr && name.rfind("row.", 0) == 0) {
        const auto it = row->find(name.substr(4));
        return it == row->end() ? nullptr : &it->second;
    }
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
}

Resolved resolve(const TemplateText& text, const Values& values, const Values* row, bool as_text) {
    Resolved out;
    for (const auto& piece : text.pieces) {
        if (!piece.is_field) {
            out.text += piece.text;
            continue;
        }
        out.has_fields = true;
        const std::string* value = find(values, row, piece.text);
        if (value != nullptr && !value->empty()) {
            out.any_value = true;
            out.text += as_text ? single_line(*value) : *value;
        }
    }
    if (as_text) {
        out.text = single_line(out.text);
    }
    return out;
}

class Drawing {
  public:
    Drawing(LabelSize size, const Values& values) : size_(size), values_(values), label_{size, {}} {}

    Label take() { return std::move(label_); }

    int across(const TemplateLength& l) const { return l.dots(size_.width_dots, size_.dpi); }
    int down(const TemplateLength& l) const { return l.dots(size_.height_dots, size_.dpi); }
    // The printer's scalable font needs at least 10 dots.
    int font(const TemplateLength& l) const { return std::max(10, down(l)); }
    // The right edge is rounded once, so a field that ends at the stock's edge never passes it.
    int width(const TemplateLength& x, const std::optional<TemplateLength>& w) const {
        if (!w) {
            return 0;  // up to the label edge
        }
        const TemplateLength right{x.value + w->value, x.millimetres};
        return x.millimetres == w->millimetres ? across(right) - across(x) : across(*w);
    }

    bool wanted(const TemplateField& field) const {
        if (field.when.empty()) {
            return true;
        }
        const auto it = values_.find(field.when);
        return it != values_.end() && !single_line(it->second).empty();
    }

    void text(int x, int y, int font_height, int max_width, const TemplateText& t, bool bold,
              const Values* row) {
        const Resolved r = resolve(t, values_, row, true);
        if (!r.left_out()) {
            label_.fields.emplace_back(TextField{x, y, font_height, max_width, r.text, bold});
        }
    }

    void draw(const TemplateField& field, const std::vector<Values>& page_rows) {
        if (!wanted(field)) {
            return;
        }
        const int x = across(field.x);
        const int y = down(field.y);
        switch (field.type) {
            case TemplateFieldType::Text:
                text(x, y, font(field.font), width(field.x, field.width), field.text, field.bold, nullptr);
                break;
            case TemplateFieldType::Lines: {
                const int f = font(field.font);
                const int pitch = field.pitch ? down(*field.pitch) : static_cast<int>(std::lround(f * 1.25));
                int at = y;
                for (const auto& line : field.lines) {
                    const Resolved r = resolve(line, values_, nullptr, true);
                    if (r.left_out()) {
                        continue;
                    }
                    label_.fields.emplace_back(
                        TextField{x, at, f, width(field.x, field.width), r.text, line.bold});
                    at += pitch;
                }
                break;
            }
            case TemplateFieldType::Box: {
                const int w = width(field.x, field.width);
                const int h = field.height ? down(*field.height) : 0;
                const int thickness = std::max(1, across(field.thickness));
                label_.fields.emplace_back(BoxField{x, y, std::max(1, w), std::max(1, h), thickness});
                break;
            }
            case TemplateFieldType::Barcode:
                barcode(field, x, y);
                break;
            case TemplateFieldType::Rows: {
                const int pitch = field.pitch ? std::max(1, down(*field.pitch)) : 1;
                int at = y;
                for (const auto& row : page_rows) {
                    for (const auto& column : field.columns) {
                        text(across(column.x), at, font(field.font), width(column.x, column.width),
                             column.text, column.bold, &row);
                    }
                    at += pitch;
                }
                break;
            }
        }
    }

  private:
    void barcode(const TemplateField& field, int box_x, int box_y) {
        const bool gs1 =
            field.symbology == BarcodeKind::Gs1_128 || field.symbology == BarcodeKind::Gs1DataMatrix;
        std::string data;
        for (const auto& piece : field.data) {
            const Resolved r = resolve(piece, values_, nullptr, false);
            if (gs1 && r.left_out()) {
                continue;  // an optional element string without its data
            }
            data += r.text;
        }
        if (data.empty()) {
            return;
        }
        const bool linear =
            field.symbology == BarcodeKind::Code128 || field.symbology == BarcodeKind::Gs1_128;
        const int box_w = width(field.x, field.width);
        const int box_h = field.height ? down(*field.height) : 0;
        // Quiet zones: 10 modules for Code 128 (ISO/IEC 15417), 4 for QR (ISO/IEC 18004), 2 for DataMatrix
        // (ISO/IEC 16022 asks 1). A symbol that cannot carry the data still gets a field, sized as a short
        // one, so validate() reports it.
        const int quiet = linear ? 10 : field.symbology == BarcodeKind::QrCode ? 4 : 2;
        const auto symbol = encode_barcode(field.symbology, data);
        const int modules = symbol   ? symbol->width
                            : linear ? 11 * (static_cast<int>(data.size()) + 3) + 2
                                     : 21;
        const int widest = field.module ? std::max(1, across(*field.module))
                           : linear     ? size_.dots_from_mm(0.4)
                                        : 10;
        // The line under a symbol, as place_barcode sets it, and the room it takes.
        const auto text_room = [&](int module) {
            if (!field.human_readable) {
                return 0;
            }
            const int h =
                linear ? std::max(16, std::min(8 * module, 48)) : std::max(16, std::min(3 * module, 32));
            return std::max(2, h / 4) + h * 6 / 5 + 1;
        };
        const auto fit = [&](int room) {
            return std::clamp(std::min(widest, room / (modules + 2 * quiet)), 1, 10);
        };
        int module = fit(linear ? box_w : std::min(box_w, box_h));
        if (!linear && field.human_readable) {
            module = fit(std::min(box_w, box_h - text_room(module)));
        }
        const int symbol_w = modules * module;
        const int x = field.align == BarcodeAlign::Left    ? box_x + quiet * module
                      : field.align == BarcodeAlign::Right ? box_x + box_w - quiet * module - symbol_w
                                                           : box_x + (box_w - symbol_w) / 2;
        BarcodeField out{field.symbology, std::max(box_x, x),  box_y, module, 0,
                         std::move(data), field.human_readable};
        if (linear) {
            out.height = std::max(1, box_h - text_room(module));
        } else {
            const int symbol_h = (symbol ? symbol->height : modules) * module;
            out.y = box_y + std::max(0, (box_h - text_room(module) - symbol_h) / 2);
        }
        label_.fields.emplace_back(std::move(out));
    }

    LabelSize size_;
    const Values& values_;
    Label label_;
};

}  // namespace

int TemplateLength::dots(int stock_dots, int dpi) const {
    const double d = millimetres ? value * dpi / 25.4 : value * stock_dots;
    return static_cast<int>(std::lround(d));
}

std::vector<Label> render_pages(const LabelTemplate& label_template, const LabelData& data, LabelSize size) {
    std::size_t per_page = data.rows.size();
    for (const auto& field : label_template.fields) {
        if (field.type == TemplateFieldType::Rows && field.pitch && field.height) {
            // In the template's own units, so every stock holds the same rows a page.
            const TemplateLength& pitch = *field.pitch;
            const TemplateLength& height = *field.height;
            const double rows =
                pitch.millimetres == height.millimetres && pitch.value > 0
                    ? std::floor(height.value / pitch.value + 1e-6)
                    : static_cast<double>(height.dots(size.height_dots, size.dpi) /
                                          std::max(1, pitch.dots(size.height_dots, size.dpi)));
            per_page = static_cast<std::size_t>(std::max(1.0, rows));
        }
    }
    const std::size_t pages =
        per_page == 0 ? 1 : std::max<std::size_t>(1, (data.rows.size() + per_page - 1) / per_page);
    std::vector<Label> labels;
    for (std::size_t page = 0; page < pages; ++page) {
        Values values = data.values;
        values["page"] = std::to_string(page + 1);
        values["pages"] = std::to_string(pages);
        std::vector<Values> rows;
        for (std::size_t i = page * per_page; i < data.rows.size() && i < (page + 1) * per_page; ++i) {
            rows.push_back(data.rows[i]);
        }
        Drawing drawing(size, values);
        for (const auto& field : label_template.fields) {
            drawing.draw(field, rows);
        }
        labels.push_back(drawing.take());
    }
    return labels;
}

Label render(const LabelTemplate& label_template, const LabelData& data, LabelSize size) {
    return render_pages(label_template, data, size).front();
}

}  // namespace packd::fulfillment
