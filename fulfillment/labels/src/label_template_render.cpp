// Drawing a label template with data, in two steps. Compiling, once per template and stock: lengths become
// dots, "{name}" placeholders become indices into the label's data, and the fields that print no data are
// fitted and written as ZPL. Drawing, once per label: the data is filled in, barcodes get the largest
// module their field allows, a pick list's rows continue on further pages, and each field is laid out and
// appended as ZPL by the same code as to_zpl() (label_writing.hpp), so the label model and the ZPL agree.

#include <algorithm>
#include <cmath>

#include "label_writing.hpp"
#include "packd/fulfillment/labels/label_template.hpp"

namespace packd::fulfillment {
namespace {

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

// Text with its placeholders as indices: into the label's values, or (in rows) into the row's.
struct Piece {
    std::string literal;
    int value = -1;
    int row = -1;
};
struct Text {
    std::vector<Piece> pieces;
    bool bold = false;
};

struct Resolved {
    std::string text;
    bool has_fields = false;
    bool any_value = false;  ///< at least one field had data

    // A piece of text that names data but got none is left out: "(02) {gtin}" without a GTIN prints nothing.
    bool left_out() const { return text.empty() || (has_fields && !any_value); }
};

// The data of one page: a value by index, null where the label has none.
struct PageData {
    std::vector<const std::string*> values;
    std::vector<const std::string*> row;
};

Resolved resolve(const Text& text, const PageData& data, bool as_text) {
    Resolved out;
    for (const Piece& piece : text.pieces) {
        if (piece.value < 0 && piece.row < 0) {
            out.text += piece.literal;
            continue;
        }
        out.has_fields = true;
        const std::string* value = piece.row >= 0 ? data.row[static_cast<std::size_t>(piece.row)]
                                                  : data.values[static_cast<std::size_t>(piece.value)];
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

int index_of(std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) {
        return static_cast<int>(it - names.begin());
    }
    names.push_back(name);
    return static_cast<int>(names.size() - 1);
}

}  // namespace

// One [[field]] in dots, with its data by index. A field that prints no data is drawn once, here.
struct CompiledTemplate::Field {
    TemplateFieldType type = TemplateFieldType::Text;
    int when = -1;  ///< drawn only when this value is not empty
    int x = 0;
    int y = 0;
    int width = 0;  ///< 0: to the label edge (text); the box's width (box, barcode)
    int height = 0;
    int font = 0;
    int floor = 0;  ///< the smallest a line may be set to fit (TextField::min_height)
    int pitch = 0;
    int thickness = 1;        ///< box
    std::vector<Text> texts;  ///< text: one; lines: one a line; barcode: the data pieces
    struct Column {
        int x = 0;
        int width = 0;
        Text text;
    };
    std::vector<Column> columns;
    // barcode
    BarcodeKind symbology = BarcodeKind::Code128;
    int widest_module = 0;
    bool human_readable = false;
    BarcodeAlign align = BarcodeAlign::Centre;
    // A field without data: what it puts on every label, as model fields and as ZPL.
    bool fixed = false;
    std::vector<LabelField> fixed_fields;
    std::string fixed_zpl;
};

namespace {

using Field = CompiledTemplate::Field;

class Drawing {
  public:
    Drawing(const LabelSize& size, const PageData& data, DrawnLabel& out)
        : size_(size), data_(data), out_(out) {}

    void add(LabelField field) {
        append_zpl(out_.zpl, field, size_);
        out_.label.fields.push_back(std::move(field));
    }

    void text(const Field& field, int x, int y, int max_width, const Text& t) {
        const Resolved r = resolve(t, data_, true);
        if (!r.left_out()) {
            add(TextField{x, y, field.font, max_width, r.text, t.bold, field.floor});
        }
    }

