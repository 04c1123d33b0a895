#include "packd/fulfillment/orders/order_book.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

std::string word(OrderState state) {
    return std::string(to_string(state));
}

std::string address_json(const Address& a) {
    return json_text({{"name", a.name},
                      {"company", a.company},
                      {"street1", a.street1},
                      {"street2", a.street2},
                      {"city", a.city},
                      {"region", a.region},
                      {"postal_code", a.postal_code},
                      {"country", a.country}});
}

}  // namespace

OrderBook::OrderBook(Store& store, Inventory& inventory, Topics topics)
    : store_(store), inventory_(inventory), topics_(std::move(topics)) {}

std::vector<std::string> OrderBook::held_orders() {
    std::vector<std::string> out;
    // Orders a rule held wait for a rule or an operator, not for stock.
    auto st = store_.db().prepare(
        "SELECT id FROM orders WHERE state = 'held' AND hold_by = '' ORDER BY created_at, id");
    while (st.step()) {
        out.push_back(st.text(0));
    }
    return out;
}

std::string OrderBook::original_of(const std::string& order_id) {
    auto st = store_.db().prepare("SELECT original FROM orders WHERE id = ?");
    st.bind(1, order_id);
    return st.step() ? st.text(0) : std::string();
}

std::optional<OrderState> OrderBook::state_of(const std::string& order_id) {
    auto& st = store_.db().cached("SELECT state FROM orders WHERE id = ?");
    st.bind(1, order_id);
    if (!st.step()) {
        return std::nullopt;
    }
    const OrderState state = stored_order_state(order_id, st.text(0));
    st.reset();
    return state;
}

void OrderBook::set_state(const std::string& order_id, OrderState state, const std::string& hold_reason,
                          const StateNote& note) {
    const auto before = state_of(order_id);
    store_.db()
        .cached(
            "UPDATE orders SET state = ?1, hold_reason = ?2, hold_by = CASE WHEN ?1 = 'held' THEN hold_by "
            "ELSE '' "
            "END, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?3")
        .bind(1, to_string(state))
        .bind(2, hold_reason)
        .bind(3, order_id)
        .run();
    if (before != state || note.always) {
        record_history(order_id, state, note.detail.empty() ? hold_reason : note.detail, note.by);
    }
}

void OrderBook::emit(const char* trigger, const std::string& order_id, const std::string& event_id,
                     const std::string& reason) {
    DomainEvent e;
    e.trigger = trigger;
    e.order_id = order_id;
    e.event_id = event_id;
    e.reason = reason;
    store_.emit(std::move(e));
}

void OrderBook::queue_status(const std::string& order_id, OrderState state, const std::string& reason,
                             const std::string& event_id) {
    json status{{"order_id", order_id}, {"state", to_string(state)}};
    if (!reason.empty()) {
        status["reason"] = reason;
    }
    if (!event_id.empty()) {
        status["event_id"] = event_id;
    }
    store_.outbox_add(topics_.order_status(order_id), json_text(status), false);
    // Every change of state is a trigger of merchant rules ("order.accepted", "order.held", ...); a status
    // sent again for an order whose state stayed (an update after picking) is not.
    if (state_changed_) {
        emit(("order." + std::string(to_string(state))).c_str(), order_id, event_id, reason);
    }
}

std::vector<OrderQuantity> OrderBook::lines_of(const std::string& order_id) {
    std::vector<OrderQuantity> out;
    auto st =
        store_.db().prepare("SELECT sku, quantity FROM order_lines WHERE order_id = ? ORDER BY line_no");
    st.bind(1, order_id);
    while (st.step()) {
        out.push_back({st.text(0), st.int64(1)});
    }
    return out;
}

