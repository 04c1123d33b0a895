#include "packd/fulfillment/inventory/inventory.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

constexpr std::string_view kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

std::string to_text(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool printable(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return is_valid_utf8(s);
}

std::string check_sku(std::string_view sku) {
    if (sku.empty() || sku.size() > 64 || !printable(sku) || sku.front() == ' ' || sku.back() == ' ') {
        return "SKU \"" + std::string(sku.substr(0, 64)) +
               "\" must be 1 to 64 printable characters without leading or trailing spaces";
    }
    return {};
}

std::string check_location_code(std::string_view code) {
    bool ok = !code.empty() && code.size() <= 32;
    for (char c : code) {
        ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.');
    }
    return ok ? std::string()
              : "location \"" + std::string(code.substr(0, 32)) +
                    "\" must be 1 to 32 letters, digits, '-', '_' or '.'";
}

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

bool is_calendar_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') {
        return false;
    }
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
        if (d[i] < '0' || d[i] > '9') {
            return false;
        }
    }
    const int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    const int m = (d[5] - '0') * 10 + (d[6] - '0');
    const int day = (d[8] - '0') * 10 + (d[9] - '0');
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1) {
        return false;
    }
    return day <= kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

namespace {

std::string check_lot_and_expiry(const Movement& m) {
    if (m.lot.size() > 20 || !printable(m.lot)) {
        return "lot \"" + m.lot.substr(0, 20) + "\" must be at most 20 printable characters (GS1 AI 10)";
    }
    if (!m.expiry.empty() && !is_calendar_date(m.expiry)) {
        return "expiry \"" + m.expiry.substr(0, 16) + "\" must be a date as YYYY-MM-DD";
    }
    return {};
}

}  // namespace

const char* to_string(MovementReason reason) {
    switch (reason) {
        case MovementReason::receive:
            return "receive";
        case MovementReason::pick:
            return "pick";
        case MovementReason::ship:
            return "ship";
        case MovementReason::adjust:
            return "adjust";
        case MovementReason::count:
            return "count";
        case MovementReason::return_:
            return "return";
        case MovementReason::transfer:
            return "transfer";
    }
    return "adjust";
}

bool parse_movement_reason(std::string_view text, MovementReason& out) {
    for (auto r :
         {MovementReason::receive, MovementReason::pick, MovementReason::ship, MovementReason::adjust,
          MovementReason::count, MovementReason::return_, MovementReason::transfer}) {
        if (text == to_string(r)) {
            out = r;
            return true;
        }
    }
    return false;
}

Inventory::Inventory(Store& store, Topics topics, InventorySettings settings)
    : store_(store), topics_(std::move(topics)), settings_(settings) {}

Status Inventory::put_product(const Product& p) {
    if (auto why = check_sku(p.sku); !why.empty()) {
        return fail(why);
    }
    if (p.name.size() > 200 || !printable(p.name)) {
        return fail("product " + p.sku + ": name must be at most 200 printable characters");
    }
    if (p.unit_weight_g < 0 || p.unit_weight_g > 1000000) {
        return fail("product " + p.sku + ": unit weight must be 0 to 1000000 g");
    }
    for (const auto& d : {p.length_mm, p.width_mm, p.height_mm}) {
        if (d && (*d <= 0 || *d > 100000)) {
            return fail("product " + p.sku + ": dimensions must be 1 to 100000 mm");
        }
    }
    if (p.reorder_point < 0 || p.reorder_qty < 0) {
        return fail("product " + p.sku + ": reorder point and quantity must not be negative");
    }
    const bool is_new = !product(p.sku).has_value();
    auto& st = store_.db().cached(
        "INSERT INTO products (sku, name, unit_weight_g, length_mm, width_mm, height_mm, reorder_point, "
        "reorder_qty, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sku) DO UPDATE SET "
        "name = excluded.name, unit_weight_g = excluded.unit_weight_g, length_mm = excluded.length_mm, "
        "width_mm = excluded.width_mm, height_mm = excluded.height_mm, reorder_point = "
        "excluded.reorder_point, "
        "reorder_qty = excluded.reorder_qty, active = excluded.active");
    st.bind(1, p.sku).bind(2, p.name).bind(3, p.unit_weight_g);
    int index = 4;
    for (const auto& d : {p.length_mm, p.width_mm, p.height_mm}) {
        if (d) {
            st.bind(index, *d);
        } else {
            st.bind_null(index);
        }
        ++index;
    }
    st.bind(7, p.reorder_point).bind(8, p.reorder_qty).bind(9, p.active ? 1 : 0).run();
    if (is_new) {
        // A new article starts below its reorder point without an alert: importing a catalogue
        // must not send a reorder request per product. The first receipt then reports it in stock.
        store_.db()
            .cached("UPDATE products SET below_reorder = ? WHERE sku = ?")
            .bind(1, p.reorder_point > 0 ? 1 : 0)
            .bind(2, p.sku)
            .run();
    } else {
        check_reorder(p.sku);  // a changed reorder point can be a crossing of its own
    }
    return {};
}

