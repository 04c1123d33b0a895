// The preview is what the printer prints. The ZPL packd sends is read back as a printer reads it (^FO, ^A0
// height and width, ^FD under ^FH, ^GB, ^BY with ^BC, ^BX and ^BQ), field by field, and drawn again as a
// label of plain fields in the printer's one text weight; that drawing must be the preview, pixel for
// pixel. So a preview cannot show a bold face the printer does not have, a line the printer gets cut short,
// or text at another size or place. Every template, on every stock, with plain, long and non-ASCII data.

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "label_reading.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_template.hpp"
#include "source_label_templates.hpp"

namespace packd::fulfillment {
namespace {

using namespace label_reading;

// One field of the ZPL as the printer reads it, and what it prints.
struct PrintedField {
    std::string commands;  // for messages
    LabelField field;
};

int number_after(const std::string& commands, const std::string& command, int nth = 0) {
    std::size_t at = commands.find(command);
    if (at == std::string::npos) {
        ADD_FAILURE() << "no " << command << " in " << commands;
        return 0;
    }
    at += command.size();
    for (int i = 0; i < nth; ++i) {
        at = commands.find(',', at) + 1;
    }
    return std::stoi(commands.substr(at));
}

// The format read back: each ^FO field as the label field that draws what the printer prints. Text is plain
// (the printer's scalable font has one weight) and never cut (the printer prints all of ^FD); a barcode's
// human-readable line is its own ^A0 field.
std::vector<PrintedField> printed_fields(const std::string& zpl) {
    std::vector<PrintedField> out;
    for (const ZplField& raw : zpl_fields(zpl)) {
        const int x = number_after(raw.commands, "^FO");
        const int y = number_after(raw.commands, "^FO", 1);
        const auto data = decode_field_hex(raw.data);
        if (!data) {
            ADD_FAILURE() << "malformed ^FH escape in " << raw.data;
            continue;
        }
        if (raw.commands.find("^A0N,") != std::string::npos) {
            const int height = number_after(raw.commands, "^A0N,");
            EXPECT_EQ(number_after(raw.commands, "^A0N,", 1), height) << "^A0 width and height differ";
            out.push_back({raw.commands, TextField{x, y, height, 0, *data, false}});
        } else if (raw.commands.find("^GB") != std::string::npos) {
            out.push_back({raw.commands, BoxField{x, y, number_after(raw.commands, "^GB"),
                                                  number_after(raw.commands, "^GB", 1),
                                                  number_after(raw.commands, "^GB", 2)}});
        } else if (raw.commands.find("^BCN,") != std::string::npos) {
            const Code128Reading reading = read_zpl_code128(*data);
            EXPECT_TRUE(reading.valid) << *data;
            out.push_back(
                {raw.commands, BarcodeField{reading.gs1 ? BarcodeKind::Gs1_128 : BarcodeKind::Code128, x, y,
                                            number_after(raw.commands, "^BY"),
                                            number_after(raw.commands, "^BCN,"), reading.data, false}});
        } else if (raw.commands.find("^BXN,") != std::string::npos) {
            const DataMatrixReading reading = read_zpl_data_matrix(*data);
            EXPECT_TRUE(reading.valid && reading.gs1) << *data;
            out.push_back(
                {raw.commands, BarcodeField{BarcodeKind::Gs1DataMatrix, x, y,
                                            number_after(raw.commands, "^BXN,"), 0, reading.data, false}});
        } else if (raw.commands.find("^BQN,") != std::string::npos) {
            EXPECT_EQ(data->rfind("MA,", 0), 0u) << *data;
            out.push_back(
                {raw.commands, BarcodeField{BarcodeKind::QrCode, x, y, number_after(raw.commands, "^BQN,", 1),
                                            0, data->substr(3), false}});
        } else {
            ADD_FAILURE() << "a field this test cannot read: " << raw.commands;
        }
    }
    return out;
}

// Where the preview and the drawing of the ZPL differ first, and which ZPL fields cover that dot.
std::string first_difference(const Bitmap& preview, const Bitmap& printed,
                             const std::vector<PrintedField>& fields) {
    for (int y = 0; y < preview.height; ++y) {
        for (int x = 0; x < preview.width; ++x) {
            const auto i = static_cast<std::size_t>(y * preview.width + x);
            if (preview.pixels[i] == printed.pixels[i]) {
                continue;
            }
            std::string near;
            for (const PrintedField& f : fields) {
                if (const auto* text = std::get_if<TextField>(&f.field);
                    text != nullptr && y >= text->y && y < text->y + text->height * 6 / 5 && x >= text->x) {
                    near += "\n  " + f.commands + " '" + text->text.substr(0, 60) + "'";
                }
            }
            return "dot " + std::to_string(x) + "," + std::to_string(y) + ": preview " +
                   std::to_string(preview.pixels[i]) + ", ZPL drawn " + std::to_string(printed.pixels[i]) +
                   "; text fields on that line:" + near;
        }
    }
    return "none";
}

Address address(const std::string& name, const std::string& street) {
    return {name, "Müller & Söhne GmbH", street, "Hinterhaus", "Köln", "", "50667", "DE"};
}

struct DataSet {
    const char* name;
    std::string name_text;
    std::string street_text;
};

const std::vector<DataSet> kDataSets = {
    {"plain", "Zoë Ünal", "Hauptstraße 1"},
    {"long", "Maximiliane Wilhelmine Freifrau von Hohenzollern-Sigmaringen", std::string(600, 'W')},
    {"non_ascii", "Łódź Ærø 東京 😀 ^XZ~JA", "Apt 4_b\nsecond line"},
};

LabelData data_for(LabelKind kind, const DataSet& set) {
    const Address to = address(set.name_text, set.street_text);
    const Address from = address("Packd Test Site", "1 Test Road");
    switch (kind) {
        case LabelKind::Shipping:
            return label_data(ShippingLabelData{"100042", from, to, "DHL", "Paket International",
                                                "JJD000123456789012", 1250,
                                                "https://www.dhl.de/track?id=JJD000123456789012"});
        case LabelKind::Return:
            return label_data(ReturnLabelData{"RMA-4711", "100042", to, from, "DHL", "1Z999AA10123456784"});
        case LabelKind::PickList: {
            PickListData d{"Order 100042", {"100042"}, {}};
            for (int i = 0; i < 25; ++i) {
                d.lines.push_back(
                    {"100042", "A-" + std::to_string(i), "SKU-" + std::to_string(i), set.name_text, 2});
            }
            return label_data(d);
        }
        case LabelKind::Sscc:
            return label_data(SsccLabelData{"340123450000000000", "09501101530003", "24", "100042", "DHL",
                                            from, to, "1 of 3"});
    }
    return {};
}

struct Case {
    LabelKind kind;
    LabelSize stock;
    DataSet data;
};

void PrintTo(const Case& c, std::ostream* out) {
    *out << to_string(c.kind) << " on " << c.stock.width_dots << "x" << c.stock.height_dots << " at "
         << c.stock.dpi << " dpi with " << c.data.name << " data";
}

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        for (const LabelSize& stock :
             {LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300),
              LabelSize::millimetres(100, 150, 203), LabelSize::millimetres(100, 150, 300)}) {
            for (const DataSet& set : kDataSets) {
                cases.push_back({kind, stock, set});
            }
        }
    }
    return cases;
}

