#pragma once
// The stations of the floor: each station in its mode (pack with the scale it weighs on, receive, put-away,
// count, returns), which scanner stands at which station, the operator badge and the mode switch every mode
// understands, the recent scans of each station, and image scans decoded by helper processes. A scan from
// any source (a scanner, a camera, an image sent by the shop, `packctl scan`) is routed here.

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/drivers/scanner.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/inventory/receipts.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/return_desk.hpp"
#include "packd/fulfillment/scanning/image_decoder.hpp"
#include "packd/fulfillment/stations/pack_station.hpp"
#include "packd/fulfillment/stations/task_station.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"
#include "packd/host/config.hpp"
#include "packd/host/device_registry.hpp"

namespace packd::host {

class StationDesk {
  public:
    /// Called after a station changed something (its reply), to send the outbox and print reprints.
    using ReplySink = std::function<void(const std::string& station, const fulfillment::StationReply& reply)>;
    /// Scan events kept per station for `packctl scans`.
    static constexpr std::size_t kRecentScans = 20;

    StationDesk(boost::asio::io_context& io, fulfillment::Store& store, fulfillment::OrderBook& orders,
                fulfillment::Inventory& inventory, fulfillment::Topics topics, ReplySink on_reply);
    ~StationDesk();
    StationDesk(const StationDesk&) = delete;
    StationDesk& operator=(const StationDesk&) = delete;

    /// Makes the stations match `devices` (each using its scale's weight service from `registry`), maps
    /// scanners to stations, and (re)creates the image decoder when [scanning] asks for other helpers.
    void apply(const ReloadableSections& devices, const DeviceRegistry& registry);
    /// The [scanning] part of apply(); at start it runs before the devices open, as cameras use the decoder.
    void apply_scanning(const ScanningConfig& scanning);

    /// A scan from a scanner: routed to the station it stands at (none: "").
    nlohmann::json take_scanner_scan(const std::string& scanner, const drivers::ScanReading& reading);
    /// Interprets a scan, logs it as one scan event, hands it to the station, keeps it among the station's
    /// recent scans and returns it.
    nlohmann::json take_scan(const std::string& station, const std::string& device,
                             const drivers::ScanReading& reading);
    /// The intake's image scan sink: a known station's image goes to the image decoder; each barcode
    /// found becomes a scan from device "image", and an image without one a rejected scan.
    Status take_image_scan(const std::string& station, std::string image);

    /// Whether a scanner's text reads as a code packd can check (a keyboard wedge's layout test).
    bool verifiable(std::string_view text) const;
    /// The current image decoder (a reload may replace it); nullptr before apply_scanning.
    fulfillment::ImageDecoder* image_decoder() const { return image_decoder_.get(); }
    /// "" when no station has this scanner.
    std::string station_of_scanner(const std::string& scanner) const;

    // The admin verbs "scan", "scans" and "station".
    nlohmann::json scan_command(const nlohmann::json& request);
    nlohmann::json scans_command(const nlohmann::json& request) const;
    nlohmann::json station_command(const nlohmann::json& request) const;

  private:
    /// A station in its mode, and the weight service a pack station weighs with, kept alive as long as the
    /// station uses it.
    struct Desk {
        std::shared_ptr<fulfillment::WeightService> scale;
        std::unique_ptr<fulfillment::Station> station;  // after scale: destroyed before it
        fulfillment::PackStation* pack = nullptr;       // `station`, when it packs
        fulfillment::TaskStation* tasks = nullptr;      // `station`, in the other modes
    };

    nlohmann::json handle_scan(const std::string& station, const std::string& device,
                               const drivers::ScanReading& reading);
    /// The mode `name` runs in: the one a MODE- barcode chose, while the config still allows it, else its
    /// own.
    fulfillment::StationMode mode_of(const std::string& name, const StationConfig& sc);
    /// Makes the desk's station match its config and mode, keeping the station object when the mode is the
    /// same.
    void build(Desk& desk, const std::string& name, const StationConfig& sc, const DeviceRegistry* registry);
    /// A badge or MODE- scan, which every mode takes the same way; nothing for any other scan.
    std::optional<fulfillment::StationReply> shift_scan(const std::string& station,
                                                        const fulfillment::ScanEvent& scan);

    boost::asio::io_context& io_;
    fulfillment::Store& store_;
    fulfillment::OrderBook& orders_;
    fulfillment::Inventory& inventory_;
    fulfillment::Receipts receipts_;
    fulfillment::ReturnDesk returns_;
    fulfillment::Topics topics_;  ///< where a pick station's short_pick alerts go
    ReplySink on_reply_;
    std::map<std::string, StationConfig> config_;
    const DeviceRegistry* registry_ = nullptr;  ///< the one the last apply() used, for a mode switch to pack
    ScanningConfig scanning_;
    /// Scanner name -> station name, built at each apply().
    std::map<std::string, std::string> station_of_scanner_;
    std::unique_ptr<fulfillment::ImageDecoder> image_decoder_;
    fulfillment::ImageDecoderSettings image_decoder_settings_;
    /// The last scan events of each station, newest last.
    std::map<std::string, std::deque<nlohmann::json>> recent_scans_;
    std::map<std::string, Desk> desks_;
};

/// The helper built beside packd (a build tree, a test) wins over the installed one.
std::string default_image_decoder();

}  // namespace packd::host
