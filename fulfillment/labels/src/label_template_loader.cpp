// Reading label templates (docs/labels.md): TOML through toml++, every key checked against what its field
// type may hold, every "{name}" against the label kind's data, and every field against the smallest stock
// packd prints on, so a broken template is refused when it is loaded rather than printing a wrong label.

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "packd/fulfillment/labels/label_template.hpp"

namespace packd::fulfillment {
namespace {

// The smallest stock a template must fit: 100x150 mm (4x6 in is 101.6x152.4 mm).
constexpr double kStockWidthMm = 100.0;
constexpr double kStockHeightMm = 150.0;
constexpr std::size_t kMaxTemplateBytes = 256 * 1024;
constexpr std::size_t kMaxFields = 200;

int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

/// The first problem found while reading one template, with where it is.
class TemplateReader {
  public:
    TemplateReader(std::string path, LabelKind kind) : path_(std::move(path)), kind_(kind) {
        const auto& names = label_data_fields(kind);
        values_.insert(names.begin(), names.end());
        const auto& row_names = label_row_fields(kind);
        rows_.insert(row_names.begin(), row_names.end());
    }

    bool failed() const { return !problem_.empty(); }
    const std::string& problem() const { return problem_; }

    void refuse(int line, const std::string& key, const std::string& message) {
        if (problem_.empty()) {
            problem_ = path_ + ":" + std::to_string(line) + ": " + key + ": " + message;
        }
    }

    // A length: a number from 0 to 1 is a fraction of the stock, a string "12.5mm" millimetres.
    std::optional<TemplateLength> length(const toml::node& node, const std::string& key) {
        if (node.is_number()) {
            const double v = node.value<double>().value_or(-1);
            if (!(v >= 0 && v <= 1)) {
                refuse(line_of(node), key,
                       "expected a fraction of the stock from 0 to 1 or a length such as \"12mm\"");
                return std::nullopt;
            }
            return TemplateLength{v, false};
        }
        if (node.is_string()) {
            const std::string s = node.value<std::string>().value_or("");
            if (s.size() > 2 && s.size() < 16 && s.compare(s.size() - 2, 2, "mm") == 0) {
                const std::string number = s.substr(0, s.size() - 2);
                char* end = nullptr;
                errno = 0;
                const double v = std::strtod(number.c_str(), &end);
                if (errno == 0 && end == number.c_str() + number.size() &&
                    std::isdigit(static_cast<unsigned char>(number.front())) && v >= 0 && v <= 1000) {
                    return TemplateLength{v, true};
                }
            }
        }
        refuse(line_of(node), key,
               "expected a fraction of the stock from 0 to 1 or a length such as \"12mm\"");
        return std::nullopt;
    }

    // "{ship_to.name}, {ship_to.city}": pieces, every name checked; "{{" and "}}" are literal braces.
    std::optional<TemplateText> text(const toml::node& node, const std::string& key, bool in_row) {
        if (!node.is_string()) {
            refuse(line_of(node), key, "expected a string");
            return std::nullopt;
        }
        const std::string s = node.value<std::string>().value_or("");
        TemplateText out;
        std::string literal;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if ((s[i] == '{' || s[i] == '}') && i + 1 < s.size() && s[i + 1] == s[i]) {
                literal += s[i++];
                continue;
            }
            if (s[i] == '}') {
                refuse(line_of(node), key, "a '}' without its '{' (write \"}}\" for a brace)");
                return std::nullopt;
            }
            if (s[i] != '{') {
                literal += s[i];
                continue;
            }
            const std::size_t close = s.find('}', i);
            if (close == std::string::npos) {
                refuse(line_of(node), key, "a '{' without its '}' (write \"{{\" for a brace)");
                return std::nullopt;
            }
            const std::string name = s.substr(i + 1, close - i - 1);
            if (!values_.count(name) && !(in_row && rows_.count(name))) {
                refuse(line_of(node), key,
                       "unknown data field \"" + name + "\" for a " + to_string(kind_) +
                           " label (known: " + known(in_row) + ")");
                return std::nullopt;
            }
            if (!literal.empty()) {
                out.pieces.push_back({std::move(literal), false});
                literal.clear();
            }
            out.pieces.push_back({name, true});
            i = close;
        }
        if (!literal.empty()) {
            out.pieces.push_back({std::move(literal), false});
        }
        return out;
    }

    bool known_value(const std::string& name) const { return values_.count(name) > 0; }

    std::string known(bool in_row) const {
        std::string out;
        for (const auto& names :
             {label_data_fields(kind_), in_row ? label_row_fields(kind_) : std::vector<std::string>{}}) {
            for (const auto& n : names) {
                out += out.empty() ? "" : ", ";
                out += n;
            }
        }
        return out;
    }

    const std::string& path() const { return path_; }

