#pragma once
// Label templates: the layout of each label kind in a TOML file under config/labels/, so a merchant changes
// the look without rebuilding (docs/labels.md). Positions and sizes are fractions of the stock or
// millimetres, so one template prints on 4x6 in and 100x150 mm stock at 203 and 300 dpi. Fields name the
// data they print ("{ship_to.name}"); the loader refuses a name the label kind does not have, a key it does
// not know and a field that would lie off the stock, with the file, line and key.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// The labels packd draws itself.
enum class LabelKind { Shipping, Return, PickList, Sscc };

/// "shipping", "return", "pick_list", "sscc": the template's `kind` and its file name without ".toml".
const char* to_string(LabelKind kind);
Result<LabelKind> parse_label_kind(std::string_view name);

/// The data field names a template of `kind` may use, e.g. "ship_to.name"; "page" and "pages" are in every
/// kind. Pick lists also have per-row names ("row.sku"), which only a `rows` field's columns may use.
const std::vector<std::string>& label_data_fields(LabelKind kind);
const std::vector<std::string>& label_row_fields(LabelKind kind);

/// What one label prints: values by field name (UTF-8, as they came), and for pick lists one map per row
/// with the row names without their "row." prefix.
struct LabelData {
    std::map<std::string, std::string> values;
    std::vector<std::map<std::string, std::string>> rows;
};

/// A length in a template: a fraction of the stock (across its width for x and widths, down its height for
/// y, heights and fonts) or millimetres ("12.5mm").
struct TemplateLength {
    double value = 0;
    bool millimetres = false;

    /// In dots on a stock side of `stock_dots` at `dpi`.
    int dots(int stock_dots, int dpi) const;
};

/// Text with "{name}" placeholders, split at load: literal pieces and field names alternate.
struct TemplateText {
    struct Piece {
        std::string text;
        bool is_field = false;
    };
    std::vector<Piece> pieces;
    bool bold = false;  ///< for one line of a `lines` block
};

enum class TemplateFieldType { Text, Lines, Barcode, Box, Rows };
/// What a line too wide for its field does: set smaller, down to kShrinkFloor of its font, before it is cut
/// with "..." (shrink, the default), or cut at its font (cut).
enum class TextFit { Shrink, Cut };
inline constexpr double kShrinkFloor = 0.7;
enum class BarcodeAlign { Left, Centre, Right };

/// One column of a `rows` field: its x and width, and the text of each row.
struct TemplateColumn {
    TemplateLength x;
    std::optional<TemplateLength> width;
    TemplateText text;
    bool bold = false;
};

/// One [[field]] of a template, as read. Which members matter depends on `type` (docs/labels.md).
struct TemplateField {
    TemplateFieldType type = TemplateFieldType::Text;
    int line = 0;  ///< where it starts in the file, for messages
    TemplateLength x;
    TemplateLength y;
    std::optional<TemplateLength> width;
    std::optional<TemplateLength> height;
    TemplateLength font{0.02, false};
    std::optional<TemplateLength> pitch;  ///< lines and rows: the distance between baselines
    bool bold = false;
    TextFit fit = TextFit::Shrink;    ///< text, lines and rows
    std::string when;                 ///< drawn only when this data field is not empty
    TemplateText text;                ///< text
    std::vector<TemplateText> lines;  ///< lines: a line whose fields are all empty is left out
    BarcodeKind symbology = BarcodeKind::Code128;
    std::vector<TemplateText> data;  ///< barcode: pieces joined; GS1 elements with empty fields left out
    /// barcode: the widest module; narrower when the data is long. Unset: 0.4 mm for linear symbols, as
    /// large as the field allows (up to the printer's 10 dots) for 2D ones.
    std::optional<TemplateLength> module;
    bool human_readable = false;
    BarcodeAlign align = BarcodeAlign::Centre;
    TemplateLength thickness{0.004, false};  ///< box: across the width
    std::vector<TemplateColumn> columns;     ///< rows
};

