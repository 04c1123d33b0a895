// Label text: truncation agreeing between the ZPL and the preview, validation naming the field, fonts,
// PNG output.

#define ZX_USE_UTF8 1

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <gtest/gtest.h>
#include <png.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "label_reading.hpp"
#include "packd/fulfillment/labels/label.hpp"
#include "packd/fulfillment/labels/shipping_label.hpp"
#include "source_label_templates.hpp"

namespace packd::fulfillment {
namespace {

using namespace label_reading;

const std::string kLongStreet(300, 'x');

int dark_pixels(const Bitmap& bitmap) {
    return static_cast<int>(
        std::count_if(bitmap.pixels.begin(), bitmap.pixels.end(), [](auto p) { return p < 128; }));
}

// ---- Truncation agrees between the outputs --------------------------------------------------------------

TEST(LabelText, TooLongIsCutTheSameWayInBothOutputs) {
    const LabelSize size = LabelSize::inches(4, 6, 203);
    TextField field{40, 100, 40, 400, "Wareneingang Lagerhalle Süd, Regal 14, Fach 7, " + kLongStreet, false};
    const std::string fitted = fitted_text(field, size);
    ASSERT_GT(fitted.size(), 10u);
    EXPECT_EQ(fitted.substr(fitted.size() - 3), "...");
    EXPECT_EQ(field.text.rfind(fitted.substr(0, fitted.size() - 3), 0), 0u);
    EXPECT_LE(text_width_dots(fitted, field.height, field.bold), field.max_width);
    // The longest prefix that fits: one more character does not.
    const std::string longer = field.text.substr(0, fitted.size() - 2) + "...";
    EXPECT_GT(text_width_dots(longer, field.height, field.bold), field.max_width);

    // ZPL prints the fitted text.
    const Label label{size, {field}};
    const auto fields = zpl_fields(to_zpl(label));
    ASSERT_EQ(fields.size(), 1u);
    EXPECT_EQ(decode_field_hex(fields[0].data), fitted);

    // The preview draws exactly the fitted text, and no ink passes max_width.
    auto cut = render_bitmap(label);
    TextField unlimited = field;
    unlimited.text = fitted;
    unlimited.max_width = 0;
    auto reference = render_bitmap(Label{size, {unlimited}});
    ASSERT_TRUE(cut.ok() && reference.ok());
    EXPECT_TRUE(cut->pixels == reference->pixels);
    int rightmost = -1;
    for (int y = 0; y < cut->height; ++y) {
        for (int x = 0; x < cut->width; ++x) {
            if (cut->pixels[static_cast<std::size_t>(y * cut->width + x)] < 255) {
                rightmost = std::max(rightmost, x);
            }
        }
    }
    EXPECT_LT(rightmost, field.x + field.max_width);
    EXPECT_GT(rightmost, field.x + field.max_width - 3 * field.height);  // it did fill the space
}

TEST(LabelText, ThatFitsIsLeftAlone) {
    const LabelSize size = LabelSize::inches(4, 6, 300);
    const TextField field{10, 10, 30, 1000, "Anna Müller", true, 20};
    EXPECT_EQ(fitted_text(field, size), "Anna Müller");
    EXPECT_EQ(fit_text(field, size).height, 30);
    const std::string zpl = to_zpl(Label{size, {field}});
    EXPECT_EQ(occurrences(zpl, "^A0N,30,30^FH_^FDAnna Müller^FS"), 2u);  // emphasised: set twice
    EXPECT_NE(zpl.find("^FO10,10^A0N,30,30"), std::string::npos);
    EXPECT_NE(zpl.find("^FO11,10^A0N,30,30"), std::string::npos);
}

TEST(LabelText, WithoutMaxWidthStopsAtTheLabelEdge) {
    const LabelSize size = LabelSize::inches(2, 1, 203);
    const TextField field{300, 10, 30, 0, "A rather long line of text", false};
    const std::string fitted = fitted_text(field, size);
    EXPECT_EQ(fitted.substr(fitted.size() - 3), "...");
    EXPECT_LE(text_width_dots(fitted, field.height, false), size.width_dots - field.x);
}

// Outside text is bounded before it is measured: 20,000 distinct code points cost what 400 do, and are cut.
TEST(LabelText, OnlyTheFirstFourHundredCodePointsAreMeasured) {
    std::string text;
    for (char32_t cp = 0x4E00; cp < 0x4E00 + 20000; ++cp) {
        text += static_cast<char>(0xE0 | (cp >> 12));
        text += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        text += static_cast<char>(0x80 | (cp & 0x3F));
    }
    const TextField field{10, 10, 30, 700, text, false, 21};
    const FittedText fitted = fit_text(field, LabelSize::inches(4, 6, 203));
    EXPECT_EQ(fitted.height, 21);
    ASSERT_GT(fitted.text.size(), 3u);
    EXPECT_EQ(fitted.text.substr(fitted.text.size() - 3), "...");
    EXPECT_EQ(text.rfind(fitted.text.substr(0, fitted.text.size() - 3), 0), 0u);
    EXPECT_LE(text_width_dots(fitted.text, 21, false), 700);
}

// ---- Validation and fonts -------------------------------------------------------------------------------

TEST(LabelValidate, NamesTheFieldAndTheProblem) {
    const LabelSize size = LabelSize::inches(4, 6, 203);
    const auto message = [&](LabelField field) {
        const Status status =
            validate(Label{size, {TextField{0, 0, 20, 100, "ok", false}, std::move(field)}});
        return status.ok() ? std::string() : status.error().message;
    };
    EXPECT_NE(message(TextField{812, 10, 20, 0, "x", false}).find("label field 2"), std::string::npos);
    EXPECT_NE(message(TextField{10, 1210, 20, 0, "x", false}).find("outside"), std::string::npos);
    EXPECT_NE(message(TextField{10, 10, 5, 0, "x", false}).find("text height 5"), std::string::npos);
    EXPECT_NE(message(BarcodeField{BarcodeKind::QrCode, 10, 10, 11, 0, "x", false}).find("module width 11"),
              std::string::npos);
    EXPECT_NE(message(BarcodeField{BarcodeKind::Code128, 700, 10, 3, 100, "1Z999AA10123456784", false})
                  .find("Code 128 reaches outside"),
              std::string::npos);
    EXPECT_NE(message(BarcodeField{BarcodeKind::Gs1_128, 10, 10, 2, 100, "(01)123", false}).find("GS1-128"),
              std::string::npos);
    EXPECT_NE(message(BoxField{10, 10, 0, 10, 2}).find("box"), std::string::npos);
    EXPECT_EQ(message(BoxField{10, 10, 100, 3, 3}), "");
    EXPECT_FALSE(validate(Label{LabelSize{812, 1218, 20}, {}}).ok());
}

TEST(LabelFont, MissingFontIsAnErrorNamingTheFile) {
    const Label label{LabelSize::inches(4, 6, 203), {TextField{10, 10, 30, 0, "Anna", false}}};
    use_label_fonts({"/nonexistent/packd-regular.ttf"});
    auto bitmap = render_bitmap(label);
    const std::string zpl = to_zpl(label);  // printing does not depend on the preview font
    use_label_fonts(default_label_fonts());
    ASSERT_FALSE(bitmap.ok());
    EXPECT_NE(bitmap.error().message.find("/nonexistent/packd-regular.ttf"), std::string::npos)
        << bitmap.error().message;
    EXPECT_NE(zpl.find("^FDAnna^FS"), std::string::npos);
    EXPECT_TRUE(render_bitmap(label).ok());
}

TEST(LabelPng, RejectsABitmapWhosePixelsDoNotMatchItsSize) {
    EXPECT_FALSE(encode_png(Bitmap{10, 10, std::vector<std::uint8_t>(99, 255)}).ok());
    EXPECT_FALSE(encode_png(Bitmap{0, 0, {}}).ok());
}

TEST(LabelPng, BoxesAreDrawnAsZplDrawsThem) {
    const Label label{LabelSize{100, 100, 203}, {BoxField{10, 10, 50, 40, 3}, BoxField{10, 80, 80, 1, 4}}};
    auto bitmap = render_bitmap(label);
    ASSERT_TRUE(bitmap.ok());
    // An outline: 2 * (50 + 40) * 3 - 4 * 9 corner dots; a bar of thickness 4 over its 80 dot width.
    EXPECT_EQ(dark_pixels(*bitmap), 2 * (50 + 40) * 3 - 4 * 9 + 80 * 4);
    EXPECT_EQ(bitmap->pixels[static_cast<std::size_t>(30 * 100 + 30)], 255);  // inside the outline
    EXPECT_NE(to_zpl(label).find("^FO10,80^GB80,4,4,B,0^FS"), std::string::npos);
}

}  // namespace
}  // namespace packd::fulfillment