  private:
    std::string path_;
    LabelKind kind_;
    std::set<std::string> values_;
    std::set<std::string> rows_;
    std::string problem_;
};

// A length as a fraction of the smallest stock's side, to check a field stays on every stock.
double across(const TemplateLength& l) {
    return l.millimetres ? l.value / kStockWidthMm : l.value;
}
double down(const TemplateLength& l) {
    return l.millimetres ? l.value / kStockHeightMm : l.value;
}

const std::map<std::string, std::set<std::string>>& keys_of_type() {
    static const std::map<std::string, std::set<std::string>> keys = {
        {"text", {"type", "x", "y", "when", "text", "font", "width", "bold", "fit"}},
        {"lines", {"type", "x", "y", "when", "lines", "font", "width", "bold", "pitch", "fit"}},
        {"barcode",
         {"type", "x", "y", "when", "symbology", "data", "width", "height", "module", "human_readable",
          "align"}},
        {"box", {"type", "x", "y", "when", "width", "height", "thickness"}},
        {"rows", {"type", "x", "y", "when", "height", "pitch", "font", "columns", "fit"}},
    };
    return keys;
}

class FieldReader {
  public:
    FieldReader(TemplateReader& reader, const toml::table& table, std::string key)
        : r_(reader), table_(table), key_(std::move(key)) {}

    const toml::node* get(std::string_view name) const { return table_.get(name); }
    std::string key(std::string_view name) const { return key_ + "." + std::string(name); }

    void length(std::string_view name, TemplateLength& out) {
        if (const auto* node = get(name)) {
            if (auto l = r_.length(*node, key(name))) {
                out = *l;
            }
        }
    }
    void length(std::string_view name, std::optional<TemplateLength>& out) {
        if (const auto* node = get(name)) {
            out = r_.length(*node, key(name));
        }
    }
    void boolean(std::string_view name, bool& out) {
        if (const auto* node = get(name)) {
            if (!node->is_boolean()) {
                r_.refuse(line_of(*node), key(name), "expected true or false");
                return;
            }
            out = node->value<bool>().value_or(false);
        }
    }
    std::string word(std::string_view name, std::initializer_list<std::string_view> allowed) {
        const auto* node = get(name);
        if (node == nullptr) {
            return {};
        }
        const std::string value = node->value<std::string>().value_or("");
        std::string list;
        for (const auto a : allowed) {
            if (value == a) {
                return value;
            }
            // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) inside std::string for a + b chains.
            list.append(list.empty() ? "" : ", ").append("\"").append(a).append("\"");
        }
        r_.refuse(line_of(*node), key(name), "expected one of " + list);
        return {};
    }
    void require(std::string_view name) {
        if (get(name) == nullptr) {
            r_.refuse(line_of(table_), key(name), "expected this key, found nothing (it is required)");
        }
    }
    void check_on_stock(double right, double bottom) {
        constexpr double kSlack = 1e-9;
        if (right > 1 + kSlack || bottom > 1 + kSlack) {
            r_.refuse(line_of(table_), key_,
                      std::string("the field lies off the stock (") +
                          (right > 1 + kSlack ? "past its right edge" : "past its bottom edge") +
                          " on 100x150 mm; positions and sizes are fractions of the stock or millimetres)");
        }
    }

