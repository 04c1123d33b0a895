#pragma once
// The shipping label a packer sticks on a parcel: sender, recipient, carrier and service, the tracking
// barcode, order and weight, and a QR code with the tracking link. Its layout is config/labels/shipping.toml
// (label_template.hpp); label_data() in label_data.hpp gives the template this data by name.

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

}  // namespace packd::fulfillment
