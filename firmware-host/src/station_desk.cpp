#include "packd/host/station_desk.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>
#include <filesystem>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/count_station.hpp"
#include "packd/fulfillment/stations/pick_station.hpp"
#include "packd/fulfillment/stations/putaway_station.hpp"
#include "packd/fulfillment/stations/receive_station.hpp"
#include "packd/fulfillment/stations/returns_station.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/host/scan_wiring.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

std::string default_image_decoder() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / "packd-image-decoder";
        if (::access(beside.c_str(), X_OK) == 0) {
            return beside.string();
        }
    }
    return PACKD_INSTALLED_IMAGE_DECODER;
}

StationDesk::StationDesk(boost::asio::io_context& io, ful::Store& store, ful::OrderBook& orders,
                         ful::Inventory& inventory, ful::Topics topics, ReplySink on_reply)
    : io_(io),
      store_(store),
      orders_(orders),
      inventory_(inventory),
      receipts_(store, inventory, topics),
      returns_(store, orders, topics),
      topics_(std::move(topics)),
      on_reply_(std::move(on_reply)) {}

StationDesk::~StationDesk() = default;

ful::StationMode StationDesk::mode_of(const std::string& name, const StationConfig& sc) {
    const auto own = ful::station_mode_named(sc.mode).value_or(ful::StationMode::pack);
    const auto chosen = ful::shift_mode(store_, name);
    if (chosen && (*chosen == own || std::count(sc.modes.begin(), sc.modes.end(), to_string(*chosen)) > 0)) {
        return *chosen;
    }
    return own;
}

void StationDesk::build(Desk& desk, const std::string& name, const StationConfig& sc,
                        const DeviceRegistry* registry) {
    const ful::StationMode mode = mode_of(name, sc);
    if (desk.station && desk.station->mode() != mode) {
        desk.station.reset();
        desk.pack = nullptr;
        desk.tasks = nullptr;
    }
    if (mode == ful::StationMode::pack) {
        ful::PackStationOptions options;
        options.weigh_timeout = std::chrono::milliseconds(sc.weigh_timeout_ms);
        options.weight_rule.packaging_g = sc.packaging_g;
        options.weight_rule.tolerance_g = sc.weight_tolerance_g;
        options.weight_rule.tolerance_percent = sc.weight_tolerance_percent;
        options.order_prefix = scanning_.order_prefix;
        if (!desk.pack) {
            auto pack = std::make_unique<ful::PackStation>(
                store_, orders_, name, options, [this, station_name = name](const ful::StationReply& reply) {
                    on_reply_(station_name, reply);
                });
            desk.pack = pack.get();
            desk.station = std::move(pack);
        } else {
            desk.pack->set_options(options);
        }
        // The new service first, then the old one may go: the station never points at a freed one.
        auto scale = sc.scale.empty() || registry == nullptr ? nullptr : registry->weights_of(sc.scale);
        desk.pack->use_scale(scale.get());
        desk.scale = std::move(scale);
        return;
    }
    ful::TaskStationOptions options;
    options.receiving_location = sc.receiving_location;
    options.blind_count = sc.blind_count;
    options.recount_threshold = sc.recount_threshold;
    options.pick_scan_location = sc.pick_scan_location;
    options.order_prefix = scanning_.order_prefix;
    if (!desk.tasks) {
        std::unique_ptr<ful::TaskStation> station;
        switch (mode) {
            case ful::StationMode::receive:
                station = std::make_unique<ful::ReceiveStation>(store_, inventory_, receipts_, name, options);
                break;
            case ful::StationMode::putaway:
                station = std::make_unique<ful::PutawayStation>(store_, inventory_, name, options);
                break;
            case ful::StationMode::pick:
                station =
                    std::make_unique<ful::PickStation>(store_, inventory_, orders_, topics_, name, options);
                break;
            case ful::StationMode::returns:
                station = std::make_unique<ful::ReturnsStation>(store_, inventory_, returns_, name, options);
                break;
            default:
                station = std::make_unique<ful::CountStation>(store_, inventory_, name, options);
                break;
        }
        desk.tasks = station.get();
        desk.station = std::move(station);
    } else {
        desk.tasks->set_options(options);
    }
    desk.scale.reset();
}

