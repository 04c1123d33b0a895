#include "packd/host/scan_wiring.hpp"

#include <ctime>
#include <variant>

#include "packd/common/log.hpp"
#include "packd/drivers/evdev_scanner.hpp"
#include "packd/drivers/hid_pos_scanner.hpp"
#include "packd/drivers/serial_scanner.hpp"
#include "packd/drivers/sim_scanner.hpp"
#include "packd/drivers/v4l2_camera.hpp"

namespace packd::host {

drivers::KeyboardWedgeSettings wedge_settings(const WedgeConfig& config,
                                              std::function<bool(std::string_view)> verifiable) {
    drivers::KeyboardWedgeSettings s;
    if (auto layout = drivers::parse_keyboard_layout(config.layout)) {
        s.layout = *layout;
    }
    if (auto terminator = drivers::parse_scan_terminator(config.terminator)) {
        s.terminator = *terminator;
    }
    s.gap_us = int64_t{config.gap_ms} * 1000;
    s.max_key_interval_us = int64_t{config.max_key_interval_ms} * 1000;
    s.layout_proof = config.layout_proof;
    if (verifiable) {
        s.verifiable = std::move(verifiable);
    }
    return s;
}

drivers::CameraFrameDecoder image_frame_decoder(std::function<fulfillment::ImageDecoder*()> decoder) {
    return
        [decoder = std::move(decoder)](std::vector<std::uint8_t> image,
                                       std::function<void(Result<std::vector<drivers::ScanReading>>)> done) {
            fulfillment::ImageDecoder* images = decoder ? decoder() : nullptr;
            if (images == nullptr) {
                done(fail("image decoding is not set up"));
                return;
            }
            images->decode(std::move(image), [done](Result<std::vector<fulfillment::ImageBarcode>> found) {
                if (!found) {
                    // A frame without a barcode is most frames; anything else (the helper crashed) is worth a
                    // line.
                    if (found.error().code != ErrorCode::not_found) {
                        log::warning("camera frame not decoded: " + found.error().message);
                    }
                    done(found.error());
                    return;
                }
                std::vector<drivers::ScanReading> readings;
                for (const fulfillment::ImageBarcode& barcode : *found) {
                    readings.push_back({barcode.text, barcode.symbology, {}, {}});
                }
                done(std::move(readings));
            });
        };
}

namespace {

/// What a scanner factory gets besides its type's settings.
struct ScannerContext {
    boost::asio::io_context& io;
    const std::string& name;
    std::function<bool(std::string_view)> verifiable;
    drivers::CameraFrameDecoder camera_decoder;
};

uint16_t hex_id(const std::string& four_hex_digits) {
    return static_cast<uint16_t>(std::stoul(four_hex_digits, nullptr, 16));
}

drivers::ScanSuffix suffix_of(const std::string& name) {
    auto suffix = drivers::parse_scan_suffix(name);
    return suffix ? *suffix : drivers::ScanSuffix::cr;
}

// The factories, one per alternative of ScannerSettings: a type without one does not compile. A device
// that is absent is offline with its reason and retries itself; only the simulated scanner does not.
std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const SimScannerConfig& c) {
    auto scanner = std::make_shared<drivers::SimScanner>(x.io, x.name, c.fifo);
    if (auto st = scanner->open(); !st) {
        log::warning("scanner " + x.name + ": " + st.error().message);
    }
    return scanner;
}

std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const EvdevScannerConfig& c) {
    drivers::EvdevScannerSettings settings;
    settings.device = c.device;
    if (!c.usb_vendor.empty() && !c.usb_product.empty()) {
        settings.usb_vendor = hex_id(c.usb_vendor);
        settings.usb_product = hex_id(c.usb_product);
    }
    settings.wedge = wedge_settings(c.wedge, std::move(x.verifiable));
    settings.reconnect = std::chrono::milliseconds(c.reconnect_ms);
    auto scanner = std::make_shared<drivers::EvdevScanner>(x.io, x.name, std::move(settings));
    (void)scanner->open();
    return scanner;
}

