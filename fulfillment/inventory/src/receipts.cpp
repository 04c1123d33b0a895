#include "packd/fulfillment/inventory/receipts.hpp"

#include <nlohmann/json.hpp>

namespace packd::fulfillment {

using nlohmann::json;

Receipts::Receipts(Store& store, Inventory& inventory, Topics topics)
    : store_(store), inventory_(inventory), topics_(std::move(topics)) {}

std::optional<std::string> Receipts::state_of(const std::string& receipt) {
    return store_.db().text_of("SELECT state FROM receipts WHERE id = ?", receipt);
}

std::vector<ReceiptLine> Receipts::lines_of(const std::string& receipt) {
    auto& st = store_.db().cached("SELECT sku, expected FROM receipt_lines WHERE receipt = ? ORDER BY rowid");
    st.bind(1, receipt);
    std::vector<ReceiptLine> out;
    while (st.step()) {
        out.push_back({st.text(0), st.int64(1)});
    }
    st.reset();
    return out;
}

Status Receipts::apply(const ReceiptEvent& ev) {
    const auto state = state_of(ev.receipt);
    if (ev.type == "receipt.cancelled") {
        if (!state) {
            return fail("receipt " + ev.receipt + ": unknown, nothing to cancel");
        }
        if (*state != "expected") {
            return fail("receipt " + ev.receipt + " is " + *state +
                        "; only an expected delivery is cancelled");
        }
        store_.db()
            .cached(
                "UPDATE receipts SET state = 'cancelled', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                "WHERE id = ?")
            .bind(1, ev.receipt)
            .run();
        return {};
    }
    if (state && *state != "expected") {
        return fail("receipt " + ev.receipt + " is " + *state + " already; its lines are not changed");
    }
    std::map<std::string, int64_t> wanted;
    for (const auto& line : ev.lines) {
        if (!inventory_.product(line.sku)) {
            return fail("receipt " + ev.receipt + ": unknown SKU " + line.sku);
        }
        wanted[line.sku] += line.quantity;
    }
    store_.db()
        .cached(
            "INSERT INTO receipts (id, supplier, state, created_at, updated_at) VALUES (?1, ?2, 'expected', "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT (id) DO "
            "UPDATE SET supplier = ?2, updated_at = excluded.updated_at")
        .bind(1, ev.receipt)
        .bind(2, ev.supplier)
        .run();
    store_.db().cached("DELETE FROM receipt_lines WHERE receipt = ?").bind(1, ev.receipt).run();
    for (const auto& line : ev.lines) {
        auto it = wanted.find(line.sku);
        if (it == wanted.end()) {
            continue;  // a SKU named twice is one line of the summed quantity
        }
        store_.db()
            .cached("INSERT INTO receipt_lines (receipt, sku, expected) VALUES (?, ?, ?)")
            .bind(1, ev.receipt)
            .bind(2, line.sku)
            .bind(3, it->second)
            .run();
        wanted.erase(it);
    }
    return {};
}

void Receipts::report(const std::string& receipt, const std::map<std::string, int64_t>& received,
                      const std::string& station, const std::string& operator_name) {
    json lines = json::array();
    std::map<std::string, int64_t> left = received;
    int64_t differences = 0;
    for (const auto& line : lines_of(receipt)) {
        const auto it = left.find(line.sku);
        const int64_t got = it == left.end() ? 0 : it->second;
        if (it != left.end()) {
            left.erase(it);
        }
        differences += got != line.expected ? 1 : 0;
        lines.push_back({{"sku", line.sku},
                         {"expected", line.expected},
                         {"received", got},
                         {"difference", got - line.expected}});
    }
    for (const auto& [sku, got] : left) {
        ++differences;
        lines.push_back({{"sku", sku}, {"expected", 0}, {"received", got}, {"difference", got}});
    }
    store_.db()
        .cached(
            "UPDATE receipts SET state = 'received', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
            "WHERE id = ?")
        .bind(1, receipt)
        .run();
    const json message = {{"receipt", receipt},        {"state", "received"},        {"station", station},
                          {"operator", operator_name}, {"differences", differences}, {"lines", lines}};
    store_.outbox_add(topics_.receipt_status(receipt), message.dump(), false);
}

}  // namespace packd::fulfillment
