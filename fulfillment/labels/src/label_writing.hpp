#pragma once
// Internal to the label model: the layout and the ZPL one field at a time, as lay_out() and to_zpl() take
// a whole label, so a compiled template (label_template_render.cpp) writes exactly what to_zpl() writes.

#include <string>
#include <string_view>

#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// Appends what `field` puts on the label to `layout`, as lay_out() does for each field in turn.
void lay_out_field(LabelLayout& layout, const LabelField& field);

/// The ZPL before the fields: ^XA, UTF-8, the print width and length, the label home.
std::string zpl_header(const LabelSize& size);
inline constexpr std::string_view kZplFooter = "^XZ\n";

/// Appends the ZPL of one laid-out field.
void append_zpl(std::string& zpl, const LaidOutField& field);
/// Lays `field` out and appends its ZPL.
void append_zpl(std::string& zpl, const LabelField& field, const LabelSize& size);

}  // namespace packd::fulfillment
