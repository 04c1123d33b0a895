// Labels: ZPL escaping and structure, the preview bitmap read back with a barcode reader, PNG round trips,
// and the shipping label layout at every stock.

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

}  // namespace
}  // namespace packd::fulfillment
