// An order's history (order_history, schema 11), written with each change of its state, and the orders a
// searched text names.

#include <chrono>

#include "packd/fulfillment/orders/order_book.hpp"

namespace packd::fulfillment {
namespace {

/// At most `max` bytes of `text`, cut before a UTF-8 sequence rather than inside one.
std::string bounded(const std::string& text, size_t max) {
    if (text.size() <= max) {
        return text;
    }
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        --end;
    }
    return text.substr(0, end);
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

void OrderBook::record_history(const std::string& order_id, OrderState state, const std::string& detail,
                               const OrderActor& by) {
    // A hold reason a rule wrote, or a shop's event id, is the longest a detail gets; the bound keeps one
    // odd value from making a row of kilobytes.
    store_.db()
        .cached(
            "INSERT INTO order_history (order_id, at_ms, state, detail, station, operator) "
            "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, order_id)
        .bind(2, now_ms())
        .bind(3, to_string(state))
        .bind(4, bounded(detail, 500))
        .bind(5, bounded(by.station, 64))
        .bind(6, bounded(by.operator_name, 64))
        .run();
}

std::vector<OrderHistoryEntry> OrderBook::history(const std::string& order_id) {
    std::vector<OrderHistoryEntry> out;
    // By id: the order the rows were written in, which a clock set back does not change.
    auto& st = store_.db().cached(
        "SELECT at_ms, state, detail, station, operator FROM order_history WHERE order_id = ? ORDER BY id");
    st.bind(1, order_id);
    while (st.step()) {
        out.push_back(
            {st.int64(0), stored_order_state(order_id, st.text(1)), st.text(2), st.text(3), st.text(4)});
    }
    st.reset();
    return out;
}

std::vector<OrderMatch> OrderBook::find(const std::string& text, int limit) {
    std::vector<OrderMatch> out;
    if (text.empty() || limit <= 0) {
        return out;
    }
    // Each look-up is one index (the partial ones of tracking numbers need their `<> ''` spelled out to be
    // chosen). An order matched twice keeps its first way: by id, then by its own number, its shipments',
    // its labels', its return's.
    auto& st = store_.db().cached(
        "SELECT o.id, o.state, o.created_at, m.how, min(m.rank) AS best FROM ("
        " SELECT id AS order_id, 'id' AS how, 1 AS rank FROM orders WHERE id = ?1"
        " UNION ALL SELECT id, 'tracking_number', 2 FROM orders WHERE tracking_number = ?1 AND "
        "tracking_number "
        "<> ''"
        " UNION ALL SELECT order_id, 'shipment', 3 FROM shipments WHERE tracking_number = ?1 AND "
        "tracking_number <> ''"
        " UNION ALL SELECT order_id, 'tracking_number', 4 FROM print_jobs WHERE tracking_number = ?1 AND "
        "tracking_number <> ''"
        " UNION ALL SELECT order_id, 'return', 5 FROM returns WHERE tracking_number = ?1 AND tracking_number "
        "<> ''"
        ") m JOIN orders o ON o.id = m.order_id GROUP BY o.id ORDER BY best, o.created_at DESC, o.id "
        "LIMIT ?2");
    st.bind(1, text).bind(2, limit);
    while (st.step()) {
        out.push_back({st.text(0), stored_order_state(st.text(0), st.text(1)), st.text(2), st.text(3)});
    }
    st.reset();
    return out;
}

}  // namespace packd::fulfillment
