// Shop-supplied labels: ZPL passed through only when it is complete formats, PNG and PDF turned into a Z64
// ^GF graphic whose dots are decoded back here (Base64, zlib, CRC) and read with ZXing.

#define ZX_USE_UTF8 1

#include "packd/fulfillment/labels/supplied_label.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "packd/fulfillment/labels/zpl_graphic.hpp"

namespace packd::fulfillment {
namespace {

constexpr std::size_t kLimit = 1 << 20;
const std::string kTracking = "1Z999AA10123456784";

// ---- Reading a ^GFA Z64 graphic back, written from the guide independently of zpl_graphic.cpp
// ----------------

struct Graphic {
    int x = 0;
    int y = 0;
    Bitmap bitmap;  // 0 = dark, 255 = blank, as the preview
};

std::optional<std::string> from_base64(std::string_view text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z') {
            value = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            value = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            value = c - '0' + 52;
        } else if (c == '+') {
            value = 62;
        } else if (c == '/') {
            value = 63;
        } else if (c == '=') {
            break;
        } else {
            return std::nullopt;
        }
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

// Every ^FOx,y^GFA,b,c,d,:Z64:data:crc of `zpl`, or nothing when one is malformed.
std::optional<std::vector<Graphic>> read_graphics(const std::string& zpl) {
    std::vector<Graphic> graphics;
    for (std::size_t pos = zpl.find("^GFA,"); pos != std::string::npos; pos = zpl.find("^GFA,", pos + 1)) {
        const std::size_t fo = zpl.rfind("^FO", pos);
        Graphic g;
        if (fo == std::string::npos || std::sscanf(zpl.c_str() + fo, "^FO%d,%d", &g.x, &g.y) != 2) {
            return std::nullopt;
        }
        long total = 0;
        long field = 0;
        int row_bytes = 0;
        if (std::sscanf(zpl.c_str() + pos, "^GFA,%ld,%ld,%d,", &total, &field, &row_bytes) != 3 ||
            row_bytes <= 0) {
            return std::nullopt;
        }
        const std::size_t z64 = zpl.find(":Z64:", pos);
        const std::size_t crc = zpl.find(':', z64 + 5);
        const std::size_t end = zpl.find("^FS", pos);
        if (z64 == std::string::npos || crc == std::string::npos || end == std::string::npos || crc > end) {
            return std::nullopt;
        }
        const std::string encoded = zpl.substr(z64 + 5, crc - z64 - 5);
        const unsigned want_crc =
            static_cast<unsigned>(std::stoul(zpl.substr(crc + 1, end - crc - 1), nullptr, 16));
        if (want_crc != z64_crc(encoded)) {
            return std::nullopt;
        }
        const auto compressed = from_base64(encoded);
        if (!compressed) {
            return std::nullopt;
        }
        std::string rows(static_cast<std::size_t>(total), '\0');
        uLongf size = static_cast<uLongf>(rows.size());
        if (uncompress(reinterpret_cast<Bytef*>(rows.data()), &size,
                       reinterpret_cast<const Bytef*>(compressed->data()),
                       static_cast<uLong>(compressed->size())) != Z_OK ||
            size != rows.size() || total != field || total % row_bytes != 0) {
            return std::nullopt;
        }
        g.bitmap.width = row_bytes * 8;
        g.bitmap.height = static_cast<int>(total / row_bytes);
        g.bitmap.pixels.assign(rows.size() * 8, 255);
        for (std::size_t i = 0; i < rows.size() * 8; ++i) {
            if ((static_cast<unsigned char>(rows[i / 8]) & (0x80u >> (i % 8))) != 0) {
                g.bitmap.pixels[i] = 0;
            }
        }
        graphics.push_back(std::move(g));
    }
    return graphics;
}

Bitmap turned_counter_clockwise(const Bitmap& image) {
    Bitmap out{image.height, image.width, std::vector<std::uint8_t>(image.pixels.size())};
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            out.pixels[static_cast<std::size_t>((image.width - 1 - x) * out.width + y)] =
                image.pixels[static_cast<std::size_t>(y * image.width + x)];
        }
    }
    return out;
}

// The Code 128 symbol a scanner reads from the bitmap. tryRotate stays off (Debian's ZXing 1.4.0 asserts when
// it merges a linear symbol found twice); callers turn the bitmap upright.
std::optional<std::string> read_code128(const Bitmap& bitmap) {
    const auto hints = ZXing::DecodeHints()
                           .setFormats(ZXing::BarcodeFormat::Code128)
                           .setTryHarder(false)
                           .setTryRotate(false)
                           .setTryDownscale(false);
    const auto results = ZXing::ReadBarcodes(
        ZXing::ImageView(bitmap.pixels.data(), bitmap.width, bitmap.height, ZXing::ImageFormat::Lum), hints);
    for (const auto& result : results) {
        if (result.isValid()) {
            return result.text();
        }
    }
    return std::nullopt;
}

