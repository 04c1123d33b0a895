// Labels: ZPL escaping and structure, the preview bitmap read back with a barcode reader, PNG round trips,
// text truncation agreeing between both outputs, GS1 symbols, and the shipping label layout at every stock.

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

// Names the stock in test output instead of dumping its bytes.
static void PrintTo(const LabelSize& size, std::ostream* out) {
    *out << size.width_dots << "x" << size.height_dots << " dots at " << size.dpi << " dpi";
}

namespace {

using namespace label_reading;
using test::shipping_label;

int dark_pixels(const Bitmap& bitmap) {
    return static_cast<int>(
        std::count_if(bitmap.pixels.begin(), bitmap.pixels.end(), [](auto p) { return p < 128; }));
}

// ---- Data -----------------------------------------------------------------------------------------------

const std::string kLongStreet(300, 'x');

ShippingLabelData hostile_shipment() {
    ShippingLabelData data;
    data.order_id = "#1042 ~HS";
    data.ship_from = {
        "Lager Nord ~HS", "Acme_Widgets GmbH", "Lagerstraße 12", "", "Hamburg", "", "20095", "DE"};
    data.ship_to = {"Anna Müller ^XZ^XA~JR",
                    "Łódź Trading\x01\x1b Sp. z o.o.",
                    kLongStreet,
                    "Apt 4_b\nsecond line",
                    "東京",
                    "",
                    "100-0001",
                    "Japan 😀"};
    data.carrier = "DHL";
    data.service = "Paket International";
    data.tracking_number = "JJD0001234567890123";
    data.weight_grams = 2345;
    data.tracking_url = "https://www.dhl.de/track?piececode=JJD0001234567890123";
    return data;
}

std::vector<TextField> text_fields(const Label& label) {
    std::vector<TextField> texts;
    for (const auto& field : label.fields) {
        if (const auto* text = std::get_if<TextField>(&field)) {
            texts.push_back(*text);
        } else if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
            auto placed = place_barcode(*barcode);
            if (placed && placed->human_readable) {
                texts.push_back(*placed->human_readable);
            }
        }
    }
    return texts;
}

// ---- LabelSize ------------------------------------------------------------------------------------------

TEST(LabelSize, ConvertsInchesAndMillimetresToDots) {
    EXPECT_EQ(LabelSize::inches(4, 6, 203).width_dots, 812);
    EXPECT_EQ(LabelSize::inches(4, 6, 203).height_dots, 1218);
    EXPECT_EQ(LabelSize::inches(4, 6, 300).width_dots, 1200);
    EXPECT_EQ(LabelSize::inches(4, 6, 300).height_dots, 1800);
    // 100 * 203 / 25.4 = 799.2, 150 * 203 / 25.4 = 1198.8, 150 * 300 / 25.4 = 1771.7
    EXPECT_EQ(LabelSize::millimetres(100, 150, 203).width_dots, 799);
    EXPECT_EQ(LabelSize::millimetres(100, 150, 203).height_dots, 1199);
    EXPECT_EQ(LabelSize::millimetres(100, 150, 300).width_dots, 1181);
    EXPECT_EQ(LabelSize::millimetres(100, 150, 300).height_dots, 1772);
    EXPECT_EQ(LabelSize::millimetres(100, 150, 300).dpi, 300);
}

// ---- Escaping -------------------------------------------------------------------------------------------

TEST(ZplFieldData, EscapesEveryCommandPrefixAndControlByte) {
    std::string all_ascii;
    for (int byte = 0; byte < 0x80; ++byte) {
        all_ascii += static_cast<char>(byte);
    }
    const std::string escaped = zpl_field_data(all_ascii);
    for (const char c : escaped) {
        const auto byte = static_cast<unsigned char>(c);
        EXPECT_FALSE(c == '^' || c == '~' || byte < 0x20 || byte == 0x7F) << "raw byte " << int{byte};
    }
    EXPECT_EQ(decode_field_hex(escaped), all_ascii);
    EXPECT_EQ(zpl_field_data("^XZ~JR_"), "_5EXZ_7EJR_5F");
    EXPECT_EQ(zpl_field_data("a\nb\x1b\x7f"), "a_0Ab_1B_7F");
    EXPECT_EQ(zpl_field_data("Order 1042/7"), "Order 1042/7");
}

