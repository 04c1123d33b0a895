#pragma once
// What each label kind prints, as the data a template names: the shipping label from an order, the return
// label from an approved return, pick lists of orders, and GS1 logistics (SSCC) labels.

#include <cstdint>
#include <string>
#include <vector>

#include "packd/fulfillment/labels/label_template.hpp"
#include "packd/fulfillment/labels/shipping_label.hpp"

namespace packd::fulfillment {

/// A return label: from the customer back to the warehouse, with the RMA as a Code 128.
struct ReturnLabelData {
    std::string rma;
    std::string order_id;
    Address from;       ///< the customer (the order's ship-to)
    Address return_to;  ///< the warehouse
    std::string carrier;
    std::string tracking_number;
};

/// One line to pick: where, what and how many.
struct PickLine {
    std::string order_id;
    std::string location;
    std::string sku;
    std::string name;
    int64_t quantity = 0;
};

/// A pick list of one order or a batch of orders.
struct PickListData {
    std::string title;  ///< "Order 1042" or "Batch of 3 orders"
    std::vector<std::string> order_ids;
    std::vector<PickLine> lines;
};

/// A GS1 logistics label for one carton or pallet: the SSCC and, where known, the contents.
struct SsccLabelData {
    std::string sscc;      ///< 18 digits, check digit included
    std::string gtin;      ///< (02) GTIN of the contained trade items, 14 digits; empty: left out
    std::string count;     ///< (37) how many of them; empty: left out
    std::string order_id;  ///< (400) the customer's order number; empty: left out
    std::string carrier;
    Address ship_from;
    Address ship_to;
    std::string carton;  ///< "1 of 3"
};

LabelData label_data(const ShippingLabelData& data);
LabelData label_data(const ReturnLabelData& data);
LabelData label_data(const PickListData& data);
LabelData label_data(const SsccLabelData& data);

}  // namespace packd::fulfillment
