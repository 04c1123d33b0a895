// Label templates: every shipped template on every stock with hostile data (ZPL injection, control
// characters, 2 KB strings, non-ASCII) renders, escapes everything, keeps fields apart and draws barcodes
// that read back as the data; broken templates are refused with file, line and key; pick lists continue on
// more pages; GS1 elements without data are left out.

#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "label_reading.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_template.hpp"
#include "source_label_templates.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace label_reading;

const std::vector<LabelSize> kStocks = {LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300),
                                        LabelSize::millimetres(100, 150, 203),
                                        LabelSize::millimetres(100, 150, 300)};

// What outside text may hold: each set goes into every text a label prints.
struct Hostile {
    const char* name;
    std::string text;
    std::string printed;  // as the label prints it: on one line; empty when it is cut
};

std::vector<Hostile> hostile_sets() {
    return {{"injection", "^XZ~JA ^XA^FDx", "^XZ~JA ^XA^FDx"},
            {"control", "Apt 4\nsecond\x01\x1b line\t_7F\x7f", "Apt 4 second   line _7F"},
            {"long", std::string(2048, 'W'), ""},
            {"non_ascii", "Zoë Łódź Ærø Ünal", "Zoë Łódź Ærø Ünal"}};
}

Address address(const std::string& text) {
    return {text, text, text, text, text, "", text, text};
}

// The data of `kind` with `text` in every text field; barcode data stays what its symbology carries, with
// the command prefixes ZPL must escape.
LabelData data_for(LabelKind kind, const std::string& text) {
    switch (kind) {
        case LabelKind::Shipping: {
            ShippingLabelData d{
                "#1042 ^XZ~JA", address(text),         address(text), text,
                text,           "JJD0001234567890123", 2345,          "https://track.example/?id=JJD^XZ~JA"};
            return label_data(d);
        }
        case LabelKind::Return:
            return label_data(ReturnLabelData{"RMA-^XZ~JA-77", text, address(text), address(text), text,
                                              "1Z999AA10123456784"});
        case LabelKind::PickList: {
            PickListData d{text, {"1042", text}, {}};
            for (int i = 0; i < 45; ++i) {
                d.lines.push_back({"1042", "A-" + std::to_string(i) + text, "SKU-" + text, text, i + 1});
            }
            return label_data(d);
        }
        case LabelKind::Sscc:
            return label_data(SsccLabelData{"340123450000000000", "09501101530003", "24", "PO-1042_A", text,
                                            address(text), address(text), text});
    }
    return {};
}

struct Area {
    int left, top, right, bottom;
    std::string what;
};

std::vector<Area> areas_of(const Label& label) {
    std::vector<Area> areas;
    const auto text_area = [&](const TextField& text, const std::string& what) {
        const FittedText fitted = fit_text(text, label.size);
        areas.push_back({text.x, text.y, text.x + text_width_dots(fitted.text, fitted.height, text.bold),
                         text.y + text.height * 6 / 5, what + " '" + fitted.text.substr(0, 40) + "'"});
    };
    for (const auto& field : label.fields) {
        if (const auto* text = std::get_if<TextField>(&field)) {
            text_area(*text, "text");
        } else if (const auto* box = std::get_if<BoxField>(&field)) {
            areas.push_back({box->x, box->y, box->x + box->width, box->y + box->height, "rule"});
        } else if (const auto* barcode = std::get_if<BarcodeField>(&field)) {
            auto placed = place_barcode(*barcode);
            if (!placed) {
                continue;
            }
            areas.push_back({barcode->x, barcode->y, barcode->x + placed->width_dots,
                             barcode->y + placed->height_dots, "barcode " + barcode->data});
            if (placed->human_readable) {
                text_area(*placed->human_readable, "human-readable");
            }
        }
    }
    return areas;
}

// The data a reader must get from a barcode field: GS1 symbols give the transmitted element string.
std::string expected_reading(const BarcodeField& field) {
    if (field.kind == BarcodeKind::Gs1_128 || field.kind == BarcodeKind::Gs1DataMatrix) {
        return gs1_transmitted(*parse_gs1(field.data));
    }
    return field.data;
}

ZXing::BarcodeFormat format_of(BarcodeKind kind) {
    switch (kind) {
        case BarcodeKind::Code128:
        case BarcodeKind::Gs1_128:
            return ZXing::BarcodeFormat::Code128;
        case BarcodeKind::Gs1DataMatrix:
            return ZXing::BarcodeFormat::DataMatrix;
        case BarcodeKind::QrCode:
            return ZXing::BarcodeFormat::QRCode;
    }
    return ZXing::BarcodeFormat::Code128;
}