TEST(ZplFieldData, PassesUtf8AndReplacesIllFormedBytes) {
    EXPECT_EQ(zpl_field_data("Müller Łódź 東京 😀"), "Müller Łódź 東京 😀");
    EXPECT_EQ(zpl_field_data("a\xff"
                             "b"),
              "a?b");
    EXPECT_EQ(zpl_field_data("\xc3("), "?(");               // lead byte without its continuation
    EXPECT_EQ(zpl_field_data("\xc0\xaf"), "??");            // overlong '/'
    EXPECT_EQ(zpl_field_data("\xed\xa0\x80"), "???");       // UTF-16 surrogate
    EXPECT_EQ(zpl_field_data("ok\xe6\x9d"), "ok??");        // cut off at the end
    EXPECT_EQ(zpl_field_data("\xf4\x90\x80\x80"), "????");  // above U+10FFFF
}

// ---- Shipping labels with hostile data, at every stock --------------------------------------------------

class HostileShippingLabel : public ::testing::TestWithParam<LabelSize> {};

TEST_P(HostileShippingLabel, ZplIsOneFormatAndEveryFieldIsEscaped) {
    const Label label = shipping_label(hostile_shipment(), GetParam());
    ASSERT_TRUE(validate(label).ok()) << validate(label).error().message;
    const std::string zpl = to_zpl(label);

    EXPECT_EQ(occurrences(zpl, "^XA"), 1u);
    EXPECT_EQ(occurrences(zpl, "^XZ"), 1u);
    EXPECT_EQ(zpl.rfind("^XA", 0), 0u);
    EXPECT_EQ(zpl.substr(zpl.size() - 4), "^XZ\n");
    EXPECT_NE(zpl.find("^CI28"), std::string::npos);
    EXPECT_NE(zpl.find("^PW" + std::to_string(GetParam().width_dots)), std::string::npos);
    EXPECT_NE(zpl.find("^LL" + std::to_string(GetParam().height_dots)), std::string::npos);
    EXPECT_EQ(occurrences(zpl, "^FD"), occurrences(zpl, "^FH_^FD"));  // ^FH before every field's data

    std::vector<std::string> printed_texts;
    for (const ZplField& field : zpl_fields(zpl)) {
        for (const char c : field.data) {
            const auto byte = static_cast<unsigned char>(c);
            EXPECT_FALSE(c == '^' || c == '~' || byte < 0x20 || byte == 0x7F)
                << "raw byte " << int{byte} << " in field data '" << field.data << "'";
        }
        const auto decoded = decode_field_hex(field.data);
        ASSERT_TRUE(decoded.has_value()) << field.data;
        if (field.commands.find("^A0N") != std::string::npos) {
            printed_texts.push_back(*decoded);
        }
    }
    // Every text field prints exactly its fitted text, in order (an emphasised one twice), and nothing else
    // prints as text.
    std::vector<std::string> expected;
    for (const TextField& text : text_fields(label)) {
        expected.push_back(fitted_text(text, label.size));
        if (text.bold) {
            expected.push_back(fitted_text(text, label.size));
        }
    }
    EXPECT_EQ(printed_texts, expected);

    // The hostile name survives as text, byte for byte.
    ASSERT_FALSE(printed_texts.empty());
    EXPECT_NE(std::find(printed_texts.begin(), printed_texts.end(), "Anna Müller ^XZ^XA~JR"),
              printed_texts.end());
    EXPECT_NE(std::find(printed_texts.begin(), printed_texts.end(), "Apt 4_b second line"),
              printed_texts.end());
    EXPECT_NE(std::find(printed_texts.begin(), printed_texts.end(), "Łódź Trading   Sp. z o.o."),
              printed_texts.end());
    // The 300-character street is cut with an ellipsis.
    const auto street = std::find_if(printed_texts.begin(), printed_texts.end(),
                                     [](const std::string& t) { return t.rfind("xxxxx", 0) == 0; });
    ASSERT_NE(street, printed_texts.end());
    EXPECT_LT(street->size(), 200u);
    EXPECT_EQ(street->substr(street->size() - 3), "...");
    EXPECT_EQ(std::count(street->begin(), street->end(), 'x') + 3, static_cast<long>(street->size()));
}