Status Inventory::put_barcode(const Barcode& b) {
    static const std::set<std::string> kKinds = {"gtin8", "gtin12", "gtin13", "gtin14", "internal"};
    if (b.code.empty() || b.code.size() > 64 || !printable(b.code)) {
        return fail("barcode must be 1 to 64 printable characters");
    }
    if (!kKinds.count(b.kind)) {
        return fail("barcode " + b.code + ": kind \"" + b.kind.substr(0, 16) +
                    "\" must be gtin8, gtin12, gtin13, gtin14 or internal");
    }
    if (b.pack_qty < 1 || b.pack_qty > 100000) {
        return fail("barcode " + b.code + ": pack quantity must be 1 to 100000");
    }
    if (!product(b.sku)) {
        return fail("barcode " + b.code + ": unknown SKU \"" + b.sku.substr(0, 64) + "\"");
    }
    if (auto existing = barcode(b.code); existing && existing->sku != b.sku) {
        return fail("barcode " + b.code + " belongs to SKU " + existing->sku + " already");
    }
    store_.db()
        .cached(
            "INSERT INTO barcodes (code, sku, kind, pack_qty) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO "
            "UPDATE "
            "SET kind = excluded.kind, pack_qty = excluded.pack_qty")
        .bind(1, b.code)
        .bind(2, b.sku)
        .bind(3, b.kind)
        .bind(4, b.pack_qty)
        .run();
    return {};
}

Status Inventory::put_location(const std::string& code, const std::string& kind) {
    if (auto why = check_location_code(code); !why.empty()) {
        return fail(why);
    }
    static const std::set<std::string> kKinds = {"bin", "receiving", "packing", "returns", "quarantine"};
    if (!kKinds.count(kind)) {
        return fail("location " + code + ": kind \"" + kind.substr(0, 16) +
                    "\" must be bin, receiving, packing, returns or quarantine");
    }
    auto& st = store_.db().cached("SELECT kind FROM locations WHERE code = ?");
    st.bind(1, code);
    if (st.step()) {
        const std::string existing = st.text(0);
        st.reset();
        if (existing != kind) {
            return fail("location " + code + " exists already as " + existing);
        }
        return {};
    }
    store_.db().cached("INSERT INTO locations (code, kind) VALUES (?, ?)").bind(1, code).bind(2, kind).run();
    return {};
}

std::optional<Product> Inventory::product(const std::string& sku) {
    auto& st = store_.db().cached(
        "SELECT sku, name, unit_weight_g, length_mm, width_mm, height_mm, reorder_point, reorder_qty, active "
        "FROM products WHERE sku = ?");
    st.bind(1, sku);
    if (!st.step()) {
        return std::nullopt;
    }
    Product p;
    p.sku = st.text(0);
    p.name = st.text(1);
    p.unit_weight_g = st.int64(2);
    if (!st.is_null(3)) {
        p.length_mm = st.int64(3);
    }
    if (!st.is_null(4)) {
        p.width_mm = st.int64(4);
    }
    if (!st.is_null(5)) {
        p.height_mm = st.int64(5);
    }
    p.reorder_point = st.int64(6);
    p.reorder_qty = st.int64(7);
    p.active = st.int64(8) != 0;
    st.reset();
    return p;
}

std::optional<Barcode> Inventory::barcode(const std::string& code) {
    auto& st = store_.db().cached("SELECT code, sku, kind, pack_qty FROM barcodes WHERE code = ?");
    st.bind(1, code);
    if (!st.step()) {
        return std::nullopt;
    }
    Barcode b{st.text(0), st.text(1), st.text(2), st.int64(3)};
    st.reset();
    return b;
}

bool Inventory::location_exists(const std::string& code) {
    auto& st = store_.db().cached("SELECT 1 FROM locations WHERE code = ?");
    st.bind(1, code);
    const bool found = st.step();
    st.reset();
    return found;
}

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
    return record(m);
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

namespace {
/// Milliseconds since 1970 in SQL.
constexpr std::string_view kNowMs = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
}  // namespace

void Inventory::stock_changed(const std::string& sku) {
    republish(sku);
    check_reorder(sku);
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
                          to_text({{"kind", "low_stock"},
                                   {"sku", sku},
                                   {"available", l.available},
                                   {"reorder_point", p->reorder_point}}),
                          false);
        store_.outbox_add(topics_.reorders(),
                          to_text({{"sku", sku},
                                   {"quantity", p->reorder_qty},
                                   {"available", l.available},
                                   {"reorder_point", p->reorder_point}}),
                          false);
    } else {
        store_.outbox_add(topics_.alerts(),
                          to_text({{"kind", "back_in_stock"},
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
