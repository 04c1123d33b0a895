#pragma once
// The shipping label a packer sticks on a parcel: sender, recipient, carrier and service, the tracking
// barcode, order and weight, and a QR code with the tracking link. Its layout is config/labels/shipping.toml
// (label_template.hpp); label_data() in label_data.hpp gives the template this data by name.

#include <string>

#include "packd/fulfillment/domain/address.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

/// A postal address as the shop sends it; empty parts are left off the label.
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
