#include "packd/fulfillment/labels/label_pdf.hpp"

#include <zlib.h>

#include <cstdio>
#include <vector>

namespace packd::fulfillment {
namespace {

std::string points(int dots, int dpi) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", static_cast<double>(dots) * 72.0 / dpi);
    return text;
}

}  // namespace

Result<std::string> encode_pdf(const Bitmap& bitmap, int dpi) {
    if (bitmap.width <= 0 || bitmap.height <= 0 || dpi <= 0 ||
        bitmap.pixels.size() != static_cast<size_t>(bitmap.width) * static_cast<size_t>(bitmap.height)) {
        return fail("PDF: the bitmap is empty or its size does not match its pixels");
    }
    uLongf packed_size = compressBound(static_cast<uLong>(bitmap.pixels.size()));
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, bitmap.pixels.data(),
                  static_cast<uLong>(bitmap.pixels.size()), Z_BEST_COMPRESSION) != Z_OK) {
        return fail("PDF: compressing the label image failed");
    }
    packed.resize(packed_size);

    const std::string w = points(bitmap.width, dpi);
    const std::string h = points(bitmap.height, dpi);
    const std::string content = "q " + w + " 0 0 " + h + " 0 0 cm /Label Do Q\n";
    // PDF 32000-1:2008: section 7.5 (file structure), 8.9.5 (image dictionaries), 7.4.4 (FlateDecode).
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + w + " " + h +
            "] /Resources << /XObject << /Label 5 0 R >> >> /Contents 4 0 R >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
        "<< /Type /XObject /Subtype /Image /Width " + std::to_string(bitmap.width) + " /Height " +
            std::to_string(bitmap.height) +
            " /ColorSpace /DeviceGray /BitsPerComponent 8 /Interpolate false /Filter /FlateDecode /Length " +
            std::to_string(packed.size()) + " >>\nstream\n" + packed + "\nendstream",
    };
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";  // the second line marks the file as binary
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const size_t offset : offsets) {
        char entry[24];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
        pdf += entry;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

Result<std::string> to_pdf(const Label& label) {
    auto bitmap = render_bitmap(label);
    if (!bitmap) {
        return bitmap.error();
    }
    return encode_pdf(*bitmap, label.size.dpi);
}

}  // namespace packd::fulfillment