void StationDesk::apply(const ReloadableSections& devices, const DeviceRegistry& registry) {
    config_ = devices.stations;
    registry_ = &registry;
    scanning_ = devices.scanning;
    for (const auto& [name, sc] : config_) {
        build(desks_[name], name, sc, &registry);
    }
    std::erase_if(desks_, [&](const auto& kv) { return !config_.count(kv.first); });
    // A scanner named by two stations scans for the first of them by name.
    station_of_scanner_.clear();
    for (const auto& [name, sc] : config_) {
        if (!sc.scanner.empty()) {
            station_of_scanner_.emplace(sc.scanner, name);
        }
    }
    apply_scanning(devices.scanning);
}

std::optional<ful::StationReply> StationDesk::shift_scan(const std::string& station,
                                                         const ful::ScanEvent& scan) {
    const ful::ScanMeaning& m = scan.meaning;
    Desk& desk = desks_.at(station);
    const StationConfig& sc = config_.at(station);
    ful::StationReply r;
    r.mode = desk.station->mode();
    r.step = "idle";
    r.scan = printable(scan.raw.substr(0, 128));
    if (m.kind == ful::ScanKind::badge) {
        ful::Transaction tx(store_.db());
        ful::set_shift_badge(store_, station, m.code);
        tx.commit();
        r.message =
            "operator " + m.code + " at station " + station + ": every step is signed with this badge";
        log::info("station " + station + ": " + r.message);
        return r;
    }
    if (m.kind != ful::ScanKind::command || !m.code.starts_with("MODE-")) {
        return std::nullopt;
    }
    std::string word = m.code.substr(5);
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto mode = ful::station_mode_named(word);
    const bool allowed = mode && (word == sc.mode || std::count(sc.modes.begin(), sc.modes.end(), word) > 0);
    r.ok = false;
    if (!allowed) {
        std::string modes = sc.mode;
        for (const auto& other : sc.modes) {
            modes += other == sc.mode ? "" : ", " + other;
        }
        r.message =
            "station " + station + " does not switch to " + printable(word) + " (its modes: " + modes + ")";
        return r;
    }
    if (*mode == desk.station->mode()) {
        r.ok = true;
        r.message = "station " + station + " is in " + word + " mode already";
        return r;
    }
    if (desk.station->busy()) {
        r.message = "finish or CANCEL what is open first: station " + station + " stays in " +
                    std::string(to_string(desk.station->mode())) + " mode";
        return r;
    }
    ful::Transaction tx(store_.db());
    ful::set_shift_mode(store_, station, *mode);
    tx.commit();
    build(desk, station, sc, registry_);
    r.ok = true;
    r.mode = *mode;
    r.message = "station " + station + " switched to " + word + " mode";
    log::info(r.message);
    return r;
}

void StationDesk::apply_scanning(const ScanningConfig& scanning) {
    scanning_ = scanning;
    ful::ImageDecoderSettings settings;
    settings.decoder_path = scanning.image_decoder.empty() ? default_image_decoder() : scanning.image_decoder;
    settings.limits.timeout = std::chrono::milliseconds(scanning.image_timeout_ms);
    settings.max_running = static_cast<std::size_t>(scanning.image_decoders);
    settings.max_waiting = static_cast<std::size_t>(scanning.image_queue);
    if (image_decoder_ && settings.decoder_path == image_decoder_settings_.decoder_path &&
        settings.limits.timeout == image_decoder_settings_.limits.timeout &&
        settings.max_running == image_decoder_settings_.max_running &&
        settings.max_waiting == image_decoder_settings_.max_waiting) {
        return;
    }
    if (image_decoder_ && (image_decoder_->running() > 0 || image_decoder_->waiting() > 0)) {
        log::warning("image decoding changed: " +
                     std::to_string(image_decoder_->running() + image_decoder_->waiting()) +
                     " image scan(s) in progress dropped; scan them again");
    }
    image_decoder_settings_ = settings;
    image_decoder_ = std::make_unique<ful::ImageDecoder>(io_, settings);
    log::info("image scans decoded by " + settings.decoder_path + ", " +
              std::to_string(settings.max_running) + " at once");
}

bool StationDesk::verifiable(std::string_view text) const {
    return ful::scan_is_verifiable(text, scan_rules(scanning_, current_year()),
                                   ful::catalogue_of(inventory_));
}

std::string StationDesk::station_of_scanner(const std::string& scanner) const {
    const auto it = station_of_scanner_.find(scanner);
    return it != station_of_scanner_.end() ? it->second : "";
}

json StationDesk::take_scanner_scan(const std::string& scanner, const drivers::ScanReading& reading) {
    return take_scan(station_of_scanner(scanner), scanner, reading);
}