TEST_P(HostileShippingLabel, PreviewBarcodesScanAndPngRoundTrips) {
    const ShippingLabelData data = hostile_shipment();
    const Label label = shipping_label(data, GetParam());
    auto bitmap = render_bitmap(label);
    ASSERT_TRUE(bitmap.ok()) << bitmap.error().message;
    EXPECT_EQ(bitmap->width, GetParam().width_dots);
    EXPECT_EQ(bitmap->height, GetParam().height_dots);

    const auto barcodes = barcode_fields(label);
    ASSERT_EQ(barcodes.size(), 2u);
    ASSERT_EQ(barcodes[0].kind, BarcodeKind::Code128);
    const auto tracking = find_barcode(read_symbol(*bitmap, barcodes[0]), ZXing::BarcodeFormat::Code128);
    ASSERT_TRUE(tracking.has_value());
    EXPECT_EQ(tracking->text(), data.tracking_number);
    EXPECT_EQ(tracking->symbologyIdentifier(), "]C0");  // plain Code 128, no FNC1
    ASSERT_EQ(barcodes[1].kind, BarcodeKind::QrCode);
    const auto link = find_barcode(read_symbol(*bitmap, barcodes[1]), ZXing::BarcodeFormat::QRCode);
    ASSERT_TRUE(link.has_value());
    EXPECT_EQ(link->text(), data.tracking_url);
    EXPECT_EQ(link->ecLevel(), "M");

    auto png = encode_png(*bitmap);
    ASSERT_TRUE(png.ok()) << png.error().message;
    EXPECT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n");
    const auto decoded = decode_png(*png);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->width, bitmap->width);
    EXPECT_EQ(decoded->height, bitmap->height);
    EXPECT_TRUE(decoded->pixels == bitmap->pixels);
    auto direct = to_png(label);
    ASSERT_TRUE(direct.ok());
    EXPECT_EQ(*direct, *png);
}

// Nothing on the label overlaps: text (at its fitted width and a 1.2 em line), barcodes with their
// human-readable line, and rules all occupy separate rectangles.
TEST_P(HostileShippingLabel, FieldsDoNotOverlap) {
    const Label label = shipping_label(hostile_shipment(), GetParam());
    struct Area {
        int left, top, right, bottom;
        std::string what;
    };
    std::vector<Area> areas;
    for (const auto& field : label.fields) {
        if (const auto* text = std::get_if<TextField>(&field)) {
            const FittedText fitted = fit_text(*text, label.size);
            areas.push_back({text->x, text->y,
                             text->x + text_width_dots(fitted.text, fitted.height, text->bold),
                             text->y + text->height * 6 / 5, fitted.text});
        } else if (const auto* box = std::get_if<BoxField>(&field)) {
            areas.push_back({box->x, box->y, box->x + box->width, box->y + box->height, "rule"});
        } else if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
            auto placed = place_barcode(*barcode);
            ASSERT_TRUE(placed.ok());
            areas.push_back({barcode->x, barcode->y, barcode->x + placed->width_dots,
                             barcode->y + placed->height_dots, "barcode " + barcode->data});
            if (placed->human_readable) {
                const TextField& line = *placed->human_readable;
                const FittedText fitted = fit_text(line, label.size);
                areas.push_back({line.x, line.y,
                                 line.x + text_width_dots(fitted.text, fitted.height, line.bold),
                                 line.y + line.height * 6 / 5, "human-readable " + fitted.text});
            }
        }
    }
    for (const Area& area : areas) {
        EXPECT_GE(area.left, 0) << area.what;
        EXPECT_GE(area.top, 0) << area.what;
        EXPECT_LE(area.right, label.size.width_dots) << area.what;
        EXPECT_LE(area.bottom, label.size.height_dots) << area.what;
    }
    for (std::size_t i = 0; i < areas.size(); ++i) {
        for (std::size_t j = i + 1; j < areas.size(); ++j) {
            const Area& a = areas[i];
            const Area& b = areas[j];
            const bool overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            EXPECT_FALSE(overlap) << "'" << a.what << "' overlaps '" << b.what << "'";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Stocks, HostileShippingLabel,
                         ::testing::Values(LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300),
                                           LabelSize::millimetres(100, 150, 203),
                                           LabelSize::millimetres(100, 150, 300)),
                         [](const auto& stock) {
                             return std::to_string(stock.param.width_dots) + "x" +
                                    std::to_string(stock.param.height_dots) + "at" +
                                    std::to_string(stock.param.dpi);
                         });