  private:
    TemplateReader& r_;
    const toml::table& table_;
    std::string key_;
};

void read_barcode(TemplateReader& r, FieldReader& f, const toml::table& table, TemplateField& field) {
    const std::string symbology = f.word("symbology", {"code128", "gs1_128", "gs1_datamatrix", "qr"});
    field.symbology = symbology == "gs1_128"          ? BarcodeKind::Gs1_128
                      : symbology == "gs1_datamatrix" ? BarcodeKind::Gs1DataMatrix
                      : symbology == "qr"             ? BarcodeKind::QrCode
                                                      : BarcodeKind::Code128;
    f.require("symbology");
    f.require("data");
    f.require("width");
    f.require("height");
    if (const auto* data = table.get("data")) {
        if (const auto* array = data->as_array()) {
            for (std::size_t i = 0; i < array->size(); ++i) {
                if (auto t = r.text(*array->get(i), f.key("data") + "[" + std::to_string(i) + "]", false)) {
                    field.data.push_back(std::move(*t));
                }
            }
        } else if (auto t = r.text(*data, f.key("data"), false)) {
            field.data.push_back(std::move(*t));
        }
    }
    f.length("module", field.module);
    f.boolean("human_readable", field.human_readable);
    const std::string align = f.word("align", {"left", "centre", "right"});
    field.align = align == "left"    ? BarcodeAlign::Left
                  : align == "right" ? BarcodeAlign::Right
                                     : BarcodeAlign::Centre;
    if (field.module &&
        (!field.module->millimetres || field.module->value < 0.1 || field.module->value > 2)) {
        r.refuse(field.line, f.key("module"), "expected a module width from \"0.1mm\" to \"2mm\"");
    }
}

void read_lines(TemplateReader& r, FieldReader& f, const toml::table& table, TemplateField& field) {
    f.require("lines");
    const auto* lines = table.get("lines");
    if (lines == nullptr) {
        return;
    }
    const auto* array = lines->as_array();
    if (array == nullptr) {
        r.refuse(line_of(*lines), f.key("lines"),
                 "expected an array of strings or { text = \"...\", bold = true }");
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& item = *array->get(i);
        const std::string key = f.key("lines") + "[" + std::to_string(i) + "]";
        const toml::node* text = &item;
        bool bold = field.bold;
        if (const auto* t = item.as_table()) {
            for (auto&& [k, unused] : *t) {
                if (k.str() != "text" && k.str() != "bold") {
                    r.refuse(line_of(item), key + "." + std::string(k.str()),
                             "unknown key (known: text, bold)");
                }
            }
            text = t->get("text");
            if (text == nullptr) {
                r.refuse(line_of(item), key + ".text", "expected this key, found nothing (it is required)");
                return;
            }
            if (const auto* b = t->get("bold")) {
                bold = b->value<bool>().value_or(bold);
            }
        }
        if (auto parsed = r.text(*text, key, false)) {
            parsed->bold = bold;
            field.lines.push_back(std::move(*parsed));
        }
    }
}

void read_rows(TemplateReader& r, FieldReader& f, const toml::table& table, TemplateField& field) {
    f.require("height");
    f.require("pitch");
    f.require("columns");
    const auto* columns = table.get("columns");
    const auto* array = columns != nullptr ? columns->as_array() : nullptr;
    if (columns != nullptr && array == nullptr) {
        r.refuse(line_of(*columns), f.key("columns"),
                 "expected an array of { x = ..., width = ..., text = \"...\" }");
        return;
    }
    for (std::size_t i = 0; array != nullptr && i < array->size(); ++i) {
        const std::string key = f.key("columns") + "[" + std::to_string(i) + "]";
        const auto* t = array->get(i)->as_table();
        if (t == nullptr) {
            r.refuse(line_of(*array->get(i)), key, "expected { x = ..., width = ..., text = \"...\" }");
            return;
        }
        FieldReader c(r, *t, key);
        TemplateColumn column;
        for (auto&& [k, unused] : *t) {
            if (k.str() != "x" && k.str() != "width" && k.str() != "text" && k.str() != "bold") {
                r.refuse(line_of(*t), key + "." + std::string(k.str()),
                         "unknown key (known: x, width, text, bold)");
            }
        }
        c.require("x");
        c.require("text");
        c.length("x", column.x);
        c.length("width", column.width);
        c.boolean("bold", column.bold);
        if (const auto* text = t->get("text")) {
            if (auto parsed = r.text(*text, key + ".text", true)) {
                column.text = std::move(*parsed);
            }
        }
        c.check_on_stock(across(column.x) + (column.width ? across(*column.width) : 0), 0);
        field.columns.push_back(std::move(column));
    }
}

void read_field(TemplateReader& r, const toml::table& table, std::size_t index, TemplateField& field) {
    const std::string key = "field[" + std::to_string(index + 1) + "]";
    FieldReader f(r, table, key);
    field.line = line_of(table);
    f.require("type");
    const std::string type = f.word("type", {"text", "lines", "barcode", "box", "rows"});
    if (type.empty()) {
        return;
    }
    const auto& allowed = keys_of_type().at(type);
    for (auto&& [k, node] : table) {
        if (!allowed.count(std::string(k.str()))) {
            std::string list;
            for (const auto& a : allowed) {
                list += list.empty() ? "" : ", ";
                list += a;
            }
            r.refuse(line_of(node), f.key(k.str()),
                     "unknown key for a " + type + " field (known: " + list + ")");
        }
    }
    field.type = type == "text"      ? TemplateFieldType::Text
                 : type == "lines"   ? TemplateFieldType::Lines
                 : type == "barcode" ? TemplateFieldType::Barcode
                 : type == "box"     ? TemplateFieldType::Box
                                     : TemplateFieldType::Rows;
    f.length("x", field.x);
    f.length("y", field.y);
    f.length("width", field.width);
    f.length("height", field.height);
    f.length("font", field.font);
    f.length("pitch", field.pitch);
    f.length("thickness", field.thickness);
    f.boolean("bold", field.bold);
    field.fit = f.word("fit", {"shrink", "cut"}) == "cut" ? TextFit::Cut : TextFit::Shrink;
    if (const auto* when = table.get("when")) {
        field.when = when->value<std::string>().value_or("");
        if (!r.known_value(field.when)) {
            r.refuse(line_of(*when), f.key("when"),
                     "unknown data field \"" + field.when + "\" (known: " + r.known(false) + ")");
        }
    }
    const double font_room = down(field.font) * 1.2;
    const double right = across(field.x) + (field.width ? across(*field.width) : 0);
    switch (field.type) {
        case TemplateFieldType::Text:
            f.require("text");
            if (const auto* text = table.get("text")) {
                if (auto parsed = r.text(*text, f.key("text"), false)) {
                    field.text = std::move(*parsed);
                }
            }
            f.check_on_stock(right, down(field.y) + font_room);
            break;
        case TemplateFieldType::Lines: {
            read_lines(r, f, table, field);
            const double pitch = field.pitch ? down(*field.pitch) : down(field.font) * 1.25;
            const auto n = static_cast<double>(std::max<std::size_t>(1, field.lines.size()));
            f.check_on_stock(right, down(field.y) + pitch * (n - 1) + font_room);
            break;
        }
        case TemplateFieldType::Barcode:
            read_barcode(r, f, table, field);
            f.check_on_stock(right, down(field.y) + (field.height ? down(*field.height) : 0));
            break;
        case TemplateFieldType::Box:
            f.require("width");
            f.require("height");
            f.check_on_stock(right, down(field.y) + (field.height ? down(*field.height) : 0));
            break;
        case TemplateFieldType::Rows:
            read_rows(r, f, table, field);
            f.check_on_stock(0, down(field.y) + (field.height ? down(*field.height) : 0));
            if (field.pitch && field.height && down(*field.pitch) > down(*field.height)) {
                r.refuse(field.line, f.key("pitch"), "expected a row pitch no taller than the rows' height");
            }
            break;
    }
    if (down(field.font) <= 0) {
        r.refuse(field.line, f.key("font"), "expected a font height above 0");
    }
}

}  // namespace

