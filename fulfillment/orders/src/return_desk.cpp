#include "packd/fulfillment/orders/return_desk.hpp"

#include <map>
#include <nlohmann/json.hpp>

namespace packd::fulfillment {

namespace {
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
}  // namespace

ReturnDesk::ReturnDesk(Store& store, OrderBook& orders, Topics topics)
    : store_(store), orders_(orders), topics_(std::move(topics)) {}

std::optional<std::string> ReturnDesk::state_of(const std::string& rma) {
    auto st = store_.db().prepare("SELECT state FROM returns WHERE rma = ?");
    st.bind(1, rma);
    if (!st.step()) {
        return std::nullopt;
    }
    return st.text(0);
}

Status ReturnDesk::request(const ReturnEvent& ev) {
    if (auto state = state_of(ev.rma)) {
        return fail("return " + ev.rma + " exists already (" + *state + "); event " + ev.event_id +
                    " would request it twice");
    }
    const auto order_state = orders_.state_of(ev.order_id);
    if (!order_state) {
        return fail("return " + ev.rma + ": unknown order " + ev.order_id);
    }
    if (*order_state != OrderState::shipped) {
        return fail("return " + ev.rma + ": order " + ev.order_id + " is " +
                    std::string(to_string(*order_state)) + ", not shipped; nothing to return yet");
    }
    std::map<std::string, int64_t> shipped;
    for (const auto& line : orders_.lines_of(ev.order_id)) {
        shipped[line.sku] += line.quantity;
    }
    std::map<std::string, int64_t> wanted;
    for (const auto& line : ev.lines) {
        wanted[line.sku] += line.quantity;
    }
    for (const auto& [sku, quantity] : wanted) {
        const auto it = shipped.find(sku);
        if (it == shipped.end()) {
            return fail("return " + ev.rma + ": order " + ev.order_id + " has no " + sku.substr(0, 64));
        }
        if (quantity > it->second) {
            return fail("return " + ev.rma + ": " + std::to_string(quantity) + " x " + sku +
                        " wanted back, order " + ev.order_id + " shipped " + std::to_string(it->second));
        }
    }
    store_.db()
        .prepare(
            std::string("INSERT INTO returns (rma, order_id, state, created_at, updated_at) VALUES (?, ?, "
                        "'requested', ") +
            kNow + ", " + kNow + ")")
        .bind(1, ev.rma)
        .bind(2, ev.order_id)
        .run();
    int64_t line_no = 0;
    for (const auto& line : ev.lines) {
        store_.db()
            .prepare("INSERT INTO return_lines (rma, line_no, sku, quantity) VALUES (?, ?, ?, ?)")
            .bind(1, ev.rma)
            .bind(2, ++line_no)
            .bind(3, line.sku)
            .bind(4, line.quantity)
            .run();
    }
    publish_state(ev.rma, ev.order_id, "requested");
    return {};
}

Result<std::string> ReturnDesk::approve(const ReturnEvent& ev) {
    auto st = store_.db().prepare("SELECT state, order_id FROM returns WHERE rma = ?");
    st.bind(1, ev.rma);
    if (!st.step()) {
        return fail("return " + ev.rma + " is unknown; it must be requested before it is approved");
    }
    const std::string state = st.text(0);
    const std::string order_id = st.text(1);
    if (state != "requested") {
        return fail("return " + ev.rma + " is " + state + "; only a requested return can be approved");
    }
    store_.db()
        .prepare(std::string("UPDATE returns SET state = 'approved', tracking_number = ?, updated_at = ") +
                 kNow + " WHERE rma = ?")
        .bind(1, ev.tracking_number)
        .bind(2, ev.rma)
        .run();
    publish_state(ev.rma, order_id, "approved");
    return order_id;
}

void ReturnDesk::publish_state(const std::string& rma, const std::string& order_id,
                               const std::string& state) {
    const nlohmann::json status{{"rma", rma}, {"order_id", order_id}, {"state", state}};
    store_.outbox_add(topics_.return_status(rma), status.dump(), false);
}

}  // namespace packd::fulfillment
