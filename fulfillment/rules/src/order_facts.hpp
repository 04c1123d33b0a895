#pragma once
// What rules may ask of an order beyond what packd ships from: its total and currency, the buyer's email
// and billing address, the shop's risk level and tags. Read from the order's original payload, in the
// shape it came in (packd's own JSON, Shopify, WooCommerce); a field the shape does not carry stays empty.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/domain/address.hpp"

namespace packd::fulfillment {

struct OrderFacts {
    std::optional<double> total;
    std::string currency;
    std::string email;
    std::string customer;  ///< the shop's customer id
    std::string risk;      ///< "low", "medium", "high" where the shop says
    Address bill_to;
    std::vector<std::string> tags;
};

/// The facts of an order stored from `source` ("canonical", "shopify", "woocommerce"); nothing for a
/// payload that cannot be read.
OrderFacts order_facts(std::string_view source, std::string_view original);

}  // namespace packd::fulfillment
