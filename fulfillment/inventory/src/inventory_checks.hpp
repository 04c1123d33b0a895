// Checks and helpers the inventory's files share: what a SKU, location, lot and expiry may hold, and how
// alert bodies are written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "packd/common/json_text.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"

namespace packd::fulfillment::inventory_detail {

inline constexpr std::string_view kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

bool printable(std::string_view s);
// Empty when the value is acceptable, otherwise why not.
std::string check_sku(std::string_view sku);
std::string check_location_code(std::string_view code);
std::string check_lot_and_expiry(const Movement& m);

}  // namespace packd::fulfillment::inventory_detail
