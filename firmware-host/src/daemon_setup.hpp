#pragma once
// What the daemon takes from its config before anything runs: the broker settings (with the password file
// read), the tracking ranges, the state folder, the sender's address. Private to firmware-host/src.

#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/barcodes/tracking_scheme.hpp"
#include "packd/fulfillment/domain/address.hpp"
#include "packd/fulfillment/shop/mqtt/broker_settings.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

/// `[broker]` as the shop link and the subscription take it; refused when the password file cannot be read.
Result<fulfillment::BrokerSettings> broker_settings(const BrokerConfig& broker);
/// The `[tracking.NAME]` ranges as the store keeps them.
Result<std::vector<fulfillment::TrackingRange>> tracking_ranges(const Config& config);
/// Creates the state folder when missing; refused when it cannot be created or written.
Status check_state_dir(const std::string& dir);
/// The sender printed on labels: `[site]`'s address.
fulfillment::Address ship_from(const SiteConfig& site);

}  // namespace packd::host
