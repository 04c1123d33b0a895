#pragma once
// Pictures as ZPL: a greyscale image scaled to a label stock and sent as a compressed ^GF graphic field.

#include <cstddef>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// The largest image, in pixels, packd decodes from outside bytes (a 4x6 in label at 600 dpi is 8.6 M).
inline constexpr std::size_t kMaxImagePixels = 40'000'000;

/// A PNG file of any colour type as 8-bit grey, transparent parts on white. Refuses images larger than
/// kMaxImagePixels before decoding them.
Result<Bitmap> decode_png_grey(std::string_view png);

/// `image` turned a quarter clockwise when its orientation (portrait or landscape) differs from the
/// stock's, then scaled by area averaging to the largest size that fits the stock keeping its proportions.
Bitmap fit_to_label(const Bitmap& image, const LabelSize& size);

/// One ZPL format printing `image` (already at printer dots, at most the stock's size) centred on the stock:
/// a ^GFA graphic field whose data is Z64, i.e. zlib-compressed, Base64-encoded and followed by a CRC
/// (ZPL II Programming Guide, "ZB64 Encoding and Compression"). Pixels darker than mid grey print.
std::string zpl_graphic_format(const Bitmap& image, const LabelSize& size);

/// The ^GF data of `image`: rows of 1-bit dots, most significant bit first, 1 = dark.
std::string graphic_rows(const Bitmap& image);

/// CRC-16/CCITT (polynomial 0x1021, initial value 0, as XMODEM) over `bytes`: the check a Z64 field ends
/// with.
unsigned z64_crc(std::string_view bytes);

}  // namespace packd::fulfillment