TEST(ShippingLabel, LayoutScalesWithTheStock) {
    const ShippingLabelData data = hostile_shipment();
    const Label small = shipping_label(data, LabelSize::inches(4, 6, 203));
    const Label large = shipping_label(data, LabelSize::inches(4, 6, 300));
    ASSERT_EQ(small.fields.size(), large.fields.size());
    for (std::size_t i = 0; i < small.fields.size(); ++i) {
        ASSERT_EQ(small.fields[i].index(), large.fields[i].index());
        if (const auto* text = std::get_if<TextField>(&small.fields[i])) {
            const auto& other = std::get<TextField>(large.fields[i]);
            // Each step rounds on its own, so allow 1% of the label's height.
            EXPECT_NEAR(other.y, text->y * 300.0 / 203.0, 18.0) << text->text;
            EXPECT_NEAR(other.height, text->height * 300.0 / 203.0, 2.0) << text->text;
            EXPECT_NEAR(other.x, text->x * 300.0 / 203.0, 2.0) << text->text;
        }
    }
}

TEST(ShippingLabel, LeavesOutWhatIsNotGiven) {
    ShippingLabelData data = hostile_shipment();
    data.tracking_url.clear();
    data.weight_grams = 0;
    const Label label = shipping_label(data, LabelSize::inches(4, 6, 203));
    int barcodes = 0;
    for (const auto& field : label.fields) {
        if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
            ++barcodes;
            EXPECT_EQ(barcode->kind, BarcodeKind::Code128);
        }
        if (const auto* text = std::get_if<TextField>(&field)) {
            EXPECT_NE(text->text, "WEIGHT");
        }
    }
    EXPECT_EQ(barcodes, 1);
    EXPECT_EQ(to_zpl(label).find("^BQ"), std::string::npos);
}

TEST(ShippingLabel, TrackingNumberCode128CannotCarryIsReported) {
    ShippingLabelData data = hostile_shipment();
    data.tracking_number = "JJD\xc3\xbc\x01";
    const Label label = shipping_label(data, LabelSize::inches(4, 6, 203));
    const Status valid = validate(label);
    ASSERT_FALSE(valid.ok());
    EXPECT_NE(valid.error().message.find("Code 128"), std::string::npos) << valid.error().message;
    EXPECT_FALSE(render_bitmap(label).ok());
    EXPECT_EQ(to_zpl(label).find("^BC"), std::string::npos);  // no symbol of something else
}

TEST(ShippingLabel, LinkTheQrCodeCannotCarryIsReported) {
    ShippingLabelData data = hostile_shipment();
    data.tracking_url = "https://track.example/Müller";
    const Status valid = validate(shipping_label(data, LabelSize::inches(4, 6, 203)));
    ASSERT_FALSE(valid.ok());
    EXPECT_NE(valid.error().message.find("QR code data may only hold printable ASCII"), std::string::npos)
        << valid.error().message;
}