// A label holding one Code 128 tracking number across the middle, drawn by packd's own preview.
Bitmap tracking_bitmap(int width, int height, int module) {
    Label label{LabelSize{width, height, 203}, {}};
    const auto placed =
        place_barcode(BarcodeField{BarcodeKind::Code128, 0, 0, module, height / 5, kTracking});
    EXPECT_TRUE(placed.ok());
    BarcodeField barcode;
    barcode.kind = BarcodeKind::Code128;
    barcode.x = (width - placed->width_dots) / 2;
    barcode.y = height * 2 / 5;
    barcode.module_width = module;
    barcode.height = height / 5;
    barcode.data = kTracking;
    TextField name;
    name.x = 20;
    name.y = 20;
    name.height = 30;
    name.text = "Zoë Ünal, 東京";
    label.fields.emplace_back(barcode);
    label.fields.emplace_back(name);
    auto bitmap = render_bitmap(label);
    EXPECT_TRUE(bitmap.ok()) << (bitmap ? "" : bitmap.error().message);
    return bitmap ? *bitmap : Bitmap{};
}

// ---- A minimal PDF, written by hand (PDF 32000-1:2008, 7.5: header, objects, xref table, trailer) ---------

struct PdfPage {
    double width_pt;
    double height_pt;
    std::string content;  // a content stream
};

std::string make_pdf(const std::vector<PdfPage>& pages) {
    std::vector<std::string> objects;
    std::string kids;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        kids += std::to_string(3 + 2 * i) + " 0 R ";
    }
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
    for (std::size_t i = 0; i < pages.size(); ++i) {
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(pages[i].width_pt) +
                          " " + std::to_string(pages[i].height_pt) + "] /Contents " +
                          std::to_string(4 + 2 * i) + " 0 R >>");
        objects.push_back("<< /Length " + std::to_string(pages[i].content.size()) + " >>\nstream\n" +
                          pages[i].content + "\nendstream");
    }
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const std::size_t offset : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

// A content stream drawing the Code 128 symbol of `data` as filled rectangles, `module_pt` points a module,
// centred on a page of the given size.
std::string barcode_content(const std::string& data, double module_pt, double width_pt, double height_pt) {
    const auto symbol = encode_barcode(BarcodeKind::Code128, data);
    EXPECT_TRUE(symbol.ok());
    const double left = (width_pt - symbol->width * module_pt) / 2;
    const double bar_height = height_pt / 5;
    const double bottom = (height_pt - bar_height) / 2;
    std::string content = "0 g\n";
    for (int x = 0; x < symbol->width; ++x) {
        if (symbol->is_dark(x, 0)) {
            content += std::to_string(left + x * module_pt) + " " + std::to_string(bottom) + " " +
                       std::to_string(module_pt) + " " + std::to_string(bar_height) + " re\n";
        }
    }
    return content + "f\n";
}

std::string message_of(const Result<std::string>& r) {
    return r ? std::string() : r.error().message;
}

// ---- Format names ---------------------------------------------------------------------------------------

TEST(SuppliedLabelFormat, NamesTheThreeFormatsInAnyCase) {
    EXPECT_EQ(*parse_supplied_label_format("zpl"), SuppliedLabelFormat::Zpl);
    EXPECT_EQ(*parse_supplied_label_format("PNG"), SuppliedLabelFormat::Png);
    EXPECT_EQ(*parse_supplied_label_format("Pdf"), SuppliedLabelFormat::Pdf);
    const auto gif = parse_supplied_label_format("gif\n");
    ASSERT_FALSE(gif.ok());
    EXPECT_EQ(gif.error().message, "unknown label format 'gif?' (expected zpl, png or pdf)");
}

// ---- ZPL ------------------------------------------------------------------------------------------------

TEST(SuppliedZpl, CompleteFormatsPrintAsTheyCame) {
    const LabelSize stock = LabelSize::inches(4, 6, 203);
    const std::string zpl = "\r\n^XA^FO50,50^A0N,40,40^FDHello~^FS^XZ\n  ^xa^fo1,1^fdsecond^fs^xz\n";
    const auto out = supplied_label_to_zpl(SuppliedLabelFormat::Zpl, zpl, stock, kLimit);
    ASSERT_TRUE(out.ok()) << message_of(out);
    EXPECT_EQ(*out, zpl);
}

