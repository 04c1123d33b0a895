// The 4x6 shipping label. Every position and size is a fraction of the stock, so the same layout prints on
// 4x6" and 100x150 mm stock at 203 or 300 dpi.

#include "packd/fulfillment/shipping_label.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace packd::fulfillment {
namespace {

// A newline typed into a checkout form must not break the label's lines: control characters become spaces.
std::string single_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            c = ' ';
        }
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) {
        return {};
    }
    return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::string join(std::initializer_list<std::string_view> parts, std::string_view separator) {
    std::string out;
    for (const std::string_view part : parts) {
        if (part.empty()) {
            continue;
        }
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

// "Springfield, IL 62704" where a region is given (North America, Australia), else "80331 München".
std::string city_line(const Address& address) {
    const std::string city = single_line(address.city);
    const std::string region = single_line(address.region);
    const std::string postal_code = single_line(address.postal_code);
    if (region.empty()) {
        return join({postal_code, city}, " ");
    }
    return join({city, join({region, postal_code}, " ")}, ", ");
}

struct AddressLine {
    std::string text;
    bool emphasised;
};

std::vector<AddressLine> address_lines(const Address& address) {
    std::vector<AddressLine> lines{{single_line(address.name), true},
                                   {single_line(address.company), false},
                                   {single_line(address.street1), false},
                                   {single_line(address.street2), false},
                                   {city_line(address), true},
                                   {single_line(address.country), true}};
    std::erase_if(lines, [](const AddressLine& line) { return line.text.empty(); });
    return lines;
}

std::string weight_text(int grams) {
    const int hundredths = (grams + 5) / 10;  // of a kilogram, rounded
    const int fraction = hundredths % 100;
    return std::to_string(hundredths / 100) + (fraction < 10 ? ".0" : ".") + std::to_string(fraction) + " kg";
}

class ShippingLabelLayout {
  public:
    explicit ShippingLabelLayout(LabelSize size)
        : width_(size.width_dots),
          height_(size.height_dots),
          margin_(across(0.03)),
          gap_(std::max(2, down(0.008))),
          rule_(std::max(2, across(0.004))),
          small_(font(0.020)),
          medium_(font(0.028)),
          large_(font(0.034)),
          huge_(font(0.050)),
          label_{size, {}} {}

    Label build(const ShippingLabelData& data) {
        int y = margin_;
        ship_from_and_weight(data, y);
        y += lines(small_, 6) + gap_;
        rule(y);
        ship_to(data.ship_to, y);
        rule(y);
        text(margin_, y, huge_, content_width(), single_line(data.carrier), true);
        y += line(huge_);
        text(margin_, y, large_, content_width(), single_line(data.service), true);
        y += line(large_) + gap_;
        rule(y);
        tracking(data.tracking_number, y);
        rule(y);
        order_and_link(data, y);
        return std::move(label_);
    }

  private:
    int across(double fraction) const { return static_cast<int>(std::lround(width_ * fraction)); }
    int down(double fraction) const { return static_cast<int>(std::lround(height_ * fraction)); }
    // The printer's scalable font needs at least 10 dots.
    int font(double fraction) const { return std::max(10, down(fraction)); }
    static int line(int font_height) { return static_cast<int>(std::lround(font_height * 1.25)); }
    static int lines(int font_height, int count) { return line(font_height) * count; }
    int content_width() const { return width_ - 2 * margin_; }

    void text(int x, int y, int font_height, int max_width, std::string content, bool bold) {
        if (!content.empty()) {
            label_.fields.emplace_back(TextField{x, y, font_height, max_width, std::move(content), bold});
        }
    }

    // A full-width rule at y; y moves below it.
    void rule(int& y) {
        label_.fields.emplace_back(BoxField{margin_, y, content_width(), rule_, rule_});
        y += rule_ + gap_;
    }

    void ship_from_and_weight(const ShippingLabelData& data, int y) {
        const int column = across(0.60);
        const auto from = address_lines(data.ship_from);
        for (std::size_t i = 0; i < from.size(); ++i) {
            text(margin_, y + lines(small_, static_cast<int>(i)), small_, column, from[i].text, i == 0);
        }
        if (data.weight_grams > 0) {
            const int x = margin_ + column + gap_;
            const int width = width_ - margin_ - x;
            text(x, y, small_, width, "WEIGHT", true);
            text(x, y + line(small_), large_, width, weight_text(data.weight_grams), true);
        }
    }

    void ship_to(const Address& address, int& y) {
        text(margin_, y, small_, content_width(), "SHIP TO:", true);
        y += line(small_);
        const int indent = across(0.05);
        const auto to = address_lines(address);
        for (std::size_t i = 0; i < to.size(); ++i) {
            text(margin_ + indent, y + lines(large_, static_cast<int>(i)), large_, content_width() - indent,
                 to[i].text, to[i].emphasised);
        }
        y += lines(large_, 6) + gap_;
    }

    void tracking(const std::string& number, int& y) {
        if (number.empty()) {
            return;
        }
        text(margin_, y, small_, content_width(), "TRACKING #", true);
        y += line(small_) + gap_;
        // About 0.4 mm modules, narrower when the number is long, and 10 modules of quiet zone either side
        // (ISO/IEC 15417). A number Code 128 cannot carry still gets a field, so validate() reports it.
        constexpr int kQuietModules = 10;
        const auto symbol = encode_barcode(BarcodeKind::Code128, number);
        const int modules = symbol ? symbol->width : 11 * (static_cast<int>(number.size()) + 3) + 2;  // all B
        const int preferred = std::max(1, label_.size.dots_from_mm(0.4));
        const int module =
            std::clamp(std::min(preferred, content_width() / (modules + 2 * kQuietModules)), 1, 10);
        BarcodeField barcode{BarcodeKind::Code128,
                             margin_ + std::max(0, (content_width() - modules * module) / 2),
                             y,
                             module,
                             down(0.10),
                             number,
                             true};
        y += barcode.height + gap_;
        if (const auto placed = place_barcode(barcode); placed && placed->human_readable) {
            y = placed->human_readable->y + line(placed->human_readable->height);
        }
        label_.fields.emplace_back(std::move(barcode));
    }

    void order_and_link(const ShippingLabelData& data, int y) {
        const int band = height_ - margin_ - y;
        int text_right = width_ - margin_;
        if (!data.tracking_url.empty()) {
            // Modules as large as the band allows (the printer takes up to 10 dots), 4 modules of quiet zone
            // (ISO/IEC 18004). A link QR cannot carry still gets a field, sized as the smallest symbol, so
            // validate() reports it.
            constexpr int kQuietModules = 4;
            const auto symbol = encode_barcode(BarcodeKind::QrCode, data.tracking_url);
            const int modules = symbol ? symbol->width : 21;
            const int side = std::min(band, across(0.36));
            const int module = std::clamp(side / (modules + 2 * kQuietModules), 1, 10);
            const int x = width_ - std::max(margin_, kQuietModules * module) - modules * module;
            label_.fields.emplace_back(BarcodeField{BarcodeKind::QrCode, x,
                                                    y + std::max(0, band - modules * module) / 2, module, 0,
                                                    data.tracking_url, false});
            text_right = x - kQuietModules * module;
        }
        const int width = text_right - margin_;
        text(margin_, y, small_, width, "ORDER", true);
        text(margin_, y + line(small_), medium_, width, single_line(data.order_id), true);
    }

    int width_;
    int height_;
    int margin_;
    int gap_;
    int rule_;
    int small_;
    int medium_;
    int large_;
    int huge_;
    Label label_;
};

}  // namespace

Label shipping_label(const ShippingLabelData& data, LabelSize size) {
    return ShippingLabelLayout(size).build(data);
}

}  // namespace packd::fulfillment
