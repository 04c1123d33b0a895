#pragma once
// The label model as bytes: what a print job keeps so its preview can be drawn when someone asks, a few
// hundred bytes where the PNG would be tens of kilobytes. One line per field, numbers in dots; the text of
// a field is the rest of its line with '%', control bytes and DEL written as %XX, so any bytes (ill-formed
// UTF-8 and barcode data a symbology refuses included) come back exactly as they went in.
//
//   packd-label 1
//   size 812 1218 203
//   text X Y HEIGHT MAX_WIDTH BOLD MIN_HEIGHT TEXT
//   barcode code128|gs1_128|gs1_datamatrix|qr X Y MODULE HEIGHT HUMAN_READABLE DATA
//   box X Y WIDTH HEIGHT THICKNESS

#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// The label as the store keeps it.
std::string serialize_label(const Label& label);

/// What serialize_label wrote. Anything else (a damaged store, another version) is refused with the line and
/// what is wrong with it; the fields are not validated (validate() does that before anything is drawn).
Result<Label> parse_label(std::string_view bytes);

}  // namespace packd::fulfillment