json StationDesk::take_scan(const std::string& station, const std::string& device,
                            const drivers::ScanReading& reading) {
    json event = handle_scan(station, device, reading);
    auto& recent = recent_scans_[station];
    recent.push_back(event);
    while (recent.size() > kRecentScans) {
        recent.pop_front();
    }
    return event;
}

Status StationDesk::take_image_scan(const std::string& station, std::string image) {
    if (!config_.count(station)) {
        std::string names;
        for (const auto& [name, unused] : config_) {
            names += (names.empty() ? "" : ", ") + name;
        }
        return fail("no such station (configured: " + (names.empty() ? "none" : names) + ")");
    }
    log::info("image scan for station " + station + ": " + std::to_string(image.size()) + " bytes");
    // Decoding starts after the intake's transaction: the helper is started outside it.
    boost::asio::post(io_, [this, station, image = std::move(image)]() mutable {
        image_decoder_->decode(
            std::vector<std::uint8_t>(image.begin(), image.end()),
            [this, station](Result<std::vector<ful::ImageBarcode>> found) {
                if (!found) {
                    take_scan(station, "image", {{}, {}, "image scan: " + found.error().message, {}});
                    return;
                }
                for (const ful::ImageBarcode& barcode : *found) {
                    take_scan(station, "image", {barcode.text, barcode.symbology, {}, {}});
                }
            });
    });
    return {};
}

json StationDesk::handle_scan(const std::string& station, const std::string& device,
                              const drivers::ScanReading& reading) {
    const ful::ScanRules rules = scan_rules(scanning_, current_year());
    const ful::ScanEvent scan = read_scan(station, device, reading, rules, ful::catalogue_of(inventory_));
    json event = ful::to_json(scan);
    if (event.value("valid", false)) {
        log::info("scan " + event.dump());
    } else {
        log::warning("scan " + event.dump());
    }
    if (auto it = desks_.find(station); it != desks_.end()) {
        try {
            auto shift = shift_scan(station, scan);
            const ful::StationReply reply = shift ? *shift : it->second.station->on_scan(scan);
            on_reply_(station, reply);
            event["station_reply"] = ful::to_json(reply);
            if (!reply.ok) {
                // After the station's own transaction: the rules of a refused scan run in one of theirs.
                ful::DomainEvent refused;
                refused.trigger = event.value("valid", false) ? "scan.refused" : "scan.unknown";
                refused.station = station;
                refused.device = device;
                refused.data = reading.data.substr(0, 200);
                refused.reason = reply.message;
                refused.order_id = reply.order_id;
                store_.emit(std::move(refused));
            }
        } catch (const ful::SqliteError& e) {
            // The store refused (disk full, locked): the scan changed nothing and the packer is told.
            log::error("station " + station + ": store: " + e.what());
            event["station_reply"] = {{"ok", false}, {"message", std::string("store error: ") + e.what()}};
        }
    }
    return event;
}

json StationDesk::scan_command(const json& request) {
    const std::string station = request.value("station", "");
    const auto it = config_.find(station);
    if (it == config_.end() || !request.contains("data") || !request["data"].is_string()) {
        return {{"ok", false},
                {"error", "scan needs a configured station and data: no station \"" +
                              printable(station.substr(0, 64)) + "\""}};
    }
    const std::string device = it->second.scanner.empty() ? "packctl" : it->second.scanner;
    return {{"ok", true},
            {"scan", take_scan(station, device, {request["data"].get<std::string>(), {}, {}, {}})}};
}

json StationDesk::scans_command(const json& request) const {
    const std::string station = request.value("station", "");
    if (!station.empty() && !config_.count(station)) {
        return {{"ok", false}, {"error", "no station \"" + printable(station.substr(0, 64)) + "\""}};
    }
    json out = json::object();
    for (const auto& [name, events] : recent_scans_) {
        if (station.empty() || name == station) {
            out[name.empty() ? "(no station)" : name] = json(events);
        }
    }
    return {{"ok", true}, {"scans", out}};
}

json StationDesk::station_command(const json& request) const {
    const std::string only = request.value("station", "");
    if (!only.empty() && !desks_.count(only)) {
        return {{"ok", false}, {"error", "no station \"" + printable(only.substr(0, 64)) + "\""}};
    }
    json out = json::array();
    for (const auto& [name, desk] : desks_) {
        if (only.empty() || only == name) {
            out.push_back(desk.station->view());
        }
    }
    return {{"ok", true}, {"stations", out}};
}

}  // namespace packd::host