class EveryLabel : public ::testing::TestWithParam<Case> {};

TEST_P(EveryLabel, ThePreviewIsTheZplDrawnAgain) {
    const Case& c = GetParam();
    const auto pages =
        render_pages(test::source_label_templates().of(c.kind), data_for(c.kind, c.data), c.stock);
    for (std::size_t page = 0; page < pages.size(); ++page) {
        SCOPED_TRACE("page " + std::to_string(page + 1));
        const Label& label = pages[page];
        ASSERT_TRUE(validate(label).ok()) << validate(label).error().message;
        const std::vector<PrintedField> fields = printed_fields(to_zpl(label));
        Label printed{label.size, {}};
        for (const PrintedField& f : fields) {
            printed.fields.push_back(f.field);
        }
        ASSERT_TRUE(validate(printed).ok()) << validate(printed).error().message;
        auto preview = render_bitmap(label);
        auto drawn = render_bitmap(printed);
        ASSERT_TRUE(preview.ok()) << preview.error().message;
        ASSERT_TRUE(drawn.ok()) << drawn.error().message;
        EXPECT_TRUE(preview->pixels == drawn->pixels) << first_difference(*preview, *drawn, fields);
    }
}

INSTANTIATE_TEST_SUITE_P(KindsStocksAndData, EveryLabel, ::testing::ValuesIn(all_cases()),
                         [](const auto& test_case) {
                             const Case& c = test_case.param;
                             return std::string(to_string(c.kind)) + "_" +
                                    std::to_string(c.stock.width_dots) + "x" +
                                    std::to_string(c.stock.height_dots) + "at" + std::to_string(c.stock.dpi) +
                                    "_" + c.data.name;
                         });

std::vector<std::string> printed_texts(const Label& label) {
    std::vector<std::string> texts;
    for (const PrintedField& f : printed_fields(to_zpl(label))) {
        if (const auto* text = std::get_if<TextField>(&f.field)) {
            texts.push_back(text->text);
        }
    }
    return texts;
}

// config/labels/sscc.toml: the SSCC line in text is the one a person reads when the symbol does not scan.
TEST(LabelAgreement, TheSsccLinePrintsWholeOnEveryStock) {
    for (const LabelSize& stock :
         {LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300), LabelSize::millimetres(100, 150, 203),
          LabelSize::millimetres(100, 150, 300)}) {
        const Label label = render(test::source_label_templates().of(LabelKind::Sscc),
                                   data_for(LabelKind::Sscc, kDataSets[0]), stock);
        const auto texts = printed_texts(label);
        EXPECT_NE(std::find(texts.begin(), texts.end(), "SSCC (00) 340123450000000000"), texts.end())
            << stock.width_dots << "x" << stock.height_dots << " at " << stock.dpi << " dpi";
        for (const std::string& text : texts) {
            EXPECT_EQ(text.find("..."), std::string::npos) << "cut short: " << text;
        }
    }
}