    void draw(const Field& field, const std::vector<const std::map<std::string, std::string>*>& rows,
              const std::vector<std::string>& row_names) {
        if (field.when >= 0) {
            const std::string* value = data_.values[static_cast<std::size_t>(field.when)];
            if (value == nullptr || single_line(*value).empty()) {
                return;
            }
        }
        if (field.fixed) {
            out_.label.fields.insert(out_.label.fields.end(), field.fixed_fields.begin(),
                                     field.fixed_fields.end());
            out_.zpl += field.fixed_zpl;
            return;
        }
        switch (field.type) {
            case TemplateFieldType::Text:
                text(field, field.x, field.y, field.width, field.texts.front());
                break;
            case TemplateFieldType::Lines: {
                int at = field.y;
                for (const Text& line : field.texts) {
                    const Resolved r = resolve(line, data_, true);
                    if (r.left_out()) {
                        continue;
                    }
                    add(TextField{field.x, at, field.font, field.width, r.text, line.bold, field.floor});
                    at += field.pitch;
                }
                break;
            }
            case TemplateFieldType::Box:
                add(BoxField{field.x, field.y, std::max(1, field.width), std::max(1, field.height),
                             field.thickness});
                break;
            case TemplateFieldType::Barcode:
                barcode(field);
                break;
            case TemplateFieldType::Rows: {
                int at = field.y;
                PageData row_data{data_.values, std::vector<const std::string*>(row_names.size())};
                for (const auto* row : rows) {
                    for (std::size_t i = 0; i < row_names.size(); ++i) {
                        const auto it = row->find(row_names[i]);
                        row_data.row[i] = it == row->end() ? nullptr : &it->second;
                    }
                    Drawing cells(size_, row_data, out_);
                    for (const auto& column : field.columns) {
                        cells.text(field, column.x, at, column.width, column.text);
                    }
                    at += field.pitch;
                }
                break;
            }
        }
    }

  private:
    void barcode(const Field& field) {
        const bool gs1 =
            field.symbology == BarcodeKind::Gs1_128 || field.symbology == BarcodeKind::Gs1DataMatrix;
        std::string data;
        for (const Text& piece : field.texts) {
            const Resolved r = resolve(piece, data_, false);
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
        const int box_w = field.width;
        const int box_h = field.height;
        // Quiet zones: 10 modules for Code 128 (ISO/IEC 15417), 4 for QR (ISO/IEC 18004), 2 for DataMatrix
        // (ISO/IEC 16022 asks 1). A symbol that cannot carry the data still gets a field, sized as a short
        // one, so validate() reports it.
        const int quiet = linear ? 10 : field.symbology == BarcodeKind::QrCode ? 4 : 2;
        const auto symbol = barcode_size(field.symbology, data);
        const int modules = symbol   ? symbol->width
                            : linear ? 11 * (static_cast<int>(data.size()) + 3) + 2
                                     : 21;
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
            return std::clamp(std::min(field.widest_module, room / (modules + 2 * quiet)), 1, 10);
        };
        int module = fit(linear ? box_w : std::min(box_w, box_h));
        if (!linear && field.human_readable) {
            module = fit(std::min(box_w, box_h - text_room(module)));
        }
        const int symbol_w = modules * module;
        const int x = field.align == BarcodeAlign::Left    ? field.x + quiet * module
                      : field.align == BarcodeAlign::Right ? field.x + box_w - quiet * module - symbol_w
                                                           : field.x + (box_w - symbol_w) / 2;
        BarcodeField out{field.symbology, std::max(field.x, x), field.y, module, 0,
                         std::move(data), field.human_readable};
        if (linear) {
            out.height = std::max(1, box_h - text_room(module));
        } else {
            const int symbol_h = (symbol ? symbol->height : modules) * module;
            out.y = field.y + std::max(0, (box_h - text_room(module) - symbol_h) / 2);
        }
        add(std::move(out));
    }

