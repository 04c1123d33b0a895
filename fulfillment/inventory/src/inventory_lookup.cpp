// What an operator looks up: products and locations by what they typed or scanned, a location's stock and
// the newest rows of the ledger. Each query reads through an index (schema 11) and a bounded number of
// rows, so an answer stays within the event loop's budget on a store of years.

#include <set>

#include "packd/fulfillment/inventory/inventory.hpp"

namespace packd::fulfillment {
namespace {

/// `text` as the start of a LIKE pattern with ESCAPE '\': its `%`, `_` and `\` match only themselves.
std::string like_prefix(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 2);
    for (const char c : text) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '%';
    return out;
}

}  // namespace

std::vector<ProductMatch> Inventory::find_products(const std::string& text, int limit) {
    std::vector<ProductMatch> out;
    if (text.empty() || limit <= 0) {
        return out;
    }
    std::set<std::string> seen;
    const auto take = [&](Statement& st, const char* matched) {
        while (st.step() && static_cast<int>(out.size()) < limit) {
            if (seen.insert(st.text(0)).second) {
                out.push_back({st.text(0), st.text(1), {}, 0, 0, 0, matched});
            }
        }
        st.reset();
    };
    // products_by_sku_nocase serves the exact look-up in any case and the prefix: LIKE is case-insensitive
    // for ASCII, and SQLite turns a pattern without a leading wildcard into a range of that index.
    auto& exact = store_.db().cached(
        "SELECT sku, name FROM products WHERE sku = ?1 COLLATE NOCASE ORDER BY sku LIMIT ?2");
    exact.bind(1, text).bind(2, limit);
    take(exact, "sku");
    auto& coded = store_.db().cached(
        "SELECT p.sku, p.name FROM barcodes b JOIN products p ON p.sku = b.sku WHERE b.code = ?1");
    coded.bind(1, text);
    take(coded, "barcode");
    auto& prefix = store_.db().cached(
        "SELECT sku, name FROM products WHERE sku LIKE ?1 ESCAPE '\\' ORDER BY sku COLLATE NOCASE, sku "
        "LIMIT ?2");
    prefix.bind(1, like_prefix(text)).bind(2, limit + static_cast<int>(seen.size()));
    take(prefix, "sku_prefix");

    auto& codes = store_.db().cached("SELECT code FROM barcodes WHERE sku = ? ORDER BY code");
    for (auto& p : out) {
        codes.bind(1, p.sku);
        while (codes.step()) {
            p.barcodes.push_back(codes.text(0));
        }
        codes.reset();
        const StockLevel l = level(p.sku);
        p.on_hand = l.on_hand;
        p.reserved = l.reserved;
        p.available = l.available;
    }
    return out;
}

std::vector<LocationMatch> Inventory::find_locations(const std::string& text, int limit) {
    std::vector<LocationMatch> out;
    if (text.empty() || limit <= 0) {
        return out;
    }
    std::set<std::string> seen;
    const auto take = [&](Statement& st, const char* matched) {
        while (st.step() && static_cast<int>(out.size()) < limit) {
            if (seen.insert(st.text(0)).second) {
                out.push_back({st.text(0), st.text(1), matched});
            }
        }
        st.reset();
    };
    auto& exact = store_.db().cached(
        "SELECT code, kind FROM locations WHERE code = ?1 COLLATE NOCASE ORDER BY code LIMIT ?2");
    exact.bind(1, text).bind(2, limit);
    take(exact, "code");
    auto& prefix = store_.db().cached(
        "SELECT code, kind FROM locations WHERE code LIKE ?1 ESCAPE '\\' ORDER BY code COLLATE NOCASE, code "
        "LIMIT ?2");
    prefix.bind(1, like_prefix(text)).bind(2, limit + static_cast<int>(seen.size()));
    take(prefix, "code_prefix");
    return out;
}

std::vector<LocationStock> Inventory::stock_in(const std::string& location) {
    std::vector<LocationStock> out;
    auto& st = store_.db().cached(
        "SELECT s.sku, p.name, s.lot, s.expiry, s.on_hand FROM stock s JOIN products p ON p.sku = s.sku "
        "WHERE s.location = ? AND s.on_hand <> 0 ORDER BY s.sku, s.lot, s.expiry");
    st.bind(1, location);
    while (st.step()) {
        out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)});
    }
    st.reset();
    return out;
}

std::vector<LedgerEntry> Inventory::ledger(const LedgerQuery& query) {
    // One statement per narrowing: a `?1 = '' OR sku = ?1` would keep SQLite from the index and read the
    // whole ledger backwards for a SKU that moved once. movements_by_sku and movements_by_location (schema
    // 11) are in id order within their key, so the newest rows come first without a sort.
    static constexpr const char* kColumns =
        "SELECT id, at, CAST(round((julianday(at) - 2440587.5) * 86400000.0) AS INTEGER), sku, location, "
        "lot, expiry, delta, reason, reference, station, operator, note FROM movements ";
    static const std::string any = std::string(kColumns) + "ORDER BY id DESC LIMIT ?3";
    static const std::string of_sku = std::string(kColumns) + "WHERE sku = ?1 ORDER BY id DESC LIMIT ?3";
    static const std::string at_location =
        std::string(kColumns) + "WHERE location = ?2 ORDER BY id DESC LIMIT ?3";
    static const std::string both =
        std::string(kColumns) + "WHERE sku = ?1 AND location = ?2 ORDER BY id DESC LIMIT ?3";
    const std::string& sql = query.sku.empty() ? (query.location.empty() ? any : at_location)
                                               : (query.location.empty() ? of_sku : both);
    std::vector<LedgerEntry> out;
    if (query.limit <= 0) {
        return out;
    }
    auto& st = store_.db().cached(sql);
    if (!query.sku.empty()) {
        st.bind(1, query.sku);
    }
    if (!query.location.empty()) {
        st.bind(2, query.location);
    }
    st.bind(3, query.limit);
    while (st.step()) {
        LedgerEntry e;
        e.id = st.int64(0);
        e.at = st.text(1);
        e.at_ms = st.int64(2);
        Movement& m = e.movement;
        m.sku = st.text(3);
        m.location = st.text(4);
        m.lot = st.text(5);
        m.expiry = st.text(6);
        m.delta = st.int64(7);
        if (!parse_movement_reason(st.text(8), m.reason)) {
            // The table's CHECK constraint admits only the named reasons: another word is a damaged file.
            throw SqliteError(SQLITE_CORRUPT, "movement " + std::to_string(e.id) +
                                                  " has the unknown reason \"" + st.text(8).substr(0, 32) +
                                                  "\"");
        }
        m.reference = st.text(9);
        m.station = st.text(10);
        m.operator_name = st.text(11);
        m.note = st.text(12);
        out.push_back(std::move(e));
    }
    st.reset();
    return out;
}

}  // namespace packd::fulfillment