Result<LabelTemplate> LabelTemplate::parse(std::string_view text, const std::string& path) {
    if (text.size() > kMaxTemplateBytes) {
        return fail(path + ": expected a template of at most 256 KiB, found " + std::to_string(text.size()) +
                    " bytes");
    }
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        return fail(path + ":" + std::to_string(e.source().begin.line) +
                    ": not valid TOML: " + std::string(e.description()));
    }
    for (auto&& [key, node] : root) {
        if (key.str() != "kind" && key.str() != "field") {
            return fail(path + ":" + std::to_string(line_of(node)) + ": " + std::string(key.str()) +
                        ": unknown key (known: kind, field)");
        }
    }
    const toml::node* kind_node = root.get("kind");
    if (kind_node == nullptr) {
        return fail(path +
                    ":1: kind: expected this key, found nothing (shipping, return, pick_list or sscc)");
    }
    auto kind = parse_label_kind(kind_node->value<std::string>().value_or(""));
    if (!kind) {
        return fail(path + ":" + std::to_string(line_of(*kind_node)) + ": kind: " + kind.error().message);
    }
    LabelTemplate out;
    out.kind = *kind;
    out.path = path;
    TemplateReader reader(path, *kind);
    const toml::node* fields = root.get("field");
    const toml::array* array = fields != nullptr ? fields->as_array() : nullptr;
    if (array == nullptr || array->empty()) {
        return fail(path + ":1: field: expected [[field]] tables, found none");
    }
    if (array->size() > kMaxFields) {
        return fail(path + ": field: expected at most " + std::to_string(kMaxFields) + " fields");
    }
    int rows = 0;
    for (std::size_t i = 0; i < array->size() && !reader.failed(); ++i) {
        const auto* table = array->get(i)->as_table();
        if (table == nullptr) {
            reader.refuse(line_of(*array->get(i)), "field[" + std::to_string(i + 1) + "]",
                          "expected a table [[field]]");
            break;
        }
        TemplateField field;
        read_field(reader, *table, i, field);
        if (field.type == TemplateFieldType::Rows && ++rows > 1) {
            reader.refuse(field.line, "field[" + std::to_string(i + 1) + "]",
                          "a template has at most one rows field");
        }
        out.fields.push_back(std::move(field));
    }
    if (reader.failed()) {
        return fail(reader.problem());
    }
    return out;
}

Result<LabelTemplate> LabelTemplate::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(path + ": cannot read the label template: " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str(), path);
}

Result<LabelTemplates> load_label_templates(const std::string& directory) {
    LabelTemplates templates;
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        const std::string path = directory + "/" + to_string(kind) + ".toml";
        auto loaded = LabelTemplate::load(path);
        if (!loaded) {
            return loaded.error();
        }
        if (loaded->kind != kind) {
            return fail(path + ": kind: expected \"" + std::string(to_string(kind)) +
                        "\" for this file, found \"" + to_string(loaded->kind) + "\"");
        }
        templates.by_kind.emplace(kind, std::move(*loaded));
    }
    return templates;
}

}  // namespace packd::fulfillment
