// What merchant rules change on an order: a hold of their own and its release, the route to a station or a
// printer, the carrier, tags, a return label in the parcel.

#include "packd/fulfillment/orders/order_book.hpp"

#include <algorithm>

namespace packd::fulfillment {

Status OrderBook::hold_for_rule(const std::string& order_id, const std::string& reason,
                                const std::string& rule) {
    if (auto state = state_of(order_id); state == OrderState::held) {
        return {};  // held already (by another rule, or for stock): one hold is enough
    }
    return hold_as(order_id, reason, "rule:" + rule, {reason + " (rule " + rule + ")", {}, false});
}

Result<OrderOutcome> OrderBook::release(const std::string& order_id, const OrderActor& by,
                                        const std::string& rule) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (*state != OrderState::held) {
        return fail("order " + order_id + " is " + std::string(to_string(*state)) + ", not held");
    }
    store_.db().cached("UPDATE orders SET hold_by = '' WHERE id = ?").bind(1, order_id).run();
    // A release is a row of the history even when the order stays held for want of stock.
    const std::string who = !rule.empty()               ? "rule " + rule
                            : !by.operator_name.empty() ? by.operator_name
                                                        : by.station;
    return accept_held(order_id, {who.empty() ? "released" : "released by " + who, by, true});
}

std::optional<OrderRouting> OrderBook::routing(const std::string& order_id) {
    auto& st = store_.db().cached(
        "SELECT carrier, service, route_station, route_printer, return_label, tags FROM orders WHERE id = ?");
    st.bind(1, order_id);
    if (!st.step()) {
        st.reset();
        return std::nullopt;
    }
    OrderRouting r{st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4) != 0, st.text(5)};
    st.reset();
    return r;
}

Status OrderBook::route(const std::string& order_id, const std::string& station, const std::string& printer) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (*state == OrderState::shipped || *state == OrderState::cancelled || *state == OrderState::rejected) {
        return fail("order " + order_id + " is " + std::string(to_string(*state)) + "; nothing to route");
    }
    store_.db()
        .cached(
            "UPDATE orders SET route_station = CASE WHEN ?1 = '' THEN route_station ELSE ?1 END, "
            "route_printer = CASE WHEN ?2 = '' THEN route_printer ELSE ?2 END WHERE id = ?3")
        .bind(1, station)
        .bind(2, printer)
        .bind(3, order_id)
        .run();
    if (!printer.empty()) {
        // A label still waiting goes to the printer the order is routed to.
        store_.db()
            .cached("UPDATE print_jobs SET printer = ? WHERE order_id = ? AND state = 'pending'")
            .bind(1, printer)
            .bind(2, order_id)
            .run();
    }
    return {};
}

Status OrderBook::set_carrier(const std::string& order_id, const std::string& carrier,
                              const std::string& service) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (forward_rank(*state) >= forward_rank(OrderState::labelled) || forward_rank(*state) < 0) {
        if (*state != OrderState::held) {
            return fail("order " + order_id + " is " + std::string(to_string(*state)) +
                        "; its carrier is set before it is labelled");
        }
    }
    if (carrier.empty() || carrier.size() > 64 || service.size() > 64) {
        return fail("a carrier is 1 to 64 bytes, a service at most 64");
    }
    store_.db()
        .cached(
            "UPDATE orders SET carrier = ?, service = CASE WHEN ? = '' THEN service ELSE ? END WHERE id = ?")
        .bind(1, carrier)
        .bind(2, service)
        .bind(3, service)
        .bind(4, order_id)
        .run();
    return {};
}

Status OrderBook::tag(const std::string& order_id, const std::string& tag) {
    if (tag.empty() || tag.size() > 40 || tag.find(',') != std::string::npos) {
        return fail("a tag is 1 to 40 bytes without a comma");
    }
    auto routing_now = routing(order_id);
    if (!routing_now) {
        return fail("unknown order " + order_id);
    }
    const std::string& tags = routing_now->tags;
    if (("," + tags + ",").find("," + tag + ",") != std::string::npos) {
        return {};
    }
    if (std::count(tags.begin(), tags.end(), ',') >= 19) {
        return fail("order " + order_id + " has 20 tags already");
    }
    store_.db()
        .cached("UPDATE orders SET tags = ? WHERE id = ?")
        .bind(1, tags.empty() ? tag : tags + "," + tag)
        .bind(2, order_id)
        .run();
    return {};
}

Status OrderBook::want_return_label(const std::string& order_id) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (*state == OrderState::shipped || *state == OrderState::cancelled || *state == OrderState::rejected) {
        return fail("order " + order_id + " is " + std::string(to_string(*state)) + "; its parcel has gone");
    }
    store_.db().cached("UPDATE orders SET return_label = 1 WHERE id = ?").bind(1, order_id).run();
    return {};
}

}  // namespace packd::fulfillment
