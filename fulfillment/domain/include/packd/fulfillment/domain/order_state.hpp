#pragma once
// Where an order stands. The words are the ones the store's CHECK constraint, the shop's status messages
// and packctl use; inside packd an order's state is this enum, turned into its word only at those edges.
//
//   received -> accepted -> picking -> packed -> labelled -> shipped
//        \-> held (unknown SKU, not enough stock) -> accepted once stock is there
//   any state before shipped -> cancelled;  rejected by the shop.

#include <array>
#include <optional>
#include <string_view>

namespace packd::fulfillment {

enum class OrderState { received, accepted, held, picking, packed, labelled, shipped, cancelled, rejected };

inline constexpr std::array<OrderState, 9> kOrderStates = {
    OrderState::received, OrderState::accepted,  OrderState::held,
    OrderState::picking,  OrderState::packed,    OrderState::labelled,
    OrderState::shipped,  OrderState::cancelled, OrderState::rejected};

constexpr std::string_view to_string(OrderState state) {
    switch (state) {
        case OrderState::received:
            return "received";
        case OrderState::accepted:
            return "accepted";
        case OrderState::held:
            return "held";
        case OrderState::picking:
            return "picking";
        case OrderState::packed:
            return "packed";
        case OrderState::labelled:
            return "labelled";
        case OrderState::shipped:
            return "shipped";
        case OrderState::cancelled:
            return "cancelled";
        case OrderState::rejected:
            return "rejected";
    }
    return "received";
}

/// The state a word names; nothing for any other word.
constexpr std::optional<OrderState> order_state_named(std::string_view word) {
    for (auto state : kOrderStates) {
        if (to_string(state) == word) {
            return state;
        }
    }
    return std::nullopt;
}

/// Its place on the way forward from accepted (0) to shipped (4); -1 for received, held, cancelled and
/// rejected, which are not on that way.
constexpr int forward_rank(OrderState state) {
    switch (state) {
        case OrderState::accepted:
            return 0;
        case OrderState::picking:
            return 1;
        case OrderState::packed:
            return 2;
        case OrderState::labelled:
            return 3;
        case OrderState::shipped:
            return 4;
        default:
            return -1;
    }
}

/// Finished: nothing more happens to it but a late cancel being recorded.
constexpr bool is_final(OrderState state) {
    return state == OrderState::shipped || state == OrderState::cancelled || state == OrderState::rejected;
}

/// Still to be shipped: the order holds (or waits for) stock and counts as open.
constexpr bool is_open(OrderState state) {
    return !is_final(state);
}

}  // namespace packd::fulfillment
