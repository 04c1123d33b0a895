#pragma once
// Labels the shop supplies ready-made (a carrier's label bought by the shop): ZPL goes to the printer as it
// came once it is known to be nothing but complete formats; PNG and PDF become a ZPL graphic at the printer's
// resolution. Pure: bytes in, ZPL or a reason out.

#include <cstddef>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

enum class SuppliedLabelFormat { Zpl, Png, Pdf };

/// "zpl", "png" or "pdf" (any case).
Result<SuppliedLabelFormat> parse_supplied_label_format(std::string_view name);

/// Decoded bytes of a label the shop sent -> ZPL ready for the printer, or a specific reason.
/// ZPL must be one or more complete ^XA...^XZ formats with nothing but white space between them. PNG and
/// PDF (every page, at most kMaxSuppliedPages) are scaled to fill `size` keeping their proportions, turned
/// a quarter when their orientation differs from the stock's, and sent as one Z64-compressed ^GF graphic
/// per page. `max_bytes` limits the input.
Result<std::string> supplied_label_to_zpl(SuppliedLabelFormat format, std::string_view bytes,
                                          const LabelSize& size, std::size_t max_bytes);

/// The most pages of a supplied PDF that are printed; a longer document is refused, not cut.
inline constexpr int kMaxSuppliedPages = 20;

/// Checks that `zpl` is one or more complete ^XA...^XZ formats, with white space only between them, and
/// none of the commands that would change how the printer reads what follows (^CC ^CD ^CT and their ~
/// forms), store settings (^JU) or reset or clear the printer (~JR ~JA). Returns the reason it is not.
Status check_supplied_zpl(std::string_view zpl);

}  // namespace packd::fulfillment