std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const SerialScannerConfig& c) {
    auto scanner = std::make_shared<drivers::SerialScanner>(
        x.io, x.name,
        drivers::SerialScannerSettings{c.device, static_cast<unsigned>(c.baud), suffix_of(c.suffix),
                                       std::chrono::milliseconds(c.reconnect_ms)});
    (void)scanner->open();
    return scanner;
}

std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const TcpScannerConfig& c) {
    auto scanner = std::make_shared<drivers::TcpScanner>(
        x.io, x.name,
        drivers::TcpScannerSettings{c.host, static_cast<unsigned short>(c.port), suffix_of(c.suffix),
                                    std::chrono::milliseconds(c.reconnect_ms)});
    (void)scanner->open();
    return scanner;
}

std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const HidScannerConfig& c) {
    drivers::HidPosScannerSettings settings;
    settings.usb_vendor = hex_id(c.usb_vendor);
    settings.usb_product = hex_id(c.usb_product);
    settings.reconnect = std::chrono::milliseconds(c.reconnect_ms);
    auto scanner = std::make_shared<drivers::HidPosScanner>(x.io, x.name, settings);
    (void)scanner->open();
    return scanner;
}

std::shared_ptr<drivers::Scanner> make_one(ScannerContext& x, const CameraScannerConfig& c) {
    drivers::V4l2CameraSettings settings;
    settings.device = c.device;
    settings.width = c.width;
    settings.height = c.height;
    if (auto format = drivers::parse_camera_pixel_format(c.pixel_format)) {
        settings.pixel_format = *format;
    }
    settings.feed.interval = std::chrono::milliseconds(c.interval_ms);
    settings.feed.repeat_after = std::chrono::milliseconds(c.repeat_after_ms);
    settings.reconnect = std::chrono::milliseconds(c.reconnect_ms);
    auto camera =
        std::make_shared<drivers::V4l2Camera>(x.io, x.name, std::move(settings), std::move(x.camera_decoder));
    (void)camera->open();
    return camera;
}

}  // namespace

std::shared_ptr<drivers::Scanner> make_scanner(boost::asio::io_context& io, const ScannerConfig& config,
                                               std::function<bool(std::string_view)> verifiable,
                                               drivers::CameraFrameDecoder camera_decoder) {
    ScannerContext context{io, config.name, std::move(verifiable), std::move(camera_decoder)};
    return std::visit([&](const auto& settings) { return make_one(context, settings); }, config.settings);
}

fulfillment::ScanEvent read_scan(const std::string& station, const std::string& device,
                                 const drivers::ScanReading& reading, const fulfillment::ScanRules& rules,
                                 const fulfillment::ScanCatalogue& catalogue) {
    fulfillment::ScanEvent event;
    event.station = station;
    event.device = device;
    event.raw = reading.data;
    event.warning = reading.warning;
    const auto [symbology, rest] = fulfillment::split_symbology(reading.data);
    event.symbology = !reading.symbology.empty() ? reading.symbology : symbology.id;
    if (!reading.rejected.empty()) {
        event.meaning.reason = reading.rejected;
    } else {
        event.meaning = fulfillment::interpret_scan(reading.data, reading.symbology, rules, catalogue);
    }
    return event;
}

fulfillment::ScanRules scan_rules(const ScanningConfig& config, int this_year) {
    fulfillment::ScanRules rules;
    rules.this_year = this_year;
    rules.order_prefix = config.order_prefix;
    rules.tote_prefix = config.tote_prefix;
    rules.rma_prefix = config.rma_prefix;
    rules.badge_prefix = config.badge_prefix;
    rules.commands = config.commands;
    return rules;
}

int current_year() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    return utc.tm_year + 1900;
}

}  // namespace packd::host
