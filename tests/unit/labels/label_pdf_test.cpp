// Labels as PDF files for people (the return label the shop emails): the file's structure is checked
// against PDF 32000-1 section 7.5 (every cross-reference offset lands on its object) and the page image
// is inflated again and compared with the bitmap pixel for pixel.

#include "packd/fulfillment/labels/label_pdf.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <regex>
#include <string>

#include "packd/fulfillment/labels/shipping_label.hpp"
#include "source_label_templates.hpp"

namespace packd::fulfillment {
namespace {

using test::shipping_label;

Label sample_label(int dpi) {
    ShippingLabelData data;
    data.order_id = "RMA-1001";
    data.ship_from = {"Jana Müller", "", "Hauptstr. 1", "", "Köln", "", "50667", "DE"};
    data.ship_to = {"Returns desk", "Shop GmbH", "1 Test Road", "", "Testville", "", "12345", "US"};
    data.carrier = "DHL";
    data.tracking_number = "JJD000123456789";
    return shipping_label(data, LabelSize::inches(4, 6, dpi));
}

TEST(LabelPdf, PageHasTheLabelsSizeAndHoldsItsPixels) {
    const Label label = sample_label(203);
    auto bitmap = render_bitmap(label);
    ASSERT_TRUE(bitmap) << bitmap.error().message;
    auto pdf = encode_pdf(*bitmap, 203);
    ASSERT_TRUE(pdf) << pdf.error().message;
    const std::string& file = *pdf;
    EXPECT_EQ(file.rfind("%PDF-1.4\n", 0), 0u);
    EXPECT_EQ(file.substr(file.size() - 6), "%%EOF\n");
    // 4 x 6 inches are 288 x 432 points, whatever the resolution.
    EXPECT_NE(file.find("/MediaBox [0 0 288.000 432.000]"), std::string::npos);

    // The cross-reference table: "startxref" points at it, and every entry at "N 0 obj".
    const auto startxref = file.rfind("startxref\n");
    ASSERT_NE(startxref, std::string::npos);
    const size_t xref = std::stoul(file.substr(startxref + 10));
    ASSERT_EQ(file.compare(xref, 5, "xref\n"), 0);
    std::smatch m;
    const std::string table = file.substr(xref);
    std::regex entry("(\\d{10}) 00000 n \\n");
    int object = 1;
    for (auto it = std::sregex_iterator(table.begin(), table.end(), entry); it != std::sregex_iterator();
         ++it) {
        const size_t offset = std::stoul((*it)[1]);
        const std::string header = std::to_string(object++) + " 0 obj\n";
        EXPECT_EQ(file.compare(offset, header.size(), header), 0) << header;
    }
    EXPECT_EQ(object, 6);

    // The image stream inflates to the bitmap.
    const auto image = file.find("/Subtype /Image");
    ASSERT_NE(image, std::string::npos);
    const auto length_at = file.find("/Length ", image);
    const size_t length = std::stoul(file.substr(length_at + 8));
    const auto data = file.find("stream\n", image) + 7;
    std::vector<unsigned char> pixels(bitmap->pixels.size());
    uLongf size = static_cast<uLongf>(pixels.size());
    ASSERT_EQ(uncompress(pixels.data(), &size, reinterpret_cast<const Bytef*>(file.data() + data), length),
              Z_OK);
    EXPECT_EQ(size, bitmap->pixels.size());
    EXPECT_TRUE(std::equal(pixels.begin(), pixels.end(), bitmap->pixels.begin()));
    EXPECT_NE(
        file.find("/Width " + std::to_string(bitmap->width) + " /Height " + std::to_string(bitmap->height)),
        std::string::npos);
}

TEST(LabelPdf, Resolution300KeepsThePageSize) {
    auto pdf = to_pdf(sample_label(300));
    ASSERT_TRUE(pdf) << pdf.error().message;
    EXPECT_NE(pdf->find("/MediaBox [0 0 288.000 432.000]"), std::string::npos);
}

TEST(LabelPdf, AnEmptyOrInconsistentBitmapIsRefused) {
    EXPECT_FALSE(encode_pdf(Bitmap{}, 203));
    EXPECT_FALSE(encode_pdf(Bitmap{2, 2, {0, 0, 0}}, 203));
    EXPECT_FALSE(encode_pdf(Bitmap{1, 1, {0}}, 0));
}

}  // namespace
}  // namespace packd::fulfillment