Result<OrderOutcome> OrderBook::create(const OrderEvent& ev, std::string_view original,
                                       std::string_view source) {
    if (state_of(ev.order_id)) {
        return fail("order " + ev.order_id + " exists already; event " + ev.event_id +
                    " would create it twice");
    }
    store_.db()
        .cached(
            "INSERT INTO orders (id, state, event_id, source, ship_to, carrier, service, original, "
            "tracking_number, created_at, updated_at) VALUES (?, 'received', ?, ?, ?, ?, ?, ?, ?, "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, ev.order_id)
        .bind(2, ev.event_id)
        .bind(3, source)
        .bind(4, address_json(ev.ship_to))
        .bind(5, ev.carrier)
        .bind(6, ev.service)
        .bind_blob(7, original)
        .bind(8, ev.tracking_number)
        .run();
    record_history(ev.order_id, OrderState::received, "event " + ev.event_id + " from " + std::string(source),
                   {});
    auto& line =
        store_.db().cached("INSERT INTO order_lines (order_id, line_no, sku, quantity) VALUES (?, ?, ?, ?)");
    int line_no = 0;
    std::vector<OrderQuantity> wanted;
    for (const auto& l : ev.lines) {
        line.bind(1, ev.order_id).bind(2, ++line_no).bind(3, l.sku).bind(4, l.quantity).run();
        wanted.push_back({l.sku, l.quantity});
    }
    OrderOutcome out;
    out.changed = true;
    if (auto reserved = inventory_.reserve(ev.order_id, wanted); reserved) {
        out.state = OrderState::accepted;
        out.needs_label = true;
    } else {
        out.state = OrderState::held;
        out.reason = reserved.error().message;
    }
    set_state(ev.order_id, out.state, out.reason, {});
    emit("order.received", ev.order_id, ev.event_id, "");
    queue_status(ev.order_id, out.state, out.reason, ev.event_id);
    return out;
}

Result<OrderOutcome> OrderBook::update(const OrderEvent& ev, std::string_view original,
                                       std::string_view source) {
    auto state = state_of(ev.order_id);
    if (!state) {
        return create(ev, original, source);
    }
    OrderOutcome out;
    out.state = *state;
    std::vector<OrderQuantity> wanted;
    for (const auto& l : ev.lines) {
        wanted.push_back({l.sku, l.quantity});
    }
    const std::vector<OrderQuantity> current = lines_of(ev.order_id);
    bool same_lines = current.size() == wanted.size();
    for (size_t i = 0; same_lines && i < current.size(); ++i) {
        same_lines = current[i].sku == wanted[i].sku && current[i].quantity == wanted[i].quantity;
    }
    std::string ship_to;
    std::string carrier;
    std::string service;
    std::string tracking;
    {
        auto& st =
            store_.db().cached("SELECT ship_to, carrier, service, tracking_number FROM orders WHERE id = ?");
        st.bind(1, ev.order_id);
        st.step();
        ship_to = st.text(0);
        carrier = st.text(1);
        service = st.text(2);
        tracking = st.text(3);
        st.reset();
    }
    if (same_lines && ship_to == address_json(ev.ship_to) && carrier == ev.carrier && service == ev.service &&
        (ev.tracking_number.empty() || ev.tracking_number == tracking)) {
        // Shops send updates for payment, tags, notes ...: nothing packd ships from has changed.
        out.reason = "no change to lines, address or carrier";
        return out;
    }
    if (*state == OrderState::cancelled || *state == OrderState::rejected) {
        out.reason = "order is " + word(*state) + "; the update is not applied";
        return out;
    }
    if (*state != OrderState::received && *state != OrderState::accepted && *state != OrderState::held) {
        out.reason = "update arrived after " + word(*state) + "; recorded, not applied";
        state_changed_ = false;
        queue_status(ev.order_id, *state, out.reason, ev.event_id);
        state_changed_ = true;
        store_.outbox_add(topics_.alerts(),
                          json_text({{"kind", "update_after_pick"},
                                     {"order_id", ev.order_id},
                                     {"state", to_string(*state)},
                                     {"event_id", ev.event_id}}),
                          false);
        return out;
    }
    inventory_.release(ev.order_id);
    store_.print_jobs_cancel_pending(ev.order_id);
    store_.db().cached("DELETE FROM order_lines WHERE order_id = ?").bind(1, ev.order_id).run();
    auto& line =
        store_.db().cached("INSERT INTO order_lines (order_id, line_no, sku, quantity) VALUES (?, ?, ?, ?)");
    int line_no = 0;
    for (const auto& l : ev.lines) {
        line.bind(1, ev.order_id).bind(2, ++line_no).bind(3, l.sku).bind(4, l.quantity).run();
    }
    store_.db()
        .cached(
            "UPDATE orders SET ship_to = ?, carrier = ?, service = ?, "
            "tracking_number = CASE WHEN ? = '' THEN tracking_number ELSE ? END WHERE id = ?")
        .bind(1, address_json(ev.ship_to))
        .bind(2, ev.carrier)
        .bind(3, ev.service)
        .bind(4, ev.tracking_number)
        .bind(5, ev.tracking_number)
        .bind(6, ev.order_id)
        .run();
    out.changed = true;
    if (auto reserved = inventory_.reserve(ev.order_id, wanted); reserved) {
        out.state = OrderState::accepted;
        out.needs_label = true;
        out.reason = "updated";
    } else {
        out.state = OrderState::held;
        out.reason = reserved.error().message;
    }
    // An applied update is a row of the history even when the order stays accepted (or held): its content
    // changed and its stock was reserved again.
    const bool held = out.state == OrderState::held;
    set_state(ev.order_id, out.state, held ? out.reason : "",
              {"updated by event " + ev.event_id + (held ? ": " + out.reason : ""), {}, true});
    emit("order.updated", ev.order_id, ev.event_id, "");
    queue_status(ev.order_id, out.state, out.reason, ev.event_id);
    return out;
}

