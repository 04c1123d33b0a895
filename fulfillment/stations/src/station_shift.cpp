#include "packd/fulfillment/stations/station_shift.hpp"

namespace packd::fulfillment {

std::string shift_badge(Store& store, const std::string& station) {
    return store.db().text_of("SELECT badge FROM station_shifts WHERE station = ?", station).value_or("");
}

std::optional<StationMode> shift_mode(Store& store, const std::string& station) {
    return station_mode_named(
        store.db().text_of("SELECT mode FROM station_shifts WHERE station = ?", station).value_or(""));
}

void set_shift_badge(Store& store, const std::string& station, const std::string& badge) {
    store.db()
        .cached(
            "INSERT INTO station_shifts (station, badge, since) VALUES (?1, ?2, "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
            "ON CONFLICT (station) DO UPDATE SET badge = ?2, since = excluded.since")
        .bind(1, station)
        .bind(2, badge)
        .run();
}

void set_shift_mode(Store& store, const std::string& station, StationMode mode) {
    store.db()
        .cached(
            "INSERT INTO station_shifts (station, mode, since) VALUES (?1, ?2, "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
            "ON CONFLICT (station) DO UPDATE SET mode = ?2")
        .bind(1, station)
        .bind(2, std::string(to_string(mode)))
        .run();
}

}  // namespace packd::fulfillment