TEST(SuppliedZpl, RefusesWhatIsNotCompleteFormats) {
    const LabelSize stock = LabelSize::inches(4, 6, 203);
    const auto reason = [&](std::string_view zpl, std::size_t limit = kLimit) {
        return message_of(supplied_label_to_zpl(SuppliedLabelFormat::Zpl, zpl, stock, limit));
    };
    EXPECT_EQ(reason(""), "supplied label is empty");
    EXPECT_EQ(reason("^XA^XZ", 5), "supplied label is 6 bytes, more than the limit of 5");
    EXPECT_EQ(reason("   \n"), "ZPL holds no ^XA...^XZ format");
    EXPECT_EQ(reason("^XA^FDno end^FS"), "ZPL format starting at byte 0 has no ^XZ");
    EXPECT_EQ(reason("^XA^FDa^FS^XA^XZ"), "ZPL format starting at byte 0 has no ^XZ before the next ^XA");
    EXPECT_EQ(reason("hello^XA^XZ"), "ZPL has data outside a ^XA...^XZ format at byte 0");
    EXPECT_EQ(reason("^XA^XZ~DGR:LOGO.GRF,2,1,FF00"),
              "ZPL has a command outside a ^XA...^XZ format at byte 6");
    EXPECT_EQ(reason("^XA^XZ^"), "ZPL ends inside a command at byte 6");
    EXPECT_EQ(reason("^XA^CC+^XZ"),
              "ZPL command ^CC at byte 3 changes the command prefix and is not accepted from "
              "outside");
    EXPECT_EQ(reason("^XA~ja^XZ"),
              "ZPL command ~JA at byte 3 cancels every job in the printer and is not accepted "
              "from outside");
    EXPECT_EQ(
        reason("^XA^JUS^XZ"),
        "ZPL command ^JU at byte 3 stores or restores printer settings and is not accepted from outside");
}

// ---- PNG ------------------------------------------------------------------------------------------------

TEST(SuppliedPng, BecomesAGraphicAtThePrintersResolutionThatScansBack) {
    const Bitmap drawn = tracking_bitmap(812, 1218, 3);  // 4x6 in at 203 dpi
    const auto png = encode_png(drawn);
    ASSERT_TRUE(png.ok());
    for (const LabelSize stock :
         {LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300), LabelSize::millimetres(100, 150, 300),
          LabelSize::millimetres(100, 150, 203)}) {
        const auto zpl = supplied_label_to_zpl(SuppliedLabelFormat::Png, *png, stock, kLimit);
        ASSERT_TRUE(zpl.ok()) << message_of(zpl);
        ASSERT_TRUE(check_supplied_zpl(*zpl).ok());
        const auto graphics = read_graphics(*zpl);
        ASSERT_TRUE(graphics.has_value()) << *zpl;
        ASSERT_EQ(graphics->size(), 1U);
        const Graphic& g = graphics->front();
        // Filled to the stock, proportions kept: the narrow side fits exactly.
        EXPECT_LE(g.x + g.bitmap.width, stock.width_dots + 7);  // rows are padded to whole bytes
        EXPECT_LE(g.y + g.bitmap.height, stock.height_dots);
        EXPECT_GE(g.bitmap.width, stock.width_dots - 8);
        EXPECT_EQ(read_code128(g.bitmap), kTracking) << stock.width_dots << "x" << stock.height_dots;
    }
}

TEST(SuppliedPng, LandscapeImageIsTurnedForAPortraitStock) {
    const Bitmap drawn = tracking_bitmap(1218, 812, 3);
    const auto png = encode_png(drawn);
    ASSERT_TRUE(png.ok());
    const LabelSize stock = LabelSize::inches(4, 6, 203);
    const auto zpl = supplied_label_to_zpl(SuppliedLabelFormat::Png, *png, stock, kLimit);
    ASSERT_TRUE(zpl.ok()) << message_of(zpl);
    const auto graphics = read_graphics(*zpl);
    ASSERT_TRUE(graphics.has_value() && graphics->size() == 1);
    const Bitmap& printed = graphics->front().bitmap;
    EXPECT_GT(printed.height, printed.width);
    EXPECT_EQ(read_code128(turned_counter_clockwise(printed)), kTracking);
}

