#include "packd/fulfillment/orders/order_book.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/weighing/parcel_weight.hpp"

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

void OrderBook::set_state(const std::string& order_id, OrderState state, const std::string& hold_reason) {
    store_.db()
        .cached(
            "UPDATE orders SET state = ?1, hold_reason = ?2, hold_by = CASE WHEN ?1 = 'held' THEN hold_by "
            "ELSE '' "
            "END, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?3")
        .bind(1, to_string(state))
        .bind(2, hold_reason)
        .bind(3, order_id)
        .run();
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
    set_state(ev.order_id, out.state, out.reason);
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
    set_state(ev.order_id, out.state, out.state == OrderState::held ? out.reason : "");
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
    set_state(order_id, OrderState::cancelled, "");
    queue_status(order_id, OrderState::cancelled, "", event_id);
    out.state = OrderState::cancelled;
    out.changed = true;
    return out;
}

Status OrderBook::advance(const std::string& order_id, OrderState to) {
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
    set_state(order_id, to, "");
    queue_status(order_id, to, "", "");
    return {};
}

Status OrderBook::hold(const std::string& order_id, const std::string& reason) {
    return hold_as(order_id, reason, "");
}

Status OrderBook::hold_as(const std::string& order_id, const std::string& reason,
                          const std::string& held_by) {
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
    set_state(order_id, OrderState::held, reason);
    store_.db().cached("UPDATE orders SET hold_by = ? WHERE id = ?").bind(1, held_by).bind(2, order_id).run();
    queue_status(order_id, OrderState::held, reason, "");
    return {};
}

Result<OrderOutcome> OrderBook::retry_held(const std::string& order_id) {
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
        set_state(order_id, OrderState::held, out.reason);
        return out;
    }
    set_state(order_id, OrderState::accepted, "");
    queue_status(order_id, OrderState::accepted, "", "");
    out.state = OrderState::accepted;
    out.changed = true;
    return out;
}

Result<int64_t> OrderBook::ship(const std::string& order_id, const ShipmentInfo& shipment) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (forward_rank(*state) < 0 || *state == OrderState::shipped) {
        return fail("order " + order_id + " is " + word(*state) +
                    "; only accepted, picking, packed or labelled orders ship");
    }
    ShipmentInfo s = shipment;
    // A shipment without its own carrier or tracking number goes out under the order's: the ones its
    // label was printed with.
    if (s.carrier.empty() || s.tracking_number.empty()) {
        auto& st = store_.db().cached("SELECT carrier, tracking_number FROM orders WHERE id = ?");
        st.bind(1, order_id);
        st.step();
        if (s.carrier.empty()) {
            s.carrier = st.text(0);
        }
        if (s.tracking_number.empty()) {
            s.tracking_number = st.text(1);
        }
        st.reset();
    }
    if (s.weight_g < 0 || s.tracking_number.size() > 64 || s.carrier.size() > 64) {
        return fail("shipment of order " + order_id +
                    ": weight must not be negative, carrier and tracking number "
                    "at most 64 characters");
    }
    if (auto shipped = inventory_.ship(order_id, s.station, s.operator_name); !shipped) {
        return shipped.error();
    }
    try {
        store_.db()
            .cached(
                "INSERT INTO shipments (order_id, carrier, tracking_number, weight_g, label_ref, created_at, "
                "shipped_at) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
                "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
            .bind(1, order_id)
            .bind(2, s.carrier)
            .bind(3, s.tracking_number)
            .bind(4, s.weight_g)
            .bind(5, s.label_ref)
            .run();
    } catch (const SqliteError& e) {
        if (e.code() == SQLITE_CONSTRAINT_UNIQUE) {
            return fail("tracking number " + s.tracking_number + " of " + s.carrier +
                        " is used by another shipment");
        }
        throw;
    }
    const int64_t id = store_.db().last_insert_rowid();
    auto& when = store_.db().cached("SELECT shipped_at FROM shipments WHERE id = ?");
    when.bind(1, id);
    when.step();
    const std::string shipped_at = when.text(0);
    when.reset();
    set_state(order_id, OrderState::shipped, "");
    store_.outbox_add(topics_.shipments(),
                      json_text({{"order_id", order_id},
                                 {"carrier", s.carrier},
                                 {"tracking_number", s.tracking_number},
                                 {"weight_g", s.weight_g},
                                 {"shipped_at", shipped_at},
                                 {"shipment_id", id}}),
                      false);
    queue_status(order_id, OrderState::shipped, "", "");
    check_weight(order_id, s.weight_g);
    return id;
}

Status OrderBook::set_tracking(const std::string& order_id, const std::string& tracking_number) {
    if (tracking_number.empty() || tracking_number.size() > 64) {
        return fail("tracking number for order " + order_id + " must be 1 to 64 characters");
    }
    auto& st = store_.db().cached("UPDATE orders SET tracking_number = ? WHERE id = ?");
    st.bind(1, tracking_number).bind(2, order_id).run();
    if (store_.db().changes() == 0) {
        return fail("unknown order " + order_id);
    }
    return {};
}

std::optional<std::string> OrderBook::tracking_of(const std::string& order_id) {
    return store_.db().text_of("SELECT tracking_number FROM orders WHERE id = ?", order_id);
}

std::optional<std::string> OrderBook::order_with_tracking(const std::string& tracking_number) {
    if (tracking_number.empty()) {
        return std::nullopt;
    }
    // Newest first: a number reused by a carrier years later belongs to the recent order.
    return store_.db().text_of(
        "SELECT id FROM orders WHERE tracking_number = ? ORDER BY created_at DESC LIMIT 1", tracking_number);
}

int64_t OrderBook::items_weight_g(const std::string& order_id) {
    int64_t items_g = 0;
    for (const auto& line : lines_of(order_id)) {
        if (auto p = inventory_.product(line.sku)) {
            items_g += p->unit_weight_g * line.quantity;
        }
    }
    return items_g;
}

void OrderBook::check_weight(const std::string& order_id, int64_t weight_g) {
    if (weight_g <= 0) {
        return;
    }
    const int64_t items_g = items_weight_g(order_id);
    drivers::WeightReading reading;
    reading.milligrams = weight_g * 1000;
    reading.stable = true;
    const ParcelWeightCheck check = check_parcel_weight(items_g, reading);
    if (check.verdict != ParcelWeightCheck::Verdict::too_light &&
        check.verdict != ParcelWeightCheck::Verdict::too_heavy) {
        return;
    }
    // The parcel has gone; a person should look at what was in it.
    log::warning("order " + order_id + " shipped at " + std::to_string(weight_g) + " g: " + check.reason);
    store_.outbox_add(topics_.alerts(),
                      json_text({{"kind", "weight_mismatch"},
                                 {"order_id", order_id},
                                 {"expected_g", check.expected_g},
                                 {"measured_g", check.measured_g},
                                 {"allowed_g", check.allowed_g},
                                 {"reason", check.reason}}),
                      false);
    DomainEvent e;
    e.trigger = "order.weight_mismatch";
    e.order_id = order_id;
    e.reason = check.reason;
    e.quantity = check.measured_g - check.expected_g;
    store_.emit(std::move(e));
}

}  // namespace packd::fulfillment
