#pragma once
// A label as a one-page PDF for people: the shop emails a return label to its customer, who prints it on
// an office printer. The page has the label's size; the page holds the label's bitmap (one pixel per printer
// dot, 8-bit grey, Flate-compressed), so barcodes keep their exact module widths.

#include <string>

#include "packd/common/result.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// The bitmap drawn at `dpi` as a PDF 1.4 file whose page is exactly the bitmap's size.
Result<std::string> encode_pdf(const Bitmap& bitmap, int dpi);

/// render_bitmap followed by encode_pdf at the label's resolution.
Result<std::string> to_pdf(const Label& label);

}  // namespace packd::fulfillment
