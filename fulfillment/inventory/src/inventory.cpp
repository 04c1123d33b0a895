#include "packd/fulfillment/inventory/inventory.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "inventory_checks.hpp"

namespace packd::fulfillment {

using namespace inventory_detail;
using nlohmann::json;

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

std::vector<StockAt> Inventory::stock_at(const std::string& location) {
    auto& st = store_.db().cached(
        "SELECT sku, lot, expiry, on_hand FROM stock WHERE location = ? AND on_hand <> 0 ORDER BY sku, lot, "
        "expiry");
    st.bind(1, location);
    std::vector<StockAt> out;
    while (st.step()) {
        out.push_back({st.text(0), st.text(1), st.text(2), st.int64(3)});
    }
    st.reset();
    return out;
}

std::optional<std::string> Inventory::location_kind(const std::string& code) {
    return store_.db().text_of("SELECT kind FROM locations WHERE code = ?", code);
}

}  // namespace packd::fulfillment