Result<OrderOutcome> OrderBook::cancel(const std::string& order_id, const std::string& event_id) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("order " + order_id + " is not known here; nothing to cancel");
    }
    OrderOutcome out;
    out.state = *state;
    if (*state == OrderState::shipped) {
        store_.db()
            .cached("UPDATE orders SET late_cancel_event = ? WHERE id = ?")
            .bind(1, event_id)
            .bind(2, order_id)
            .run();
        out.reason = "cancel arrived after shipping; recorded, not applied";
        state_changed_ = false;
        queue_status(order_id, OrderState::shipped, out.reason, event_id);
        state_changed_ = true;
        store_.outbox_add(
            topics_.alerts(),
            json_text({{"kind", "cancel_after_ship"}, {"order_id", order_id}, {"event_id", event_id}}),
            false);
        return out;
    }
    if (*state == OrderState::cancelled || *state == OrderState::rejected) {
        out.reason = "order is " + word(*state) + " already";
        return out;
    }
    inventory_.release(order_id);
    store_.print_jobs_cancel_pending(order_id);
    set_state(order_id, OrderState::cancelled, "", {event_id.empty() ? "" : "event " + event_id, {}, false});
    queue_status(order_id, OrderState::cancelled, "", event_id);
    out.state = OrderState::cancelled;
    out.changed = true;
    return out;
}

Status OrderBook::advance(const std::string& order_id, OrderState to, const OrderActor& by) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    const int from_rank = forward_rank(*state);
    const int to_rank = forward_rank(to);
    if (to_rank < 1 || to == OrderState::shipped) {
        return fail("an order can be moved to picking, packed or labelled, not to " + word(to));
    }
    if (from_rank < 0 || from_rank >= to_rank) {
        return fail("order " + order_id + " is " + word(*state) + "; it cannot move to " + word(to));
    }
    set_state(order_id, to, "", {"", by, false});
    queue_status(order_id, to, "", "");
    return {};
}

Status OrderBook::hold(const std::string& order_id, const std::string& reason, const OrderActor& by) {
    return hold_as(order_id, reason, "", {"", by, false});
}

Status OrderBook::hold_as(const std::string& order_id, const std::string& reason, const std::string& held_by,
                          const StateNote& note) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    const int rank = forward_rank(*state);
    if (rank < 0 || rank > forward_rank(OrderState::packed)) {
        return fail("order " + order_id + " is " + word(*state) +
                    "; only accepted, picking or packed orders are held");
    }
    // A held order reserves nothing (retry_held reserves again), so what it held is free for others
    // meanwhile.
    inventory_.release(order_id);
    store_.print_jobs_cancel_pending(order_id);
    set_state(order_id, OrderState::held, reason, note);
    store_.db().cached("UPDATE orders SET hold_by = ? WHERE id = ?").bind(1, held_by).bind(2, order_id).run();
    queue_status(order_id, OrderState::held, reason, "");
    return {};
}

Result<OrderOutcome> OrderBook::retry_held(const std::string& order_id) {
    return accept_held(order_id, {"stock available", {}, false});
}

Result<OrderOutcome> OrderBook::accept_held(const std::string& order_id, const StateNote& note) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    OrderOutcome out;
    out.state = *state;
    if (*state != OrderState::held) {
        out.reason = "order is " + word(*state) + ", not held";
        return out;
    }
    auto reserved = inventory_.reserve(order_id, lines_of(order_id));
    if (!reserved) {
        out.reason = reserved.error().message;
        StateNote still = note;
        still.detail = note.always ? note.detail + "; still held: " + out.reason : "";
        set_state(order_id, OrderState::held, out.reason, still);
        return out;
    }
    set_state(order_id, OrderState::accepted, "", note);
    queue_status(order_id, OrderState::accepted, "", "");
    out.state = OrderState::accepted;
    out.changed = true;
    return out;
}

}  // namespace packd::fulfillment
