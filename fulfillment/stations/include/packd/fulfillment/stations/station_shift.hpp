#pragma once
// A station's shift, kept in the store: the operator badge scanned at its start (recorded on every
// movement and shipment the station makes) and the mode a command barcode switched it to.

#include <optional>
#include <string>

#include "packd/fulfillment/stations/station.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// The badge scanned at the station, empty when none was.
std::string shift_badge(Store& store, const std::string& station);
/// The mode the station was switched to by a command barcode; nothing when it runs its configured one.
std::optional<StationMode> shift_mode(Store& store, const std::string& station);

/// In a transaction: the operator whose badge was scanned; an empty badge ends the shift's attribution.
void set_shift_badge(Store& store, const std::string& station, const std::string& badge);
/// In a transaction: the mode the station runs from now on, across restarts.
void set_shift_mode(Store& store, const std::string& station, StationMode mode);

}  // namespace packd::fulfillment
