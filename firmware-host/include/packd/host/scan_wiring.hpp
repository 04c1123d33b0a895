#pragma once
// Scanners from config, and a scan turned into a scan event: the glue between the scanner drivers and
// scan interpretation, in the one layer that knows both.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string_view>

#include "packd/drivers/camera_feed.hpp"
#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/drivers/scanner.hpp"
#include "packd/fulfillment/scanning/image_decoder.hpp"
#include "packd/fulfillment/stations/scan_code.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

/// The keyboard-wedge settings of an evdev scanner's config (already validated by load_config).
drivers::KeyboardWedgeSettings wedge_settings(const WedgeConfig& config,
                                              std::function<bool(std::string_view)> verifiable);

/// Builds and opens the scanner a config section describes; a device that fails to open is returned
/// anyway, offline with the reason, and retries on its own where its driver does.
/// A camera's frames are decoded by `camera_decoder` (image_frame_decoder).
std::shared_ptr<drivers::Scanner> make_scanner(boost::asio::io_context& io, const ScannerConfig& config,
                                               std::function<bool(std::string_view)> verifiable,
                                               drivers::CameraFrameDecoder camera_decoder = {});

/// Camera frames through the daemon's image decoder (the helper processes image scans use), asked for
/// at each frame because a reload may replace it; each barcode found becomes one reading.
drivers::CameraFrameDecoder image_frame_decoder(std::function<fulfillment::ImageDecoder*()> decoder);

/// One scan as an event: what the driver read and what it means, or why it means nothing.
fulfillment::ScanEvent read_scan(const std::string& station, const std::string& device,
                                 const drivers::ScanReading& reading, const fulfillment::ScanRules& rules,
                                 const fulfillment::ScanCatalogue& catalogue);

/// The scan rules of a [scanning] section (already validated by load_config), for `this_year`.
fulfillment::ScanRules scan_rules(const ScanningConfig& config, int this_year);

/// This year (UTC), for the century of GS1 dates.
int current_year();

}  // namespace packd::host
