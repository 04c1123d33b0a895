#include "packd/fulfillment/orders/return_desk.hpp"

#include <algorithm>
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

std::optional<std::string> ReturnDesk::rma_with_tracking(const std::string& tracking_number) {
    if (tracking_number.empty()) {
        return std::nullopt;  // a return approved without a label has an empty number: it names none
    }
    return store_.db().text_of(
        "SELECT rma FROM returns WHERE tracking_number = ? ORDER BY updated_at DESC, rma LIMIT 1",
        tracking_number);
}

std::vector<ReturnLine> ReturnDesk::lines_of(const std::string& rma) {
    auto& st =
        store_.db().cached("SELECT sku, quantity, received FROM return_lines WHERE rma = ? ORDER BY line_no");
    st.bind(1, rma);
    std::vector<ReturnLine> out;
    while (st.step()) {
        out.push_back({st.text(0), st.int64(1), st.int64(2)});
    }
    st.reset();
    return out;
}

Status ReturnDesk::receive(const std::string& rma, const std::vector<ReturnedItem>& items,
                           const std::string& station, const std::string& operator_name) {
    std::string order_id;
    {
        auto st = store_.db().prepare("SELECT state, order_id FROM returns WHERE rma = ?");
        st.bind(1, rma);
        if (!st.step()) {
            return fail("return " + rma + " is unknown", ErrorCode::not_found);
        }
        const std::string state = st.text(0);
        if (state != "requested" && state != "approved") {
            return fail(
                "return " + rma + " is " + state + "; only a requested or approved return is received",
                ErrorCode::refused);
        }
        order_id = st.text(1);
    }
    if (items.empty()) {
        return fail("return " + rma + ": nothing came back to record", ErrorCode::invalid);
    }
    for (const auto& item : items) {
        if (item.quantity <= 0) {
            return fail("return " + rma + ": " + item.sku + " has quantity " + std::to_string(item.quantity) +
                            "; it must be at least 1",
                        ErrorCode::invalid);
        }
        // Scrap is recorded, not stocked; anything else is stock and so lies somewhere.
        if ((item.condition == ReturnCondition::scrap) != item.location.empty()) {
            return fail("return " + rma + ": " + item.sku + " for " + std::string(to_string(item.condition)) +
                            (item.location.empty() ? " needs the location it went to"
                                                   : " goes to no location, not " + item.location),
                        ErrorCode::invalid);
        }
    }
    const auto sorted = against_return(lines_of(rma), items);
    std::map<std::string, int64_t> expected_in;
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& item : sorted) {
        store_.db()
            .cached(
                std::string("INSERT INTO return_receipts (rma, sku, quantity, condition, location, expected, "
                            "station, operator, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ") +
                kNow + ")")
            .bind(1, rma)
            .bind(2, item.sku)
            .bind(3, item.quantity)
            .bind(4, std::string(to_string(item.condition)))
            .bind(5, item.location)
            .bind(6, item.expected ? 1 : 0)
            .bind(7, station)
            .bind(8, operator_name)
            .run();
        if (item.expected) {
            expected_in[item.sku] += item.quantity;
        }
        lines.push_back({{"sku", item.sku},
                         {"quantity", item.quantity},
                         {"condition", to_string(item.condition)},
                         {"location", item.location},
                         {"expected", item.expected}});
    }
    // The expected units fill the return's lines of their SKU in the shop's order.
    struct Open {
        int64_t line_no;
        std::string sku;
        int64_t room;
    };
    std::vector<Open> open;
    {
        auto st = store_.db().prepare(
            "SELECT line_no, sku, quantity - received FROM return_lines WHERE rma = ? ORDER BY line_no");
        st.bind(1, rma);
        while (st.step()) {
            open.push_back({st.int64(0), st.text(1), st.int64(2)});
        }
    }
    for (const auto& line : open) {
        int64_t& in = expected_in[line.sku];
        const int64_t take = std::min(in, line.room);
        if (take <= 0) {
            continue;
        }
        in -= take;
        store_.db()
            .cached("UPDATE return_lines SET received = received + ? WHERE rma = ? AND line_no = ?")
            .bind(1, take)
            .bind(2, rma)
            .bind(3, line.line_no)
            .run();
    }
    store_.db()
        .prepare(std::string("UPDATE returns SET state = 'received', updated_at = ") + kNow +
                 " WHERE rma = ?")
        .bind(1, rma)
        .run();
    publish_state(rma, order_id, "received",
                  {{"station", station}, {"operator", operator_name}, {"lines", std::move(lines)}});
    return {};
}

void ReturnDesk::publish_state(const std::string& rma, const std::string& order_id, const std::string& state,
                               nlohmann::json more) {
    nlohmann::json status{{"rma", rma}, {"order_id", order_id}, {"state", state}};
    status.update(more);
    store_.outbox_add(topics_.return_status(rma), status.dump(), false);
    DomainEvent e;
    e.trigger = "return." + state;
    e.rma = rma;
    e.order_id = order_id;
    if (auto reason = status.find("reason"); reason != status.end() && reason->is_string()) {
        e.reason = reason->get<std::string>();
    }
    store_.emit(std::move(e));
}

Status ReturnDesk::reject(const std::string& rma, const std::string& reason) {
    auto st = store_.db().prepare("SELECT state, order_id FROM returns WHERE rma = ?");
    st.bind(1, rma);
    if (!st.step()) {
        return fail("return " + rma + " is unknown");
    }
    const std::string state = st.text(0);
    const std::string order_id = st.text(1);
    if (state != "requested") {
        return fail("return " + rma + " is " + state + "; only a requested return can be rejected");
    }
    store_.db()
        .prepare(std::string("UPDATE returns SET state = 'rejected', updated_at = ") + kNow +
                 " WHERE rma = ?")
        .bind(1, rma)
        .run();
    publish_state(rma, order_id, "rejected", {{"reason", reason}});
    return {};
}

}  // namespace packd::fulfillment
