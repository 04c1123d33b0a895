#include "packd/host/scan_wiring.hpp"

#include <ctime>

#include "packd/common/log.hpp"
#include "packd/drivers/evdev_scanner.hpp"
#include "packd/drivers/hid_pos_scanner.hpp"
#include "packd/drivers/serial_scanner.hpp"
#include "packd/drivers/sim_scanner.hpp"
#include "packd/drivers/v4l2_camera.hpp"

namespace packd::host {

drivers::KeyboardWedgeSettings wedge_settings(const ScannerConfig& config,
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

std::shared_ptr<drivers::Scanner> make_scanner(boost::asio::io_context& io, const ScannerConfig& config,
                                               std::function<bool(std::string_view)> verifiable,
                                               drivers::CameraFrameDecoder camera_decoder) {
    if (config.type == "camera") {
        drivers::V4l2CameraSettings settings;
        settings.device = config.device;
        settings.width = config.width;
        settings.height = config.height;
        if (auto format = drivers::parse_camera_pixel_format(config.pixel_format)) {
            settings.pixel_format = *format;
        }
        settings.feed.interval = std::chrono::milliseconds(config.interval_ms);
        settings.feed.repeat_after = std::chrono::milliseconds(config.repeat_after_ms);
        settings.reconnect = std::chrono::milliseconds(config.reconnect_ms);
        auto camera = std::make_shared<drivers::V4l2Camera>(io, config.name, std::move(settings),
                                                            std::move(camera_decoder));
        (void)camera->open();  // offline with its reason until the camera appears; it retries itself
        return camera;
    }
    if (config.type == "evdev") {
        drivers::EvdevScannerSettings settings;
        settings.device = config.device;
        if (!config.usb_vendor.empty() && !config.usb_product.empty()) {
            settings.usb_vendor = static_cast<uint16_t>(std::stoul(config.usb_vendor, nullptr, 16));
            settings.usb_product = static_cast<uint16_t>(std::stoul(config.usb_product, nullptr, 16));
        }
        settings.wedge = wedge_settings(config, std::move(verifiable));
        settings.reconnect = std::chrono::milliseconds(config.reconnect_ms);
        auto scanner = std::make_shared<drivers::EvdevScanner>(io, config.name, std::move(settings));
        (void)scanner->open();  // offline with its reason until the device appears; it retries itself
        return scanner;
    }
    if (config.type == "hid") {
        drivers::HidPosScannerSettings settings;
        settings.usb_vendor = static_cast<uint16_t>(std::stoul(config.usb_vendor, nullptr, 16));
        settings.usb_product = static_cast<uint16_t>(std::stoul(config.usb_product, nullptr, 16));
        settings.reconnect = std::chrono::milliseconds(config.reconnect_ms);
        auto scanner = std::make_shared<drivers::HidPosScanner>(io, config.name, settings);
        (void)scanner->open();  // offline with its reason until the scanner appears; it retries itself
        return scanner;
    }
    if (config.type == "serial" || config.type == "tcp") {
        auto suffix = drivers::parse_scan_suffix(config.suffix);
        const drivers::ScanSuffix chosen = suffix ? *suffix : drivers::ScanSuffix::cr;
        const std::chrono::milliseconds reconnect(config.reconnect_ms);
        if (config.type == "serial") {
            auto scanner = std::make_shared<drivers::SerialScanner>(
                io, config.name,
                drivers::SerialScannerSettings{config.device, static_cast<unsigned>(config.baud), chosen,
                                               reconnect});
            (void)scanner->open();  // offline with its reason until the port appears; it retries itself
            return scanner;
        }
        auto scanner = std::make_shared<drivers::TcpScanner>(
            io, config.name,
            drivers::TcpScannerSettings{config.host, static_cast<unsigned short>(config.port), chosen,
                                        reconnect});
        (void)scanner->open();
        return scanner;
    }
    auto scanner = std::make_shared<drivers::SimScanner>(io, config.name, config.fifo);
    if (auto st = scanner->open(); !st) {
        log::warning("scanner " + config.name + ": " + st.error().message);
    }
    return scanner;
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
