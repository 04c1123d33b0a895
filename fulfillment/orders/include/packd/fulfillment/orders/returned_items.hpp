#pragma once
// What comes back in a return parcel, as a returns station takes it in: each item with the condition the
// operator found it in and where it went, and whether the return announced it. Pure: ReturnDesk books it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace packd::fulfillment {

/// One line of a return as the shop asked for it, and how many of it came back so far.
struct ReturnLine {
    std::string sku;
    int64_t quantity = 0;
    int64_t received = 0;
};

/// What the operator found a returned item fit for: back on the shelf, set aside to be looked at, or
/// thrown away. The words are the command barcodes' (lower case) and the store's.
enum class ReturnCondition { restock, quarantine, scrap };

constexpr std::string_view to_string(ReturnCondition condition) {
    switch (condition) {
        case ReturnCondition::restock:
            return "restock";
        case ReturnCondition::quarantine:
            return "quarantine";
        case ReturnCondition::scrap:
            return "scrap";
    }
    return "scrap";
}

/// The condition a word names ("restock" ...); nothing for any other word.
constexpr std::optional<ReturnCondition> return_condition_named(std::string_view word) {
    for (auto c : {ReturnCondition::restock, ReturnCondition::quarantine, ReturnCondition::scrap}) {
        if (to_string(c) == word) {
            return c;
        }
    }
    return std::nullopt;
}

/// One returned item as taken in.
struct ReturnedItem {
    std::string sku;
    int64_t quantity = 0;
    ReturnCondition condition = ReturnCondition::scrap;
    std::string location;   ///< where it was booked in; empty for scrap, which is not stock
    bool expected = false;  ///< on the return and within what its lines still wait for
};

/// The items marked expected as far as the return's lines still wait for their SKU, first come first
/// served; an item only partly within is split in two, the expected part first. Whatever `expected` the
/// items carried is ignored: the lines decide.
std::vector<ReturnedItem> against_return(const std::vector<ReturnLine>& lines,
                                         const std::vector<ReturnedItem>& items);

/// Units of `sku` the lines still wait for once `items` are in.
int64_t still_expected(const std::vector<ReturnLine>& lines, const std::vector<ReturnedItem>& items,
                       const std::string& sku);

}  // namespace packd::fulfillment