// ---- The one layout step, emphasis and fitting ------------------------------------------------------------

// What to_zpl writes and render_bitmap draws is lay_out's list: every impression of text, in order.
TEST(LabelAgreement, TheZplSaysWhatTheLayoutSays) {
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        const Label label = render(test::source_label_templates().of(kind), data_for(kind, kDataSets[1]),
                                   LabelSize::inches(4, 6, 300));
        std::vector<std::string> laid_out;
        for (const LaidOutField& field : lay_out(label).fields) {
            if (const auto* text = std::get_if<TextImpression>(&field)) {
                laid_out.push_back(std::to_string(text->x) + "," + std::to_string(text->y) + " " +
                                   std::to_string(text->height) + " " + text->text);
            }
        }
        std::vector<std::string> printed;
        for (const PrintedField& f : printed_fields(to_zpl(label))) {
            if (const auto* text = std::get_if<TextField>(&f.field)) {
                printed.push_back(std::to_string(text->x) + "," + std::to_string(text->y) + " " +
                                  std::to_string(text->height) + " " + text->text);
            }
        }
        EXPECT_EQ(printed, laid_out) << to_string(kind);
    }
}

TEST(LabelAgreement, EmphasisIsTheSameLineSetTwiceADotOrTwoApart) {
    const LabelSize size = LabelSize::inches(4, 6, 203);
    const TextField bold{40, 60, 41, 0, "SHIP TO:", true};
    const auto fields = printed_fields(to_zpl(Label{size, {bold}}));
    ASSERT_EQ(fields.size(), 2u);
    const auto& first = std::get<TextField>(fields[0].field);
    const auto& second = std::get<TextField>(fields[1].field);
    EXPECT_EQ(first.text, "SHIP TO:");
    EXPECT_EQ(second.text, "SHIP TO:");
    EXPECT_EQ(first.height, 41);
    EXPECT_EQ(second.height, 41);
    EXPECT_EQ(first.x, 40);
    EXPECT_EQ(second.x, 40 + emphasis_dots(41));
    EXPECT_EQ(second.y, first.y);
    EXPECT_TRUE(second.x - first.x >= 1 && second.x - first.x <= 2) << second.x - first.x;

    // The preview draws the plain line twice, the same distance apart: not a bold face.
    TextField plain = bold;
    plain.bold = false;
    TextField offset = plain;
    offset.x += emphasis_dots(41);
    auto emphasised = render_bitmap(Label{size, {bold}});
    auto twice = render_bitmap(Label{size, {plain, offset}});
    auto once = render_bitmap(Label{size, {plain}});
    ASSERT_TRUE(emphasised.ok() && twice.ok() && once.ok());
    EXPECT_TRUE(emphasised->pixels == twice->pixels);
    EXPECT_FALSE(emphasised->pixels == once->pixels);
    EXPECT_EQ(text_width_dots("SHIP TO:", 41, true),
              text_width_dots("SHIP TO:", 41, false) + emphasis_dots(41));
}

TEST(LabelAgreement, ALineTooWideIsSetSmallerDownToItsFloorThenCut) {
    const LabelSize size = LabelSize::inches(4, 6, 203);
    const std::string line = "SSCC (00) 340123450000000000";
    const int full = text_width_dots(line, 32, true);
    TextField field{24, 100, 32, full - 40, line, true, 23};
    const FittedText smaller = fit_text(field, size);
    EXPECT_EQ(smaller.text, line);
    EXPECT_LT(smaller.height, 32);
    EXPECT_GE(smaller.height, 23);
    EXPECT_LE(text_width_dots(line, smaller.height, true), field.max_width);
    EXPECT_GT(text_width_dots(line, smaller.height + 1, true), field.max_width) << "the largest that fits";
    const auto fields = printed_fields(to_zpl(Label{size, {field}}));
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(std::get<TextField>(fields[0].field).height, smaller.height);
    EXPECT_EQ(std::get<TextField>(fields[0].field).text, line);

    // Too wide even at the floor: cut there, with the longest prefix that fits.
    field.max_width = full / 2;
    const FittedText cut = fit_text(field, size);
    EXPECT_EQ(cut.height, 23);
    ASSERT_GT(cut.text.size(), 3u);
    EXPECT_EQ(cut.text.substr(cut.text.size() - 3), "...");
    EXPECT_EQ(line.rfind(cut.text.substr(0, cut.text.size() - 3), 0), 0u);
    EXPECT_LE(text_width_dots(cut.text, 23, true), field.max_width);

    // Without a floor (fit = "cut"), it is cut at its own height.
    field.min_height = 0;
    EXPECT_EQ(fit_text(field, size).height, 32);
}

}  // namespace
}  // namespace packd::fulfillment
