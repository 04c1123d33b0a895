#include "packd/fulfillment/inventory/inventory.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "inventory_checks.hpp"

namespace packd::fulfillment {

using namespace inventory_detail;
using nlohmann::json;

namespace {
/// Milliseconds since 1970 in SQL.
constexpr std::string_view kNowMs = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}  // namespace

void Inventory::stock_changed(const std::string& sku) {
    republish(sku);
    check_reorder(sku);
    if (store_.wants("stock.out") || store_.wants("stock.back")) {
        check_out_of_stock(sku);
    }
}

void Inventory::check_out_of_stock(const std::string& sku) {
    auto& flag = store_.db().cached("SELECT out_of_stock FROM products WHERE sku = ?");
    flag.bind(1, sku);
    if (!flag.step()) {
        flag.reset();
        return;
    }
    const bool was_out = flag.int64(0) != 0;
    flag.reset();
    const StockLevel l = level(sku);
    const bool out = l.available <= 0;
    if (out == was_out) {
        return;
    }
    store_.db()
        .cached("UPDATE products SET out_of_stock = ? WHERE sku = ?")
        .bind(1, out ? 1 : 0)
        .bind(2, sku)
        .run();
    DomainEvent e;
    e.trigger = out ? "stock.out" : "stock.back";
    e.sku = sku;
    e.quantity = l.available;
    store_.emit(std::move(e));
}

void Inventory::republish(const std::string& sku) {
    // The version grows for ever per SKU: one past the last one, and never below the clock in
    // milliseconds, so it keeps growing across a store restored from a backup or rebuilt from scratch
    // (a shop that keeps the highest version must never see a newer level with a smaller one).
    static const std::string sql =
        "INSERT INTO stock_out (sku, version, published) VALUES (?1, " + std::string(kNowMs) +
        ", 0) ON CONFLICT (sku) DO UPDATE SET version = max(version + 1, " + std::string(kNowMs) + ")";
    store_.db().cached(sql).bind(1, sku).run();
}

void Inventory::check_reorder(const std::string& sku) {
    auto p = product(sku);
    if (!p || p->reorder_point <= 0) {
        return;
    }
    auto& flag = store_.db().cached("SELECT below_reorder FROM products WHERE sku = ?");
    flag.bind(1, sku);
    flag.step();
    const bool was_below = flag.int64(0) != 0;
    flag.reset();
    const StockLevel l = level(sku);
    const bool below = l.available < p->reorder_point;
    if (below == was_below) {
        return;
    }
    store_.db()
        .cached("UPDATE products SET below_reorder = ? WHERE sku = ?")
        .bind(1, below ? 1 : 0)
        .bind(2, sku)
        .run();
    if (below) {
        store_.outbox_add(topics_.alerts(),
                          json_text({{"kind", "low_stock"},
                                     {"sku", sku},
                                     {"available", l.available},
                                     {"reorder_point", p->reorder_point}}),
                          false);
        // A merchant rule on stock.low takes over the reorder request (rules' reorder action).
        if (!store_.wants("stock.low")) {
            store_.outbox_add(topics_.reorders(),
                              json_text({{"sku", sku},
                                         {"quantity", p->reorder_qty},
                                         {"available", l.available},
                                         {"reorder_point", p->reorder_point}}),
                              false);
        }
        DomainEvent e;
        e.trigger = "stock.low";
        e.sku = sku;
        e.quantity = l.available;
        store_.emit(std::move(e));
    } else {
        store_.outbox_add(topics_.alerts(),
                          json_text({{"kind", "back_in_stock"},
                                     {"sku", sku},
                                     {"available", l.available},
                                     {"reorder_point", p->reorder_point}}),
                          false);
    }
}

VerifyReport Inventory::verify() {
    VerifyReport r;
    auto count_of = [&](const char* sql) {
        auto st = store_.db().prepare(sql);
        st.step();
        return st.int64(0);
    };
    r.skus = count_of("SELECT count(*) FROM products");
    r.stock_rows = count_of("SELECT count(*) FROM stock");
    r.movements = count_of("SELECT count(*) FROM movements");
    {
        // On hand equals the sum of the ledger, row by row (rows without movements included).
        auto st = store_.db().prepare(
            "SELECT sku, location, lot, expiry, on_hand, ledger FROM ("
            " SELECT s.sku, s.location, s.lot, s.expiry, s.on_hand,"
            "  (SELECT coalesce(sum(m.delta), 0) FROM movements m WHERE m.sku = s.sku AND m.location = "
            "s.location"
            "   AND m.lot = s.lot AND m.expiry = s.expiry) AS ledger FROM stock s"
            " UNION ALL"
            " SELECT m.sku, m.location, m.lot, m.expiry, 0, sum(m.delta) FROM movements m"
            "  WHERE NOT EXISTS (SELECT 1 FROM stock s WHERE s.sku = m.sku AND s.location = m.location"
            "   AND s.lot = m.lot AND s.expiry = m.expiry) GROUP BY m.sku, m.location, m.lot, m.expiry"
            ") WHERE on_hand <> ledger");
        while (st.step()) {
            r.problems.push_back("stock drift: " + st.text(0) + " at " + st.text(1) +
                                 (st.text(2).empty() ? "" : " lot " + st.text(2)) + ": on hand " +
                                 std::to_string(st.int64(4)) + ", movements sum to " +
                                 std::to_string(st.int64(5)));
        }
    }
    if (!settings_.allow_oversell) {
        auto st = store_.db().prepare("SELECT sku, location, lot, on_hand FROM stock WHERE on_hand < 0");
        while (st.step()) {
            r.problems.push_back("negative stock: " + st.text(0) + " at " + st.text(1) + ": " +
                                 std::to_string(st.int64(3)));
        }
        auto over = store_.db().prepare(
            "SELECT r.sku, sum(r.quantity), (SELECT coalesce(sum(s.on_hand), 0) FROM stock s JOIN locations l"
            " ON l.code = s.location WHERE s.sku = r.sku AND l.kind IN ('bin','receiving','packing'))"
            " FROM reservations r GROUP BY r.sku");
        while (over.step()) {
            if (over.int64(1) > over.int64(2)) {
                r.problems.push_back("over-reserved: " + over.text(0) + ": " + std::to_string(over.int64(1)) +
                                     " reserved, " + std::to_string(over.int64(2)) + " on hand");
            }
        }
    }
    {
        // The reserved totals the triggers keep per SKU (schema 8) against the reservations themselves.
        auto st = store_.db().prepare(
            "SELECT sku, kept, summed FROM (SELECT t.sku AS sku, t.quantity AS kept, (SELECT coalesce(sum("
            "r.quantity), 0) FROM reservations r WHERE r.sku = t.sku) AS summed FROM reserved_by_sku t UNION "
            "ALL "
            "SELECT r.sku, 0, sum(r.quantity) FROM reservations r WHERE r.sku NOT IN (SELECT sku FROM "
            "reserved_by_sku) GROUP BY r.sku) WHERE kept <> summed");
        while (st.step()) {
            r.problems.push_back("reserved total of " + st.text(0) + " is " + std::to_string(st.int64(1)) +
                                 " but its reservations add up to " + std::to_string(st.int64(2)));
        }
    }
    {
        auto st = store_.db().prepare(
            "SELECT r.order_id, r.sku, o.state FROM reservations r JOIN orders o ON o.id = r.order_id"
            " WHERE o.state NOT IN ('accepted','picking','packed','labelled')");
        while (st.step()) {
            r.problems.push_back("order " + st.text(0) + " is " + st.text(2) + " but still reserves " +
                                 st.text(1));
        }
    }
    {
        auto st = store_.db().prepare(
            "SELECT o.id FROM orders o WHERE o.state IN ('accepted','picking','packed','labelled')"
            " AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.order_id = o.id)"
            " AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)");
        while (st.step()) {
            r.problems.push_back("order " + st.text(0) + " is open but reserves nothing");
        }
    }
    return r;
}

}  // namespace packd::fulfillment