struct Case {
    LabelKind kind;
    LabelSize stock;
    Hostile hostile;
};

std::vector<Case> all_cases() {
    std::vector<Case> cases;
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        for (const LabelSize& stock : kStocks) {
            for (const Hostile& hostile : hostile_sets()) {
                cases.push_back({kind, stock, hostile});
            }
        }
    }
    return cases;
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* out) {
    *out << to_string(c.kind) << " on " << c.stock.width_dots << "x" << c.stock.height_dots << " at "
         << c.stock.dpi << " dpi with " << c.hostile.name << " data";
}

class EveryTemplate : public ::testing::TestWithParam<Case> {};

TEST_P(EveryTemplate, RendersEscapedApartAndEveryBarcodeReadsBack) {
    const Case& c = GetParam();
    const LabelTemplate& tpl = test::source_label_templates().of(c.kind);
    const std::vector<Label> pages = render_pages(tpl, data_for(c.kind, c.hostile.text), c.stock);
    const std::vector<DrawnLabel> drawn = tpl.compiled(c.stock)->draw_pages(data_for(c.kind, c.hostile.text));
    // 45 pick lines at 20 a page make three pages; the other kinds have one.
    ASSERT_EQ(pages.size(), c.kind == LabelKind::PickList ? 3u : 1u);
    ASSERT_EQ(drawn.size(), pages.size());
    for (std::size_t page = 0; page < pages.size(); ++page) {
        const Label& label = pages[page];
        SCOPED_TRACE("page " + std::to_string(page + 1));
        ASSERT_TRUE(validate(label).ok()) << validate(label).error().message;

        // One format, UTF-8, ^FH before every field's data, no raw command prefix or control byte from data.
        const std::string zpl = to_zpl(label);
        // The compiled template writes the same ZPL as the label it keeps: the preview drawn later from that
        // label is of what printed.
        EXPECT_EQ(drawn[page].zpl, zpl);
        EXPECT_EQ(occurrences(zpl, "^XA"), 1u);
        EXPECT_EQ(occurrences(zpl, "^XZ"), 1u);
        EXPECT_NE(zpl.find("^CI28"), std::string::npos);
        EXPECT_EQ(occurrences(zpl, "^FD"), occurrences(zpl, "^FH_^FD"));
        std::vector<std::string> printed;
        for (const ZplField& field : zpl_fields(zpl)) {
            for (const char ch : field.data) {
                const auto byte = static_cast<unsigned char>(ch);
                ASSERT_FALSE(ch == '^' || ch == '~' || byte < 0x20 || byte == 0x7F)
                    << "raw byte " << int{byte} << " in field data '" << field.data.substr(0, 80) << "'";
            }
            const auto decoded = decode_field_hex(field.data);
            ASSERT_TRUE(decoded.has_value()) << field.data;
            if (field.commands.find("^A0N") != std::string::npos) {
                printed.push_back(*decoded);
            }
        }
        // The hostile text prints as text, as it came (on one line), or is cut with "...".
        bool seen = false;
        for (const std::string& text : printed) {
            seen |= !c.hostile.printed.empty() && text.find(c.hostile.printed) != std::string::npos;
            seen |= c.hostile.printed.empty() && text.size() > 3 && text.substr(text.size() - 3) == "..." &&
                    text.find("WWW") != std::string::npos;
            EXPECT_LT(text.size(), 1024u) << "a 2 KB string was not cut";
        }
        EXPECT_TRUE(seen) << "no text field printed the data";
        if (c.kind == LabelKind::PickList) {
            const std::string page_text =
                "page " + std::to_string(page + 1) + "/" + std::to_string(pages.size());
            EXPECT_NE(std::find(printed.begin(), printed.end(), page_text), printed.end()) << page_text;
        }

        // Every field stays on the label and off every other field.
        const auto areas = areas_of(label);
        for (std::size_t i = 0; i < areas.size(); ++i) {
            const Area& a = areas[i];
            EXPECT_TRUE(a.left >= 0 && a.top >= 0 && a.right <= label.size.width_dots &&
                        a.bottom <= label.size.height_dots)
                << a.what;
            for (std::size_t j = i + 1; j < areas.size(); ++j) {
                const Area& b = areas[j];
                EXPECT_FALSE(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
                    << "'" << a.what << "' overlaps '" << b.what << "'";
            }
        }

        // Every barcode of the preview reads back as its data; GS1 symbols as GS1 (FNC1 first).
        auto bitmap = render_bitmap(label);
        ASSERT_TRUE(bitmap.ok()) << bitmap.error().message;
        for (const BarcodeField& field : barcode_fields(label)) {
            const auto read = find_barcode(read_symbol(*bitmap, field), format_of(field.kind));
            ASSERT_TRUE(read.has_value()) << "unreadable: " << field.data;
            EXPECT_EQ(read->text(), expected_reading(field));
            const bool gs1 = field.kind == BarcodeKind::Gs1_128 || field.kind == BarcodeKind::Gs1DataMatrix;
            EXPECT_EQ(read->contentType() == ZXing::ContentType::GS1, gs1) << field.data;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(KindsStocksAndData, EveryTemplate, ::testing::ValuesIn(all_cases()),
                         [](const auto& test_case) {
                             const Case& c = test_case.param;
                             return std::string(to_string(c.kind)) + "_" +
                                    std::to_string(c.stock.width_dots) + "x" +
                                    std::to_string(c.stock.height_dots) + "at" + std::to_string(c.stock.dpi) +
                                    "_" + c.hostile.name;
                         });

// ---- What each kind carries -------------------------------------------------------------------------------

std::vector<std::string> barcode_data(const Label& label) {
    std::vector<std::string> out;
    for (const BarcodeField& field : barcode_fields(label)) {
        out.push_back(field.data);
    }
    return out;
}

TEST(LabelTemplateKinds, ReturnLabelCarriesTheRmaAndTheTrackingNumber) {
    const Label label =
        render(test::source_label_templates().of(LabelKind::Return),
               label_data(ReturnLabelData{"RMA-77", "1042", address("Jana"), address("Desk"), "DHL", ""}),
               kStocks[0]);
    EXPECT_EQ(barcode_data(label), std::vector<std::string>{"RMA-77"});  // no tracking number: no second code
    EXPECT_NE(to_zpl(label).find("^FDRETURN TO:^FS"), std::string::npos);
}

TEST(LabelTemplateKinds, SsccLeavesOutElementsWithoutData) {
    const LabelTemplate& tpl = test::source_label_templates().of(LabelKind::Sscc);
    SsccLabelData d;
    d.sscc = "340123450000000000";
    const Label bare = render(tpl, label_data(d), kStocks[0]);
    EXPECT_EQ(barcode_data(bare),
              (std::vector<std::string>{"(00)340123450000000000", "(00)340123450000000000"}));
    const std::string zpl = to_zpl(bare);
    EXPECT_EQ(zpl.find("(02)"), std::string::npos);
    EXPECT_EQ(zpl.find("COUNT"), std::string::npos);

    d.gtin = "09501101530003";
    d.count = "12";
    const Label full = render(tpl, label_data(d), kStocks[0]);
    EXPECT_EQ(barcode_data(full),
              (std::vector<std::string>{"(00)340123450000000000(02)09501101530003(37)12",
                                        "(02)09501101530003(37)12", "(00)340123450000000000"}));
    EXPECT_NE(to_zpl(full).find("COUNT (37) 12"), std::string::npos);
}

TEST(LabelTemplateKinds, PickListRowsContinueInOrderOnTheNextPage) {
    PickListData d{"Order 1042", {"1042"}, {}};
    for (int i = 0; i < 21; ++i) {
        d.lines.push_back({"1042", "BIN-" + std::to_string(i), "SKU", "Widget", 1});
    }
    const auto pages =
        render_pages(test::source_label_templates().of(LabelKind::PickList), label_data(d), kStocks[0]);
    ASSERT_EQ(pages.size(), 2u);
    const std::string first = to_zpl(pages[0]);
    const std::string second = to_zpl(pages[1]);
    EXPECT_NE(first.find("^FDBIN-19^FS"), std::string::npos);
    EXPECT_EQ(first.find("^FDBIN-20^FS"), std::string::npos);
    EXPECT_NE(second.find("^FDBIN-20^FS"), std::string::npos);
    EXPECT_NE(second.find("^FDpage 2/2^FS"), std::string::npos);
    EXPECT_NE(first.find("^FDpage 1/2^FS"), std::string::npos);
}

// ---- Broken templates are refused with where and why ----------------------------------------------------

std::string refusal(const std::string& text) {
    auto loaded = LabelTemplate::parse(text, "t.toml");
    return loaded ? std::string("loaded") : loaded.error().message;
}

constexpr const char* kHead = "kind = \"shipping\"\n[[field]]\ntype = \"text\"\nx = 0.1\ny = 0.1\n";

TEST(LabelTemplateLoad, UnknownDataFieldIsRefusedWithItsPosition) {
    const std::string why = refusal(std::string(kHead) + "text = \"{ship_to.nmae}\"\n");
    EXPECT_EQ(
        why.rfind("t.toml:6: field[1].text: unknown data field \"ship_to.nmae\" for a shipping label", 0), 0u)
        << why;
    // A row field outside a pick list's rows is unknown too.
    EXPECT_NE(refusal(std::string(kHead) + "text = \"{row.sku}\"\n").find("unknown data field \"row.sku\""),
              std::string::npos);
    EXPECT_NE(
        refusal(std::string(kHead) + "text = \"x\"\nwhen = \"tracking\"\n").find("t.toml:7: field[1].when"),
        std::string::npos);
}

TEST(LabelTemplateLoad, UnknownKeyIsRefusedWithItsPosition) {
    const std::string why = refusal(std::string(kHead) + "text = \"x\"\ncolour = \"red\"\n");
    EXPECT_EQ(why.rfind("t.toml:7: field[1].colour: unknown key for a text field", 0), 0u) << why;
    EXPECT_EQ(refusal("kind = \"shipping\"\nsize = 1\n").rfind("t.toml:2: size: unknown key", 0), 0u);
    EXPECT_EQ(refusal("kind = \"parcel\"\n").rfind("t.toml:1: kind: expected one of", 0), 0u);
}

TEST(LabelTemplateLoad, FieldOffTheStockIsRefusedWithItsPosition) {
    const std::string wide = refusal(std::string(kHead) + "text = \"x\"\nwidth = 0.95\n");
    EXPECT_EQ(wide.rfind("t.toml:2: field[1]: the field lies off the stock (past its right edge", 0), 0u)
        << wide;
    // 140 mm down plus a 10 mm font's line passes the bottom of 100x150 mm stock.
    const std::string low = refusal(
        "kind = \"sscc\"\n[[field]]\ntype = \"text\"\nx = 0\ny = \"140mm\"\nfont = \"10mm\"\ntext = \"x\"\n");
    EXPECT_NE(low.find("past its bottom edge"), std::string::npos) << low;
    EXPECT_NE(
        refusal(std::string(kHead) + "text = \"x\"\nfont = 1.5\n").find("field[1].font: expected a fraction"),
        std::string::npos);
    EXPECT_NE(refusal(std::string(kHead) + "text = \"{ship_to.name\"\n").find("without its '}'"),
              std::string::npos);
    EXPECT_EQ(refusal("kind = \"shipping\"\n[[field]\n").rfind("t.toml:2: not valid TOML", 0), 0u);
}

TEST(LabelTemplateLoad, FitSaysWhetherALineTooWideIsSetSmallerOrCut) {
    const auto only_text = [](const std::string& extra) {
        auto loaded = LabelTemplate::parse(
            std::string(kHead) + "font = 0.03\nwidth = 0.2\ntext = \"{ship_to.name}\"\n" + extra, "t.toml");
        EXPECT_TRUE(loaded.ok()) << loaded.error().message;
        LabelData data;
        data.values["ship_to.name"] = "Maximiliane Hohenzollern";
        const Label label = render(*loaded, data, LabelSize::inches(4, 6, 203));
        EXPECT_EQ(label.fields.size(), 1u);
        return std::get<TextField>(label.fields.at(0));
    };
    // 0.03 of 1218 dots is 37; shrink (the default) may go down to 70 %, 26 dots.
    EXPECT_EQ(only_text("").min_height, 26);
    EXPECT_EQ(only_text("fit = \"shrink\"\n").min_height, 26);
    EXPECT_EQ(only_text("fit = \"cut\"\n").min_height, 0);
    EXPECT_EQ(only_text("").height, 37);
    EXPECT_NE(refusal(std::string(kHead) + "text = \"x\"\nfit = \"squeeze\"\n")
                  .find("field[1].fit: expected one of \"shrink\", \"cut\""),
              std::string::npos);
}

TEST(LabelTemplateLoad, ADirectoryNeedsEveryKindInItsOwnFile) {
    test::TempDir dir;
    for (const char* kind : {"shipping", "return", "pick_list", "sscc"}) {
        std::ifstream in(test::source_label_templates_dir() + "/" + kind + ".toml");
        std::ofstream(dir.file(std::string(kind) + ".toml")) << in.rdbuf();
    }
    ASSERT_TRUE(load_label_templates(dir.path().string()).ok());
    std::ofstream(dir.file("return.toml")) << kHead << "text = \"x\"\n";
    auto loaded = load_label_templates(dir.path().string());
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find(
                  "return.toml: kind: expected \"return\" for this file, found \"shipping\""),
              std::string::npos)
        << loaded.error().message;
}

}  // namespace
}  // namespace packd::fulfillment
