#include "packd/fulfillment/orders/returned_items.hpp"

#include <algorithm>
#include <map>

namespace packd::fulfillment {

namespace {

/// Units per SKU the lines still wait for.
std::map<std::string, int64_t> waiting(const std::vector<ReturnLine>& lines) {
    std::map<std::string, int64_t> out;
    for (const auto& l : lines) {
        out[l.sku] += std::max<int64_t>(l.quantity - l.received, 0);
    }
    return out;
}

}  // namespace

std::vector<ReturnedItem> against_return(const std::vector<ReturnLine>& lines,
                                         const std::vector<ReturnedItem>& items) {
    auto left = waiting(lines);
    std::vector<ReturnedItem> out;
    for (const auto& item : items) {
        int64_t& open = left[item.sku];
        const int64_t within = std::min(open, item.quantity);
        open -= within;
        if (within > 0) {
            ReturnedItem part = item;
            part.quantity = within;
            part.expected = true;
            out.push_back(part);
        }
        if (item.quantity > within) {
            ReturnedItem part = item;
            part.quantity = item.quantity - within;
            part.expected = false;
            out.push_back(part);
        }
    }
    return out;
}

int64_t still_expected(const std::vector<ReturnLine>& lines, const std::vector<ReturnedItem>& items,
                       const std::string& sku) {
    int64_t open = waiting(lines)[sku];
    for (const auto& item : against_return(lines, items)) {
        if (item.expected && item.sku == sku) {
            open -= item.quantity;
        }
    }
    return open;
}

}  // namespace packd::fulfillment
