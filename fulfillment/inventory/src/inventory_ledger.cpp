#include "packd/fulfillment/inventory/inventory.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "inventory_checks.hpp"

namespace packd::fulfillment {

using namespace inventory_detail;
using nlohmann::json;

Result<int64_t> Inventory::record(const Movement& m) {
    if (m.delta == 0) {
        return fail("a movement of 0 changes nothing");
    }
    if (auto why = check_lot_and_expiry(m); !why.empty()) {
        return fail(why);
    }
    if (m.reference.size() > 128 || m.station.size() > 64 || m.operator_name.size() > 64 ||
        m.note.size() > 500) {
        return fail("reference, station, operator or note too long");
    }
    auto& exists = store_.db().cached("SELECT 1 FROM products WHERE sku = ?");
    exists.bind(1, m.sku);
    const bool known_sku = exists.step();
    exists.reset();
    if (!known_sku) {
        return fail("unknown SKU \"" + m.sku.substr(0, 64) + "\"");
    }
    if (!location_exists(m.location)) {
        return fail("unknown location \"" + m.location.substr(0, 32) + "\"");
    }
    auto& current = store_.db().cached(
        "SELECT on_hand FROM stock WHERE sku = ? AND location = ? AND lot = ? AND expiry = ?");
    current.bind(1, m.sku).bind(2, m.location).bind(3, m.lot).bind(4, m.expiry);
    const int64_t on_hand = current.step() ? current.int64(0) : 0;
    current.reset();
    if (on_hand + m.delta < 0 && !settings_.allow_oversell) {
        return fail("SKU " + m.sku + " at " + m.location + (m.lot.empty() ? "" : " lot " + m.lot) +
                    ": on hand " + std::to_string(on_hand) + ", a change of " + std::to_string(m.delta) +
                    " would go below zero");
    }
    store_.db()
        .cached(
            "INSERT INTO stock (sku, location, lot, expiry, on_hand) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (sku, location, lot, expiry) DO UPDATE SET on_hand = on_hand + excluded.on_hand")
        .bind(1, m.sku)
        .bind(2, m.location)
        .bind(3, m.lot)
        .bind(4, m.expiry)
        .bind(5, m.delta)
        .run();
    store_.db()
        .cached(
            std::string(
                "INSERT INTO movements (at, sku, location, lot, expiry, delta, reason, reference, station, "
                "operator, note) VALUES (") +
            std::string(kNowSql) + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, m.sku)
        .bind(2, m.location)
        .bind(3, m.lot)
        .bind(4, m.expiry)
        .bind(5, m.delta)
        .bind(6, to_string(m.reason))
        .bind(7, m.reference)
        .bind(8, m.station)
        .bind(9, m.operator_name)
        .bind(10, m.note)
        .run();
    const int64_t id = store_.db().last_insert_rowid();
    stock_changed(m.sku);
    return id;
}

Result<int64_t> Inventory::count(const Movement& where, int64_t counted) {
    if (counted < 0) {
        return fail("a count cannot be negative");
    }
    auto& current = store_.db().cached(
        "SELECT on_hand FROM stock WHERE sku = ? AND location = ? AND lot = ? AND expiry = ?");
    current.bind(1, where.sku).bind(2, where.location).bind(3, where.lot).bind(4, where.expiry);
    const int64_t on_hand = current.step() ? current.int64(0) : 0;
    current.reset();
    if (counted == on_hand) {
        return int64_t{0};
    }
    Movement m = where;
    m.delta = counted - on_hand;
    m.reason = MovementReason::count;
    auto recorded = record(m);
    if (recorded) {
        DomainEvent e;
        e.trigger = "stock.counted";
        e.sku = m.sku;
        e.location = m.location;
        e.station = m.station;
        e.quantity = m.delta;
        store_.emit(std::move(e));
    }
    return recorded;
}

int64_t Inventory::reserved(const std::string& sku) {
    // The total the reservations' triggers keep (schema 8), not a sum over every open order of the SKU.
    auto& st = store_.db().cached("SELECT coalesce((SELECT quantity FROM reserved_by_sku WHERE sku = ?), 0)");
    st.bind(1, sku);
    st.step();
    const int64_t n = st.int64(0);
    st.reset();
    return n;
}

Status Inventory::reserve(const std::string& order_id, const std::vector<OrderQuantity>& lines) {
    std::map<std::string, int64_t> wanted;
    for (const auto& l : lines) {
        wanted[l.sku] += l.quantity;
    }
    std::string unknown;
    for (const auto& [sku, qty] : wanted) {
        auto p = product(sku);
        if (!p || !p->active) {
            unknown += (unknown.empty() ? "" : ", ") + sku.substr(0, 64) + (p ? " (inactive)" : "");
        }
    }
    if (!unknown.empty()) {
        return fail("unknown SKU: " + unknown);
    }
    if (!settings_.allow_oversell) {
        for (const auto& [sku, qty] : wanted) {
            const StockLevel l = level(sku);
            if (l.available < qty) {
                return fail("not enough stock of " + sku + ": " + std::to_string(qty) + " wanted, " +
                            std::to_string(std::max<int64_t>(l.available, 0)) + " available");
            }
        }
    }
    for (const auto& [sku, qty] : wanted) {
        store_.db()
            .cached(
                "INSERT INTO reservations (order_id, sku, quantity) VALUES (?, ?, ?) ON CONFLICT (order_id, "
                "sku) "
                "DO UPDATE SET quantity = quantity + excluded.quantity")
            .bind(1, order_id)
            .bind(2, sku)
            .bind(3, qty)
            .run();
        stock_changed(sku);
    }
    return {};
}

void Inventory::release(const std::string& order_id) {
    std::vector<std::string> skus;
    {
        auto st = store_.db().prepare("SELECT sku FROM reservations WHERE order_id = ?");
        st.bind(1, order_id);
        while (st.step()) {
            skus.push_back(st.text(0));
        }
    }
    store_.db().cached("DELETE FROM reservations WHERE order_id = ?").bind(1, order_id).run();
    for (const auto& sku : skus) {
        stock_changed(sku);
    }
}

Status Inventory::ship(const std::string& order_id, const std::string& station,
                       const std::string& operator_name) {
    std::vector<OrderQuantity> lines;
    {
        auto st =
            store_.db().prepare("SELECT sku, quantity FROM reservations WHERE order_id = ? ORDER BY sku");
        st.bind(1, order_id);
        while (st.step()) {
            lines.push_back({st.text(0), st.int64(1)});
        }
    }
    // Reservations go first so the stock they held counts as available to nobody else meanwhile.
    store_.db().cached("DELETE FROM reservations WHERE order_id = ?").bind(1, order_id).run();
    for (const auto& line : lines) {
        struct Source {
            std::string location, lot, expiry;
            int64_t on_hand;
        };
        std::vector<Source> sources;
        {
            // Packing first (already picked), then bins and receiving; earliest expiry first; empty
            // expiry (none) last.
            auto& st = store_.db().cached(
                "SELECT s.location, s.lot, s.expiry, s.on_hand FROM stock s JOIN locations l ON l.code = "
                "s.location "
                "WHERE s.sku = ? AND s.on_hand > 0 AND l.kind IN ('packing','bin','receiving') "
                "ORDER BY l.kind <> 'packing', s.expiry = '', s.expiry, l.kind = 'receiving', s.location, "
                "s.lot");
            st.bind(1, line.sku);
            while (st.step()) {
                sources.push_back({st.text(0), st.text(1), st.text(2), st.int64(3)});
            }
        }
        int64_t left = line.quantity;
        for (const auto& src : sources) {
            if (left == 0) {
                break;
            }
            const int64_t take = std::min(left, src.on_hand);
            Movement m{line.sku, src.location, src.lot,       src.expiry, -take, MovementReason::ship,
                       order_id, station,      operator_name, {}};
            if (auto r = record(m); !r) {
                return r.error();
            }
            left -= take;
        }
        if (left > 0) {
            if (!settings_.allow_oversell) {
                return fail("cannot ship order " + order_id + ": " + std::to_string(left) + " of " +
                            line.sku + " not on hand");
            }
            // Overselling: the shortfall leaves the packing location, which goes negative.
            Movement m{line.sku, "PACKING",     {},        {}, -left, MovementReason::ship, order_id,
                       station,  operator_name, "oversold"};
            if (auto r = record(m); !r) {
                return r.error();
            }
        }
    }
    return {};
}

StockLevel Inventory::level(const std::string& sku) {
    StockLevel l;
    l.sku = sku;
    auto p = product(sku);
    if (p) {
        l.name = p->name;
        l.reorder_point = p->reorder_point;
    }
    // Cached: record() reaches this through check_reorder() for every movement.
    auto& st = store_.db().cached(
        "SELECT s.location, s.lot, s.expiry, s.on_hand, l.kind FROM stock s JOIN locations l ON l.code = "
        "s.location "
        "WHERE s.sku = ? AND s.on_hand <> 0 ORDER BY s.location, s.lot, s.expiry");
    st.bind(1, sku);
    while (st.step()) {
        StockRow row{st.text(0), st.text(1), st.text(2), st.int64(3)};
        const std::string kind = st.text(4);
        l.on_hand += row.on_hand;
        if (kind == "bin" || kind == "receiving" || kind == "packing") {
            l.sellable += row.on_hand;
        }
        l.rows.push_back(std::move(row));
    }
    l.reserved = reserved(sku);
    l.available = l.sellable - l.reserved;
    return l;
}

std::vector<StockLevel> Inventory::levels() {
    std::vector<std::string> skus;
    {
        auto st = store_.db().prepare("SELECT sku FROM products ORDER BY sku");
        while (st.step()) {
            skus.push_back(st.text(0));
        }
    }
    std::vector<StockLevel> out;
    out.reserve(skus.size());
    for (const auto& sku : skus) {
        out.push_back(level(sku));
    }
    return out;
}

}  // namespace packd::fulfillment
