#pragma once
// The QR code version ZXing-cpp 1.4.0 chooses for a link, without encoding it. Used by barcode_size
// (symbols.cpp).

#include <string_view>

namespace packd::fulfillment {

/// The version (1 to 40) of the symbol ZXing-cpp 1.4.0's QR writer makes of printable ASCII `data` at error
/// correction level M; 0 when no version holds it.
int qr_version(std::string_view data);

}  // namespace packd::fulfillment
