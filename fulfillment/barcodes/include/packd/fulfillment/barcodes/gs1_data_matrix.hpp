#pragma once
// GS1 DataMatrix (ISO/IEC 16022 ECC 200) with FNC1, which ZXing-cpp 1.4.0's writer cannot produce.
// Used by encode_barcode (symbols.cpp).

#include <string_view>

#include "packd/common/result.hpp"
#include "packd/fulfillment/barcodes/symbols.hpp"

namespace packd::fulfillment {

/// Encodes a transmitted GS1 element string (GS separators between variable-length elements) as a
/// square ECC 200 symbol that starts with FNC1.
Result<BarcodeSymbol> encode_gs1_data_matrix(std::string_view transmitted);

}  // namespace packd::fulfillment
