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
#include "template_readers.hpp"

namespace packd::fulfillment {
namespace {

using template_reading::FieldReader;
using template_reading::line_of;
using template_reading::TemplateReader;

// The smallest stock a template must fit: 100x150 mm (4x6 in is 101.6x152.4 mm).
constexpr double kStockWidthMm = 100.0;
constexpr double kStockHeightMm = 150.0;
constexpr std::size_t kMaxTemplateBytes = 256 * 1024;
constexpr std::size_t kMaxFields = 200;

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