class CompiledTemplate;
struct LabelTemplate;

/// The compiled forms of one template, one per stock, made on first use (thread-safe). A copy starts
/// empty, so a copied template that is then changed compiles afresh.
class CompiledTemplates {
  public:
    CompiledTemplates() = default;
    CompiledTemplates(const CompiledTemplates&) {}
    CompiledTemplates& operator=(const CompiledTemplates& other);
    ~CompiledTemplates() = default;

    std::shared_ptr<const CompiledTemplate> of(const LabelTemplate& label_template, LabelSize size) const;

  private:
    mutable std::mutex mutex_;
    mutable std::vector<std::shared_ptr<const CompiledTemplate>> compiled_;
};

/// A loaded template: its label kind and fields in drawing order.
struct LabelTemplate {
    LabelKind kind = LabelKind::Shipping;
    std::string path;
    std::vector<TemplateField> fields;

    /// Reads and checks a template file; the error says "file:line: key: what is wrong".
    static Result<LabelTemplate> load(const std::string& path);
    /// The same for template text already read; `path` is only used in messages.
    static Result<LabelTemplate> parse(std::string_view text, const std::string& path);

    /// This template compiled for `size`, compiled the first time and kept. The fields must not change once
    /// a label has been drawn from it.
    std::shared_ptr<const CompiledTemplate> compiled(LabelSize size) const {
        return compiled_.of(*this, size);
    }

    CompiledTemplates compiled_;
};

/// One label drawn from a template: its model, which the print job keeps and the preview is drawn from, and
/// its ZPL, byte for byte what to_zpl(label) writes.
struct DrawnLabel {
    Label label;
    std::string zpl;
};

/// A template compiled for one stock: every length in dots, every "{name}" an index into the label's data,
/// and the fields that print no data ("SHIP TO:", rules) already fitted and written as ZPL. Drawing a label
/// is filling in its data: text is fitted with the cached glyph advances and appended escaped.
class CompiledTemplate {
  public:
    CompiledTemplate(const LabelTemplate& label_template, LabelSize size);
    ~CompiledTemplate();
    CompiledTemplate(const CompiledTemplate&) = delete;
    CompiledTemplate& operator=(const CompiledTemplate&) = delete;

    const LabelSize& size() const { return size_; }
    /// The labels of `data`, one per page, as render_pages() describes them.
    std::vector<DrawnLabel> draw_pages(const LabelData& data) const;
    /// The first page.
    DrawnLabel draw(const LabelData& data) const;

    struct Field;

  private:
    LabelSize size_;
    std::vector<std::string> names_;      ///< the data names the fields use, by index
    std::vector<std::string> row_names_;  ///< the row names ("sku" for "{row.sku}"), by index
    std::vector<Field> fields_;
    std::size_t rows_per_page_ = 0;  ///< 0: every row on one page
    std::string header_;
};

/// The template drawn with `data` on `size`: one label per page. Only pick lists have more than one page
/// (their rows continue on the next label and every page may say "page 1/2"). Text data prints on one line
/// (control characters become spaces) and is fitted where it is too wide for its field (`fit`). Check the
/// labels with validate(): a barcode whose symbology cannot carry the data makes it fail. The same as the
/// labels of label_template.compiled(size)->draw_pages(data).
std::vector<Label> render_pages(const LabelTemplate& label_template, const LabelData& data, LabelSize size);
/// The first page of render_pages.
Label render(const LabelTemplate& label_template, const LabelData& data, LabelSize size);

/// The four templates a site prints with, one per kind.
struct LabelTemplates {
    std::map<LabelKind, LabelTemplate> by_kind;

    const LabelTemplate& of(LabelKind kind) const { return by_kind.at(kind); }
};

/// Loads <directory>/shipping.toml, return.toml, pick_list.toml and sscc.toml; each must be of its kind.
Result<LabelTemplates> load_label_templates(const std::string& directory);

}  // namespace packd::fulfillment
