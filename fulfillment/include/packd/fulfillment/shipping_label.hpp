#pragma once
// The shipping label a packer sticks on a parcel: sender, recipient, carrier and service, the tracking
// barcode, order and weight, and a QR code with the tracking link.

#include <string>

#include "packd/fulfillment/label.hpp"

namespace packd::fulfillment {

/// A postal address as the shop sends it; empty parts are left off the label.
struct Address {
    std::string name;
    std::string company;
    std::string street1;
    std::string street2;
    std::string city;
    std::string
        region;  // state or province; when set the city line reads "City, RG 12345", else "12345 City"
    std::string postal_code;
    std::string country;
};

/// Everything printed on one shipping label.
struct ShippingLabelData {
    std::string order_id;
    Address ship_from;
    Address ship_to;
    std::string carrier;
    std::string service;
    std::string tracking_number;  // Code 128; no barcode when empty
    int weight_grams = 0;         // not printed when zero or less
    std::string tracking_url;     // QR code, printable ASCII (percent-encoded); none when empty
};

/// Lays out a classic 4x6 shipping label scaled to `size` (any stock of roughly that shape, at any
/// resolution): the ship-from block small at the top, a large SHIP TO block, carrier and service, the
/// tracking barcode with its number underneath, order id, weight and the tracking QR code. Line breaks and
/// other control characters in the data print as spaces. Check the result with validate() (render_bitmap
/// does): a tracking number or link the barcodes cannot carry makes it fail.
Label shipping_label(const ShippingLabelData& data, LabelSize size);

}  // namespace packd::fulfillment
