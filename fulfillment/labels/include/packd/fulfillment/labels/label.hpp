#pragma once
// The label model: one layout in printer dots that becomes ZPL II for the printer (to_zpl) and a PNG
// preview drawn by packd itself (render_bitmap, to_png). Both outputs follow one layout step (lay_out): text
// is measured with the same font and fitted the same way, emphasis is the same double impression, so the
// preview shows what the printer prints.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/common/utf8.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/barcodes/symbols.hpp"

namespace packd::fulfillment {

/// The printable area of a label stock in printer dots, and the resolution those dots were counted at.
struct LabelSize {
    int width_dots = 0;
    int height_dots = 0;
    int dpi = 0;

    /// A stock measured in inches, e.g. inches(4, 6, 203) for the common 4x6 shipping label.
    static LabelSize inches(double width, double height, int dpi);
    /// A stock measured in millimetres, e.g. millimetres(100, 150, 300); dots = mm * dpi / 25.4, rounded.
    static LabelSize millimetres(double width, double height, int dpi);

    /// A length in millimetres as dots at this resolution, rounded.
    int dots_from_mm(double mm) const;
};

/// One line of text. `height` is the font size (em) in dots; the line needs about 1.2 x height of room.
/// Text wider than `max_width` (or than the label, when max_width <= 0) is set smaller, down to
/// `min_height` (0: not smaller), and what is still too wide is cut and ends in "...".
struct TextField {
    int x = 0;
    int y = 0;
    int height = 0;
    int max_width = 0;
    std::string text;  // UTF-8
    /// Emphasis: the line is set twice, the second time emphasis_dots(height) to the right. The printer's
    /// scalable font has one weight, so this is how both outputs make a line stand out.
    bool bold = false;
    int min_height = 0;
};

/// The symbologies a fulfillment label carries.
/// A barcode with its top-left corner at (x, y). `module_width` is the narrow bar or the matrix module in
/// dots (1 to 10, as the printer accepts); `height` is the bar height of linear symbols and is ignored for
/// 2D ones. GS1 data is either "(00)123...(420)12345" or the raw element string with GS (0x1D) separators.
struct BarcodeField {
    BarcodeKind kind = BarcodeKind::Code128;
    int x = 0;
    int y = 0;
    int module_width = 2;
    int height = 0;
    std::string data;
    // Print the data as a text line under the symbol: centred and no wider than the bars of a linear symbol,
    // from the left edge of a 2D symbol on towards the label edge.
    bool human_readable = false;
};

/// A rectangle outline drawn inward with `thickness` dots. As with ZPL ^GB, a thickness of at least half the
/// shorter side gives a solid bar, which is how rules between label sections are drawn.
struct BoxField {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
    int thickness = 1;
};

using LabelField = std::variant<TextField, BarcodeField, BoxField>;

/// A label ready to print or preview: the stock and its fields, positioned in dots from the top-left corner.
struct Label {
    LabelSize size;
    std::vector<LabelField> fields;
};

/// Checks that every field lies on the label and every barcode can be encoded; the error names the field.
Status validate(const Label& label);

// ---- ZPL II -------------------------------------------------------------------------------------------

struct LabelLayout;

/// The label as one ZPL II format (^XA ... ^XZ) in UTF-8 (^CI28). All outside text is escaped with ^FH.
/// Text is set in the printer's scalable font 0 (^A0), a bold condensed face narrower than the preview's
/// DejaVu Sans, so a line fitted to the preview fits on the printed label too; it has one weight (emphasis
/// is a second impression) and no CJK or emoji glyphs. A barcode that validate() rejects is left out rather
/// than printed as a symbol of something else.
std::string to_zpl(const Label& label);
/// The same for a layout already made (lay_out(label)).
std::string to_zpl(const LabelLayout& layout);

/// `utf8` made safe to place between ^FD and ^FS of a field that ^FH_ precedes: '^', '~', '_', bytes below
/// 0x20 and 0x7F become _XX (hex), well-formed UTF-8 multibyte sequences pass through, and any byte that is
/// not part of well-formed UTF-8 becomes '?', which every printer font has.
std::string zpl_field_data(std::string_view utf8);

// ---- Text, shared by both outputs ---------------------------------------------------------------------

/// The TrueType file the preview draws with and both outputs measure with. The default is the file the
/// build names (DejaVu Sans); a site that prints other scripts can point elsewhere. There is no bold file:
/// emphasis is the same face set twice, as the printer makes it.
struct LabelFonts {
    std::string regular;
};
LabelFonts default_label_fonts();
/// Thread-safe; renders and measurements after this call use the new file.
void use_label_fonts(LabelFonts fonts);

/// How far to the right the second impression of emphasised text at `height_dots` is set: a dot or two.
int emphasis_dots(int height_dots);

/// The advance width in dots of `utf8` set in the label font at `height_dots` (hinted advances, no kerning,
/// from a cache filled by FreeType on first use), plus the emphasis offset when `bold`. Without a loadable
/// font it falls back to one em per character, which over-estimates, so printed text still never overflows.
int text_width_dots(std::string_view utf8, int height_dots, bool bold);

/// A line as both outputs set it: its text and the height it is set at.
struct FittedText {
    std::string text;
    int height = 0;
};
/// `field` fitted: well-formed UTF-8 at its height when it fits; else set smaller, at a height down to
/// min_height at which it fits and one dot more would not; else at min_height (or its height when that is
/// 0), the longest prefix that fits followed by "...".
FittedText fit_text(const TextField& field, const LabelSize& size);
/// fit_text(field, size).text.
std::string fitted_text(const TextField& field, const LabelSize& size);

// ---- Barcodes -----------------------------------------------------------------------------------------

/// A barcode field as it lands on the label: its size in modules and dots and, when asked for, the
/// human-readable line already placed under it.
struct PlacedBarcode {
    SymbolSize modules;
    int width_dots = 0;
    int height_dots = 0;
    std::optional<TextField> human_readable;
};
Result<PlacedBarcode> place_barcode(const BarcodeField& field);

// ---- Layout, shared by both outputs -------------------------------------------------------------------

/// One impression of a line of text: emphasised text is two, the second emphasis_dots() to the right. Like
/// the printer, the preview does not clip: fitting keeps every advance inside the field.
struct TextImpression {
    int x = 0;
    int y = 0;
    int height = 0;    ///< the em in dots: ^A0's height and width, the preview's pixel size
    std::string text;  ///< fitted (fit_text)
};

/// A barcode with its placement.
struct PlacedSymbol {
    BarcodeField field;
    PlacedBarcode placed;
};

using LaidOutField = std::variant<TextImpression, PlacedSymbol, BoxField>;

/// What both outputs put on the label, in drawing order: every impression of text (human-readable lines
/// right after their symbol), every barcode that can be encoded, every box.
struct LabelLayout {
    LabelSize size;
    std::vector<LaidOutField> fields;
};
LabelLayout lay_out(const Label& label);

// ---- PNG preview --------------------------------------------------------------------------------------

/// A label drawn as 8-bit grey pixels, row-major from the top-left: 0 is black, 255 is white.
struct Bitmap {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};

/// Draws the label at one pixel per printer dot, as lay_out() has it. Fails on labels that validate()
/// rejects and when the font file cannot be loaded (the error names the file).
Result<Bitmap> render_bitmap(const Label& label);

/// The bitmap as a greyscale 8-bit PNG file.
Result<std::string> encode_png(const Bitmap& bitmap);

/// render_bitmap followed by encode_png.
Result<std::string> to_png(const Label& label);

}  // namespace packd::fulfillment
