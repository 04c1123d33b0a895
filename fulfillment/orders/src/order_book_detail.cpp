// An order as packctl and the stations show it: its row, lines, reservations, shipments and history.

#include "packd/fulfillment/orders/order_book.hpp"

namespace packd::fulfillment {

std::optional<OrderDetail> OrderBook::detail(const std::string& order_id) {
    auto st = store_.db().prepare(
        "SELECT id, state, carrier, service, created_at, event_id, source, ship_to, hold_reason, "
        "late_cancel_event "
        "FROM orders WHERE id = ?");
    st.bind(1, order_id);
    if (!st.step()) {
        return std::nullopt;
    }
    OrderDetail d;
    d.row = {st.text(0), stored_order_state(st.text(0), st.text(1)), st.text(2), st.text(3), st.text(4), 0};
    d.event_id = st.text(5);
    d.source = st.text(6);
    d.ship_to_json = st.text(7);
    d.hold_reason = st.text(8);
    d.late_cancel_event = st.text(9);
    for (auto& l : lines_of(order_id)) {
        d.lines.push_back({l.sku, l.quantity});
    }
    d.row.lines = static_cast<int>(d.lines.size());
    auto r = store_.db().prepare("SELECT sku, quantity FROM reservations WHERE order_id = ? ORDER BY sku");
    r.bind(1, order_id);
    while (r.step()) {
        d.reserved.push_back({r.text(0), r.int64(1)});
    }
    auto sh = store_.db().prepare(
        "SELECT carrier, tracking_number, weight_g, label_ref FROM shipments WHERE order_id = ? ORDER BY id");
    sh.bind(1, order_id);
    while (sh.step()) {
        ShipmentInfo s;
        s.carrier = sh.text(0);
        s.tracking_number = sh.text(1);
        s.weight_g = sh.int64(2);
        s.label_ref = sh.text(3);
        d.shipments.push_back(s);
    }
    d.timeline = history(order_id);
    return d;
}

}  // namespace packd::fulfillment
