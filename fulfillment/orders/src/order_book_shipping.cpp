// Shipping an order: its ship movements, the shipment row and the messages for the shop, the check of the
// parcel's weight, and the tracking number it ships under.

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/weighing/parcel_weight.hpp"

namespace packd::fulfillment {
namespace {

/// "DHL JJD1, 800 g": what the history says of a shipment.
std::string shipment_text(const ShipmentInfo& s) {
    std::string out = s.carrier;
    if (!s.tracking_number.empty()) {
        out += (out.empty() ? "" : " ") + s.tracking_number;
    }
    if (s.weight_g > 0) {
        out += (out.empty() ? "" : ", ") + std::to_string(s.weight_g) + " g";
    }
    return out;
}

}  // namespace

Result<int64_t> OrderBook::ship(const std::string& order_id, const ShipmentInfo& shipment) {
    auto state = state_of(order_id);
    if (!state) {
        return fail("unknown order " + order_id);
    }
    if (forward_rank(*state) < 0 || *state == OrderState::shipped) {
        return fail("order " + order_id + " is " + std::string(to_string(*state)) +
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
    set_state(order_id, OrderState::shipped, "", {shipment_text(s), {s.station, s.operator_name}, false});
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