TEST(SuppliedPng, DamagedOrHugeImagesAreRefusedWithAReason) {
    const LabelSize stock = LabelSize::inches(4, 6, 203);
    EXPECT_NE(message_of(supplied_label_to_zpl(SuppliedLabelFormat::Png, "not a png at all", stock, kLimit))
                  .find("not a readable PNG file"),
              std::string::npos);
    // A valid 1x1 PNG whose header claims 60000 x 60000 pixels (IHDR fields and CRC rewritten).
    auto png = encode_png(Bitmap{1, 1, {255}});
    ASSERT_TRUE(png.ok());
    std::string huge = *png;
    const std::size_t ihdr = huge.find("IHDR");
    ASSERT_NE(ihdr, std::string::npos);
    for (const std::size_t field : {ihdr + 4, ihdr + 8}) {
        const unsigned value = 60000;
        for (int i = 0; i < 4; ++i) {
            huge[field + static_cast<std::size_t>(i)] = static_cast<char>((value >> (24 - 8 * i)) & 0xFF);
        }
    }
    const auto crc = crc32(0, reinterpret_cast<const Bytef*>(huge.data() + ihdr), 17);
    for (int i = 0; i < 4; ++i) {
        huge[ihdr + 17 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (24 - 8 * i)) & 0xFF);
    }
    EXPECT_EQ(message_of(supplied_label_to_zpl(SuppliedLabelFormat::Png, huge, stock, kLimit)),
              "PNG image of 60000x60000 pixels is larger than packd decodes (40000000 pixels)");
    // Cut short after the header: decoding fails, not the process.
    EXPECT_NE(message_of(supplied_label_to_zpl(SuppliedLabelFormat::Png, png->substr(0, 40), stock, kLimit)),
              "");
}

TEST(ZplGraphic, CrcIsXmodem) {
    EXPECT_EQ(z64_crc("123456789"), 0x31C3U);  // the published check value of CRC-16/XMODEM
    EXPECT_EQ(z64_crc(""), 0U);
}

// ---- PDF ------------------------------------------------------------------------------------------------

TEST(SuppliedPdf, EveryPageBecomesAFormatThatScansBack) {
    const std::string second = "RMA-2026-0042";
    const std::string pdf = make_pdf({{288, 432, barcode_content(kTracking, 1.0, 288, 432)},
                                      {288, 432, barcode_content(second, 1.2, 288, 432)}});
    for (const LabelSize stock : {LabelSize::inches(4, 6, 203), LabelSize::millimetres(100, 150, 300)}) {
        const auto zpl = supplied_label_to_zpl(SuppliedLabelFormat::Pdf, pdf, stock, kLimit);
        ASSERT_TRUE(zpl.ok()) << message_of(zpl);
        ASSERT_TRUE(check_supplied_zpl(*zpl).ok());
        const auto graphics = read_graphics(*zpl);
        ASSERT_TRUE(graphics.has_value());
        ASSERT_EQ(graphics->size(), 2U);
        EXPECT_EQ(read_code128((*graphics)[0].bitmap), kTracking);
        EXPECT_EQ(read_code128((*graphics)[1].bitmap), second);
        EXPECT_GE((*graphics)[0].bitmap.width, stock.width_dots - 8);
    }
}

TEST(SuppliedPdf, LandscapePageIsTurnedForAPortraitStock) {
    const std::string pdf = make_pdf({{432, 288, barcode_content(kTracking, 1.0, 432, 288)}});
    const LabelSize stock = LabelSize::inches(4, 6, 300);
    const auto zpl = supplied_label_to_zpl(SuppliedLabelFormat::Pdf, pdf, stock, kLimit);
    ASSERT_TRUE(zpl.ok()) << message_of(zpl);
    const auto graphics = read_graphics(*zpl);
    ASSERT_TRUE(graphics.has_value() && graphics->size() == 1);
    const Bitmap& printed = graphics->front().bitmap;
    EXPECT_GT(printed.height, printed.width);
    EXPECT_EQ(read_code128(turned_counter_clockwise(printed)), kTracking);
}

TEST(SuppliedPdf, DamagedDocumentsAreRefusedWithAReason) {
    const LabelSize stock = LabelSize::inches(4, 6, 203);
    EXPECT_EQ(message_of(supplied_label_to_zpl(SuppliedLabelFormat::Pdf, "%PDF-1.4 garbage", stock, kLimit)),
              "not a readable PDF file");
    std::vector<PdfPage> many(kMaxSuppliedPages + 1, PdfPage{288, 432, "0 g\n"});
    EXPECT_EQ(message_of(supplied_label_to_zpl(SuppliedLabelFormat::Pdf, make_pdf(many), stock, kLimit)),
              "PDF has 21 pages; a supplied label has at most 20");
    EXPECT_EQ(message_of(
                  supplied_label_to_zpl(SuppliedLabelFormat::Pdf, make_pdf({{0.5, 0.5, ""}}), stock, kLimit)),
              "PDF page 1 has no usable size");
}

}  // namespace
}  // namespace packd::fulfillment
