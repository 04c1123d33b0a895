// Locally allocated tracking numbers: the ranges in the store, and taking the next serial of one. The
// formats and check digits are in barcodes/tracking_scheme.cpp.

#include "packd/fulfillment/orders/tracking.hpp"

#include <nlohmann/json.hpp>

namespace packd::fulfillment {

Status TrackingNumbers::sync(const std::vector<TrackingRange>& ranges) {
    for (const auto& r : ranges) {
        if (auto st = validate(r); !st) {
            return st;
        }
    }
    try {
        Transaction tx(store_.db());
        for (const auto& r : ranges) {
            auto find = store_.db().prepare(
                "SELECT id FROM tracking_ranges WHERE carrier = ? AND scheme = ? AND prefix = ?");
            find.bind(1, r.carrier).bind(2, to_string(r.scheme)).bind(3, r.prefix);
            if (find.step()) {
                const int64_t id = find.int64(0);
                // The end may move either way, but never below what has been issued.
                store_.db()
                    .prepare(
                        "UPDATE tracking_ranges SET last_serial = max(?, next_serial - 1), low_water = ?, "
                        "low_alerted = CASE WHEN max(?, next_serial - 1) - next_serial + 1 > ? THEN 0 "
                        "ELSE low_alerted END WHERE id = ?")
                    .bind(1, r.last)
                    .bind(2, r.low_water)
                    .bind(3, r.last)
                    .bind(4, r.low_water)
                    .bind(5, id)
                    .run();
            } else {
                store_.db()
                    .prepare(
                        "INSERT INTO tracking_ranges (carrier, scheme, prefix, next_serial, last_serial, "
                        "low_water) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(1, r.carrier)
                    .bind(2, to_string(r.scheme))
                    .bind(3, r.prefix)
                    .bind(4, r.first)
                    .bind(5, r.last)
                    .bind(6, r.low_water)
                    .run();
            }
        }
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }
    return {};
}

Result<std::string> TrackingNumbers::allocate(const std::string& carrier, bool in_transaction) {
    try {
        if (in_transaction) {
            return allocate_here(carrier);
        }
        Transaction tx(store_.db());
        auto number = allocate_here(carrier);
        if (number) {
            tx.commit();  // committed before the caller can print it: a crash after this never reissues it
        }
        return number;
    } catch (const SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }
}

Result<std::string> TrackingNumbers::allocate_here(const std::string& carrier) {
    auto range = store_.db().prepare(
        "SELECT id, scheme, prefix, next_serial, last_serial, low_water, low_alerted FROM tracking_ranges "
        "WHERE carrier = ? AND next_serial <= last_serial ORDER BY id LIMIT 1");
    range.bind(1, carrier);
    if (!range.step()) {
        return fail("no tracking numbers left for carrier " + carrier + " (configure a new range)");
    }
    const int64_t id = range.int64(0);
    const auto scheme = parse_tracking_scheme(range.text(1));
    if (!scheme) {
        return scheme.error();
    }
    const std::string prefix = range.text(2);
    const int64_t serial = range.int64(3);
    const int64_t last = range.int64(4);
    const int64_t low_water = range.int64(5);
    const bool alerted = range.int64(6) != 0;
    store_.db()
        .prepare("UPDATE tracking_ranges SET next_serial = next_serial + 1 WHERE id = ? AND next_serial = ?")
        .bind(1, id)
        .bind(2, serial)
        .run();
    const int64_t left = remaining(carrier);
    if (left <= low_water && !alerted) {
        store_.db().prepare("UPDATE tracking_ranges SET low_alerted = 1 WHERE id = ?").bind(1, id).run();
        const nlohmann::json alert = {
            {"kind", "tracking_range_low"}, {"carrier", carrier},           {"remaining", left},
            {"low_water", low_water},       {"scheme", to_string(*scheme)}, {"prefix", prefix}};
        store_.outbox_add(topics_.alerts(), alert.dump(), false);
    }
    return format_tracking_number(*scheme, prefix, serial, last);
}

int64_t TrackingNumbers::remaining(const std::string& carrier) {
    auto st = store_.db().prepare(
        "SELECT coalesce(sum(last_serial - next_serial + 1), 0) FROM tracking_ranges "
        "WHERE carrier = ? AND next_serial <= last_serial");
    st.bind(1, carrier);
    st.step();
    return st.int64(0);
}

bool TrackingNumbers::has_range(const std::string& carrier) {
    auto st = store_.db().prepare("SELECT 1 FROM tracking_ranges WHERE carrier = ? LIMIT 1");
    st.bind(1, carrier);
    return st.step();
}

}  // namespace packd::fulfillment
