#pragma once
// The packd process: one io_context that owns all domain state, the wiring of config to
// devices, stations, the store, the shop link and the admin socket, and the lifecycle
// (start, SIGHUP reload, SIGTERM/SIGINT graceful stop).

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "packd/common/loop_monitor.hpp"
#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/scanner.hpp"
#include "packd/fulfillment/intake/inbox_pump.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/printing/label_previews.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/scanning/image_decoder.hpp"
#include "packd/fulfillment/shop/outbox_pump.hpp"
#include "packd/fulfillment/shop/shop_link.hpp"
#include "packd/fulfillment/shop/stock_publisher.hpp"
#include "packd/fulfillment/stations/pack_station.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/host/admin_server.hpp"
#include "packd/host/config.hpp"
#include "packd/host/label_commands.hpp"
#include "packd/host/print_job_commands.hpp"
#include "packd/host/scale_commands.hpp"
#include "packd/host/store_commands.hpp"
#include "packd/host/systemd_notifier.hpp"

namespace packd::host {

class Daemon {
  public:
    explicit Daemon(Config config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Starts everything, runs until stopped by a signal; returns the process exit code.
    int run();

  private:
    Status start();
    Status open_devices(const ReloadableSections& devices);
    /// The print queue of one printer, asking previews_ for the previews its printer wants.
    std::unique_ptr<fulfillment::PrintQueue> make_print_queue(const std::string& printer);
    void apply_label_route();
    /// Loads the label templates `labels` names into templates_; on failure the old ones stay.
    Status load_label_templates(const LabelsConfig& labels);
    void on_signal(int signo);
    void reload();
    void shutdown();
    void finish_shutdown();
    /// After the inbox applied something: send the new labels and messages, retry held orders.
    void after_intake(const fulfillment::IntakeResult& result);
    /// Raises an alert for every device whose state changed since the last look.
    void watch_devices();
    void retry_held_orders();
    /// Sends the queues of these printers their new jobs.
    void kick_printers(const std::set<std::string>& printers);
    void publish_status();
    std::string status_line();
    void tick();
    void publish_stock_levels();
    nlohmann::json handle_admin(const nlohmann::json& request);
    /// Interprets a scan from a scanner (or `packctl scan`), logs it as one scan event and returns it.
    nlohmann::json handle_scan(const std::string& station, const std::string& device,
                               const drivers::ScanReading& reading);
    /// handle_scan, and the event kept among the station's recent scans (admin `scans`).
    nlohmann::json take_scan(const std::string& station, const std::string& device,
                             const drivers::ScanReading& reading);
    /// The intake's image scan sink: a known station's image goes to the image decoder; each barcode
    /// found becomes a scan from device "image", and an image without one a rejected scan.
    Status take_image_scan(const std::string& station, std::string image);
    /// (Re)creates the image decoder when [scanning] asks for other helpers.
    void apply_scanning(const ScanningConfig& scanning);
    nlohmann::json recent_scans(const std::string& station) const;
    std::string station_of_scanner(const std::string& scanner) const;
    /// Makes the pack stations match the config and points each at its scale's weight service.
    void apply_stations();
    /// After a station changed something: send the outbox, log, and print a reprint.
    void after_station_reply(const std::string& station, const fulfillment::StationReply& reply);
    nlohmann::json stations_json(const std::string& only);
    nlohmann::json status_json();
    /// The event loop's lag and longest handler since start or the last `packctl loop --reset`.
    nlohmann::json loop_json() const;

    boost::asio::io_context io_;
    Config config_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    boost::asio::signal_set signals_;
    boost::asio::steady_timer tick_timer_;
    /// The last state seen of each device ("printer desk"), for device alerts.
    std::map<std::string, drivers::DeviceState> device_states_;
    fulfillment::Topics topics_{"packd/v1", "unset"};
    boost::asio::steady_timer stop_deadline_;
    LoopMonitor loop_monitor_;
    SystemdNotifier notifier_;
    std::unique_ptr<fulfillment::Store> store_;
    std::unique_ptr<fulfillment::Inventory> inventory_;
    std::unique_ptr<fulfillment::OrderBook> orders_;
    std::unique_ptr<fulfillment::OrderIntake> intake_;
    std::unique_ptr<fulfillment::InboxPump> inbox_;
    std::unique_ptr<fulfillment::ShopLink> link_;
    std::unique_ptr<fulfillment::OutboxPump> pump_;
    std::unique_ptr<fulfillment::StockPublisher> stock_levels_;
    boost::asio::steady_timer stock_timer_;
    /// Print job previews, drawn on demand; destroyed after the queues that ask it (declared before them).
    std::unique_ptr<fulfillment::LabelPreviews> previews_;
    std::unique_ptr<StoreCommands> store_commands_;
    std::unique_ptr<LabelCommands> label_commands_;
    std::unique_ptr<PrintJobCommands> print_job_commands_;
    std::shared_ptr<const fulfillment::LabelTemplates> label_templates_;
    std::unique_ptr<AdminServer> admin_;
    std::map<std::string, std::shared_ptr<drivers::LabelPrinter>> printers_;
    std::map<std::string, std::unique_ptr<fulfillment::PrintQueue>> queues_;
    std::map<std::string, std::shared_ptr<drivers::Scale>> scales_;
    /// One per scale: live readings, stable weight, wait for stable. Destroyed before scales_.
    ScaleCommands::WeightServices weights_;
    ScaleCommands scale_commands_{weights_};
    std::map<std::string, std::shared_ptr<drivers::Scanner>> scanners_;
    std::unique_ptr<fulfillment::ImageDecoder> image_decoder_;
    fulfillment::ImageDecoderSettings image_decoder_settings_;
    /// The last scan events of each station, newest last, for `packctl scans`.
    std::map<std::string, std::deque<nlohmann::json>> recent_scans_;
    /// The pack stations, each pointing at a WeightService in weights_: declared after it, so destroyed
    /// before it.
    std::map<std::string, std::unique_ptr<fulfillment::PackStation>> stations_;
    bool stopping_ = false;
    int queues_draining_ = 0;
    int exit_code_ = 0;
};

}  // namespace packd::host