TEST(ShippingLabel, WeightInKilograms) {
    ShippingLabelData data = hostile_shipment();
    data.weight_grams = 1005;
    const std::string zpl = to_zpl(shipping_label(data, LabelSize::inches(4, 6, 203)));
    EXPECT_NE(zpl.find("^FD1.01 kg^FS"), std::string::npos);
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

// ---- GS1 ------------------------------------------------------------------------------------------------

constexpr std::string_view kGs1Parenthesised = "(00)340123450000012348(10)LOT_7(420)12345";
constexpr std::string_view kGs1Transmitted =
    "00340123450000012348"
    "10LOT_7\x1d"
    "42012345";

TEST(LabelGs1, ParsesBothFormsToTheSameElements) {
    auto parenthesised = parse_gs1(kGs1Parenthesised);
    ASSERT_TRUE(parenthesised.ok()) << parenthesised.error().message;
    auto transmitted = parse_gs1(kGs1Transmitted);
    ASSERT_TRUE(transmitted.ok()) << transmitted.error().message;
    ASSERT_EQ(parenthesised->size(), 3u);
    ASSERT_EQ(transmitted->size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ((*parenthesised)[i].ai, (*transmitted)[i].ai);
        EXPECT_EQ((*parenthesised)[i].data, (*transmitted)[i].data);
    }
    EXPECT_EQ(gs1_transmitted(*parenthesised), kGs1Transmitted);
    EXPECT_EQ(gs1_human_readable(*transmitted), kGs1Parenthesised);
    EXPECT_TRUE(gs1_has_predefined_length("00"));
    EXPECT_TRUE(gs1_has_predefined_length("3103"));
    EXPECT_FALSE(gs1_has_predefined_length("10"));
    EXPECT_FALSE(gs1_has_predefined_length("420"));
}

TEST(LabelGs1, RejectsMalformedElementStrings) {
    const auto rejects = [](std::string_view text, std::string_view reason) {
        auto parsed = parse_gs1(text);
        ASSERT_FALSE(parsed.ok()) << text;
        EXPECT_NE(parsed.error().message.find(reason), std::string::npos) << parsed.error().message;
    };
    rejects("(00)340123450000012345", "check digit");
    rejects("(01)1234", "exactly 14 digits");
    rejects("(05)123", "no GS1 application identifier starts with 05");
    rejects("(4200)123", "have 3 digits");
    rejects("(10)AB^C", "character set");
    rejects("(10)", "no data");
    rejects("10ABC~", "character set");
    rejects("LOT", "expected an application identifier");
    rejects("", "empty");
}

TEST(LabelGs1, SymbolsCarryFnc1InBothOutputs) {
    const LabelSize size = LabelSize::inches(4, 6, 203);
    const Label label{
        size,
        {BarcodeField{BarcodeKind::Gs1_128, 60, 60, 2, 150, std::string(kGs1Parenthesised), true},
         BarcodeField{BarcodeKind::Gs1DataMatrix, 60, 400, 8, 0, std::string(kGs1Parenthesised), true}}};
    ASSERT_TRUE(validate(label).ok()) << validate(label).error().message;

    // ZPL: ^BC starts in subset C with FNC1, ^BX quality 200 starts with FNC1.
    const auto fields = zpl_fields(to_zpl(label));
    std::optional<Code128Reading> code128;
    std::optional<DataMatrixReading> data_matrix;
    for (const ZplField& field : fields) {
        const auto decoded = decode_field_hex(field.data);
        ASSERT_TRUE(decoded.has_value());
        if (field.commands.find("^BCN") != std::string::npos) {
            EXPECT_EQ(decoded->rfind(">;>8", 0), 0u) << *decoded;
            code128 = read_zpl_code128(*decoded);
        } else if (field.commands.find("^BXN") != std::string::npos) {
            EXPECT_NE(field.commands.find(",200,"), std::string::npos);
            EXPECT_NE(field.commands.find("^BXN,8,200,,,,_^FH_"), std::string::npos) << field.commands;
            data_matrix = read_zpl_data_matrix(*decoded);
        }
    }
    ASSERT_TRUE(code128.has_value());
    EXPECT_TRUE(code128->valid);
    EXPECT_TRUE(code128->gs1);
    EXPECT_EQ(code128->data, kGs1Transmitted);
    ASSERT_TRUE(data_matrix.has_value());
    EXPECT_TRUE(data_matrix->valid);
    EXPECT_TRUE(data_matrix->gs1);
    EXPECT_EQ(data_matrix->data, kGs1Transmitted);

    // Preview: a reader sees GS1 symbols (symbology identifiers ]C1 and ]d2) with the same data.
    auto bitmap = render_bitmap(label);
    ASSERT_TRUE(bitmap.ok()) << bitmap.error().message;
    const auto barcodes = barcode_fields(label);
    const auto linear = find_barcode(read_symbol(*bitmap, barcodes[0]), ZXing::BarcodeFormat::Code128);
    ASSERT_TRUE(linear.has_value());
    EXPECT_EQ(linear->symbologyIdentifier(), "]C1");
    EXPECT_EQ(linear->contentType(), ZXing::ContentType::GS1);
    EXPECT_EQ(linear->text(), kGs1Transmitted);
    const auto matrix = find_barcode(read_symbol(*bitmap, barcodes[1]), ZXing::BarcodeFormat::DataMatrix);
    ASSERT_TRUE(matrix.has_value());
    EXPECT_EQ(matrix->symbologyIdentifier(), "]d2");
    EXPECT_EQ(matrix->contentType(), ZXing::ContentType::GS1);
    EXPECT_EQ(matrix->text(), kGs1Transmitted);

    // Both symbols print their element string in parentheses underneath.
    int human_readable = 0;
    for (const ZplField& field : fields) {
        if (field.commands.find("^A0N") != std::string::npos) {
            EXPECT_EQ(decode_field_hex(field.data), std::string(kGs1Parenthesised));
            ++human_readable;
        }
    }
    EXPECT_EQ(human_readable, 2);
}

// The DataMatrix encoder across single-region, multi-region and interleaved symbols, each read back.
TEST(LabelGs1, DataMatrixOfEverySizeClassScans) {
    std::vector<int> sizes;
    for (const int elements : {0, 1, 3, 8, 12, 13}) {
        std::string data = elements == 0 ? "(01)09501101530003" : "";
        for (int i = 0; i < elements; ++i) {
            data += "(9" + std::to_string(1 + i % 9) + ")";
            data += std::string(60, static_cast<char>('A' + i)) + "0123456789";
        }
        auto symbol = encode_barcode(BarcodeKind::Gs1DataMatrix, data);
        ASSERT_TRUE(symbol.ok()) << symbol.error().message;
        sizes.push_back(symbol->width);
        const BarcodeField field{BarcodeKind::Gs1DataMatrix, 40, 40, 4, 0, data, false};
        auto bitmap = render_bitmap(Label{LabelSize::inches(4, 6, 203), {field}});
        ASSERT_TRUE(bitmap.ok()) << bitmap.error().message;
        const auto read = find_barcode(read_symbol(*bitmap, field), ZXing::BarcodeFormat::DataMatrix);
        ASSERT_TRUE(read.has_value()) << "symbol " << symbol->width << "x" << symbol->height;
        EXPECT_EQ(read->symbologyIdentifier(), "]d2");
        EXPECT_EQ(read->text(), gs1_transmitted(*parse_gs1(data)));
    }
    // One data region; 2x2 regions; 2x2 with 2 interleaved blocks; 4x4 with 4 blocks; 4x4 with 6 blocks;
    // 6x6 regions.
    EXPECT_EQ(sizes, (std::vector<int>{16, 36, 52, 88, 104, 120}));
}

// ---- Code 128: the printer's subsets and the preview's symbol agree -------------------------------------

TEST(LabelCode128, ZplSubsetsMatchThePreviewSymbol) {
    for (const std::string number : {"1Z999AA10123456784", "JJD0001234567890123", "00340123450000000006",
                                     "9400111899223456789012", "123", "12AB", "A>B>>C", "CL^~_123456789"}) {
        const BarcodeField field{BarcodeKind::Code128, 10, 10, 2, 100, number, false};
        auto symbol = encode_barcode(field.kind, field.data);
        ASSERT_TRUE(symbol.ok()) << number;
        const auto fields = zpl_fields(to_zpl(Label{LabelSize::inches(4, 6, 203), {field}}));
        ASSERT_EQ(fields.size(), 1u) << number;
        const auto decoded = decode_field_hex(fields[0].data);
        ASSERT_TRUE(decoded.has_value());
        const Code128Reading reading = read_zpl_code128(*decoded);
        EXPECT_TRUE(reading.valid) << *decoded;
        EXPECT_FALSE(reading.gs1);
        EXPECT_EQ(reading.data, number) << *decoded;
        // 11 modules per symbol character, plus the check character and the 13-module stop.
        EXPECT_EQ(11 * (reading.symbols + 1) + 13, symbol->width) << number << " as " << *decoded;
    }
}

// ---- QR: the size placing needs, without encoding --------------------------------------------------------

// barcode_size() gives a QR symbol's size from its version, as ZXing 1.4.0 chooses it, without running the
// encoder's eight masks; it must be the size of the symbol the preview draws, in every mode and version band.
TEST(LabelQr, SizeWithoutEncodingIsTheEncodedSymbols) {
    for (const std::string alphabet :
         {"0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", "https://track.example/?id=a%20B"}) {
        for (std::size_t length = 1; length <= 1000; length += length < 240 ? 1 : 37) {
            std::string data;
            for (std::size_t i = 0; i < length; ++i) {
                data += alphabet[(i * 7 + i / 3) % alphabet.size()];
            }
            auto size = barcode_size(BarcodeKind::QrCode, data);
            auto symbol = encode_barcode(BarcodeKind::QrCode, data);
            ASSERT_TRUE(size.ok() && symbol.ok()) << length;
            EXPECT_EQ(size->width, symbol->width) << length << " characters of " << alphabet;
            EXPECT_EQ(size->height, symbol->height) << length << " characters of " << alphabet;
        }
    }
    EXPECT_FALSE(barcode_size(BarcodeKind::QrCode, "Müller").ok());
    EXPECT_FALSE(barcode_size(BarcodeKind::QrCode, std::string(1001, 'A')).ok());
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
