// Label symbols: GS1 element strings and their symbols in both outputs, Code 128 subsets, QR sizes.

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

}  // namespace
}  // namespace packd::fulfillment