    const LabelSize& size_;
    const PageData& data_;
    DrawnLabel& out_;
};

}  // namespace

CompiledTemplate::CompiledTemplate(const LabelTemplate& label_template, LabelSize size)
    : size_(size), header_(zpl_header(size)) {
    const auto across = [&](const TemplateLength& l) { return l.dots(size.width_dots, size.dpi); };
    const auto down = [&](const TemplateLength& l) { return l.dots(size.height_dots, size.dpi); };
    // The right edge is rounded once, so a field that ends at the stock's edge never passes it.
    const auto width = [&](const TemplateLength& x, const std::optional<TemplateLength>& w) {
        if (!w) {
            return 0;  // up to the label edge
        }
        const TemplateLength right{x.value + w->value, x.millimetres};
        return x.millimetres == w->millimetres ? across(right) - across(x) : across(*w);
    };
    const auto text_of = [&](const TemplateText& t, bool bold, bool in_rows) {
        Text out{{}, bold};
        for (const auto& piece : t.pieces) {
            if (!piece.is_field) {
                out.pieces.push_back({piece.text, -1, -1});
            } else if (in_rows && piece.text.rfind("row.", 0) == 0) {
                out.pieces.push_back({{}, -1, index_of(row_names_, piece.text.substr(4))});
            } else {
                out.pieces.push_back({{}, index_of(names_, piece.text), -1});
            }
        }
        return out;
    };
    for (const TemplateField& t : label_template.fields) {
        Field field;
        field.type = t.type;
        field.when = t.when.empty() ? -1 : index_of(names_, t.when);
        field.x = across(t.x);
        field.y = down(t.y);
        field.width = width(t.x, t.width);
        field.height = t.height ? down(*t.height) : 0;
        field.font = std::max(10, down(t.font));  // the printer's scalable font needs at least 10 dots
        field.floor = t.fit == TextFit::Cut
                          ? 0
                          : std::max(10, static_cast<int>(std::lround(field.font * kShrinkFloor)));
        switch (t.type) {
            case TemplateFieldType::Text:
                field.texts.push_back(text_of(t.text, t.bold, false));
                break;
            case TemplateFieldType::Lines:
                field.pitch = t.pitch ? down(*t.pitch) : static_cast<int>(std::lround(field.font * 1.25));
                for (const auto& line : t.lines) {
                    field.texts.push_back(text_of(line, line.bold, false));
                }
                break;
            case TemplateFieldType::Box:
                field.thickness = std::max(1, across(t.thickness));
                break;
            case TemplateFieldType::Barcode:
                for (const auto& piece : t.data) {
                    field.texts.push_back(text_of(piece, false, false));
                }
                field.symbology = t.symbology;
                field.widest_module =
                    t.module ? std::max(1, across(*t.module))
                    : field.symbology == BarcodeKind::Code128 || field.symbology == BarcodeKind::Gs1_128
                        ? size.dots_from_mm(0.4)
                        : 10;
                field.human_readable = t.human_readable;
                field.align = t.align;
                break;
            case TemplateFieldType::Rows:
                field.pitch = t.pitch ? std::max(1, down(*t.pitch)) : 1;
                for (const auto& column : t.columns) {
                    field.columns.push_back({across(column.x), width(column.x, column.width),
                                             text_of(column.text, column.bold, true)});
                }
                if (t.pitch && t.height) {
                    // In the template's own units, so every stock holds the same rows a page.
                    const TemplateLength& pitch = *t.pitch;
                    const TemplateLength& height = *t.height;
                    const double rows =
                        pitch.millimetres == height.millimetres && pitch.value > 0
                            ? std::floor(height.value / pitch.value + 1e-6)
                            : static_cast<double>(height.dots(size.height_dots, size.dpi) /
                                                  std::max(1, pitch.dots(size.height_dots, size.dpi)));
                    rows_per_page_ = static_cast<std::size_t>(std::max(1.0, rows));
                }
                break;
        }
        const bool data_free = std::all_of(field.texts.begin(), field.texts.end(), [](const Text& text) {
            return std::all_of(text.pieces.begin(), text.pieces.end(),
                               [](const Piece& p) { return p.value < 0 && p.row < 0; });
        });
        field.fixed = field.when < 0 && data_free &&
                      (t.type == TemplateFieldType::Text || t.type == TemplateFieldType::Box);
        fields_.push_back(std::move(field));
    }
    // The fields without data, drawn once.
    const PageData none{std::vector<const std::string*>(names_.size()), {}};
    for (Field& field : fields_) {
        if (field.fixed) {
            Field once = field;
            once.fixed = false;
            DrawnLabel drawn;
            Drawing(size_, none, drawn).draw(once, {}, row_names_);
            field.fixed_fields = std::move(drawn.label.fields);
            field.fixed_zpl = std::move(drawn.zpl);
        }
    }
}

CompiledTemplate::~CompiledTemplate() = default;

std::vector<DrawnLabel> CompiledTemplate::draw_pages(const LabelData& data) const {
    const std::size_t per_page = rows_per_page_ == 0 ? data.rows.size() : rows_per_page_;
    const std::size_t pages =
        per_page == 0 ? 1 : std::max<std::size_t>(1, (data.rows.size() + per_page - 1) / per_page);
    std::vector<DrawnLabel> labels;
    labels.reserve(pages);
    const std::string pages_text = std::to_string(pages);
    for (std::size_t page = 0; page < pages; ++page) {
        const std::string page_text = std::to_string(page + 1);
        PageData values{std::vector<const std::string*>(names_.size()), {}};
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (names_[i] == "page" || names_[i] == "pages") {
                values.values[i] = names_[i] == "page" ? &page_text : &pages_text;
            } else if (const auto it = data.values.find(names_[i]); it != data.values.end()) {
                values.values[i] = &it->second;
            }
        }
        std::vector<const std::map<std::string, std::string>*> rows;
        for (std::size_t i = page * per_page; i < data.rows.size() && i < (page + 1) * per_page; ++i) {
            rows.push_back(&data.rows[i]);
        }
        DrawnLabel drawn{Label{size_, {}}, header_};
        drawn.label.fields.reserve(fields_.size() + 8);
        drawn.zpl.reserve(2048);
        Drawing drawing(size_, values, drawn);
        for (const Field& field : fields_) {
            drawing.draw(field, rows, row_names_);
        }
        drawn.zpl += kZplFooter;
        labels.push_back(std::move(drawn));
    }
    return labels;
}

DrawnLabel CompiledTemplate::draw(const LabelData& data) const {
    return std::move(draw_pages(data).front());
}

CompiledTemplates& CompiledTemplates::operator=(const CompiledTemplates& other) {
    if (this != &other) {
        const std::lock_guard lock(mutex_);
        compiled_.clear();
    }
    return *this;
}

std::shared_ptr<const CompiledTemplate> CompiledTemplates::of(const LabelTemplate& label_template,
                                                              LabelSize size) const {
    const std::lock_guard lock(mutex_);
    for (const auto& compiled : compiled_) {
        const LabelSize& s = compiled->size();
        if (s.width_dots == size.width_dots && s.height_dots == size.height_dots && s.dpi == size.dpi) {
            return compiled;
        }
    }
    // A site prints on one or two stocks; a bound keeps odd callers from growing the list.
    if (compiled_.size() >= 8) {
        compiled_.erase(compiled_.begin());
    }
    compiled_.push_back(std::make_shared<const CompiledTemplate>(label_template, size));
    return compiled_.back();
}

int TemplateLength::dots(int stock_dots, int dpi) const {
    const double d = millimetres ? value * dpi / 25.4 : value * stock_dots;
    return static_cast<int>(std::lround(d));
}

std::vector<Label> render_pages(const LabelTemplate& label_template, const LabelData& data, LabelSize size) {
    std::vector<Label> labels;
    for (DrawnLabel& drawn : label_template.compiled(size)->draw_pages(data)) {
        labels.push_back(std::move(drawn.label));
    }
    return labels;
}

Label render(const LabelTemplate& label_template, const LabelData& data, LabelSize size) {
    return std::move(label_template.compiled(size)->draw(data).label);
}

}  // namespace packd::fulfillment
