#pragma once
// Barcode symbols as grids of modules, for the label outputs to draw: the kinds packd prints, their
// encoders and their sizes.

#include <cstdint>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

enum class BarcodeKind {
    Code128,        // carrier tracking numbers
    Gs1_128,        // SSCC and other GS1 element strings on linear labels
    Gs1DataMatrix,  // GS1 element strings in a square ECC 200 symbol
    QrCode,         // tracking links
};

/// An encoded symbol as a grid of modules; linear symbols have a height of one module.
struct BarcodeSymbol {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> dark;  // row-major, 1 = dark module

    bool is_dark(int x, int y) const { return dark[static_cast<std::size_t>(y * width + x)] != 0; }
};

/// Encodes `data` without quiet zones: Code 128 (printable ASCII) and QR (printable ASCII, error correction
/// M) with ZXing, GS1-128 with ZXing and FNC1 after the start and between variable-length elements, GS1
/// DataMatrix with packd's own ECC 200 encoder (ZXing 1.4.0 cannot write FNC1 in DataMatrix).
Result<BarcodeSymbol> encode_barcode(BarcodeKind kind, std::string_view data);

/// The size of a symbol in modules; linear symbols are one module high.
struct SymbolSize {
    int width = 0;
    int height = 0;
};
/// The size encode_barcode() gives `data`, and its refusals, without drawing the symbol where the size
/// follows from the data alone (QR: its version, as ZXing 1.4.0 chooses it). Placing a barcode needs only
/// this; the last few answers are kept, as one label asks for each of its symbols more than once.
Result<SymbolSize> barcode_size(BarcodeKind kind, std::string_view data);

}  // namespace packd::fulfillment
