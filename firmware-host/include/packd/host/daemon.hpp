#pragma once
// The packd process: one io_context that owns all domain state, and the
// lifecycle (start, SIGHUP reload, SIGTERM/SIGINT graceful stop, the tick). The
// jobs are elsewhere: devices in DeviceRegistry, their state and alerts in
// DeviceWatch, scans and stations in StationDesk, admin verbs in AdminRouter.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "packd/common/loop_monitor.hpp"
#include "packd/fulfillment/intake/inbox_pump.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/printing/label_previews.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/rules/rule_engine.hpp"
#include "packd/fulfillment/shop/outbox_pump.hpp"
#include "packd/fulfillment/shop/shop_link.hpp"
#include "packd/fulfillment/shop/stock_publisher.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/host/admin_router.hpp"
#include "packd/host/admin_server.hpp"
#include "packd/host/config.hpp"
#include "packd/host/device_activity.hpp"
#include "packd/host/device_registry.hpp"
#include "packd/host/device_watch.hpp"
#include "packd/host/label_commands.hpp"
#include "packd/host/print_job_commands.hpp"
#include "packd/host/scale_commands.hpp"
#include "packd/host/station_desk.hpp"
#include "packd/host/store_commands.hpp"
#include "packd/host/systemd_notifier.hpp"
#include "packd/host/web_ui.hpp"

namespace packd::host {

/// The merchant rules of `config` compiled against an empty store in memory, as start would load them:
/// the first problem with its file, line and column. For `packd --check-config`.
Status check_rules(const Config& config);

class Daemon {
  public:
    explicit Daemon(Config config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Starts everything, runs until stopped by a signal; returns the process
    /// exit code. An exception out of a handler is logged and ends the process
    /// (systemd starts it again; the store is crash-safe).
    int run();

  private:
    // daemon.cpp: the lifecycle.
    Status start();
    void on_signal(int signo);
    void reload();
    void shutdown();
    void finish_shutdown();
    void tick();
    void publish_stock_levels();

    // daemon_wiring.cpp: devices and labels from the config.
    /// Makes the devices match `devices`; a store error is returned.
    Status open_devices(const ReloadableSections& devices);
    /// The print queue of one printer, asking previews_ for the previews its
    /// printer wants.
    std::unique_ptr<fulfillment::PrintQueue> make_print_queue(const std::string& printer);
    void apply_label_route();
    /// Loads the label templates `labels` names into templates_; on failure the
    /// old ones stay.
    Status load_label_templates(const LabelsConfig& labels);

    // daemon_follow_ups.cpp: what happens after something happened.
    /// After the inbox applied something: send the new labels and messages, retry
    /// held orders.
    void after_intake(const fulfillment::IntakeResult& result);
    void retry_held_orders();
    /// What a command or a station asked for after it answered.
    void follow_up(const FollowUps& then);
    /// After a station changed something: send the outbox, log, and print a
    /// reprint.
    void after_station_reply(const std::string& station, const fulfillment::StationReply& reply);
    /// A driver pushed a new status: its alert goes to the shop now, not at the next tick.
    void after_device_state(const std::string& role, const std::string& name,
                            const drivers::DeviceStatus& status);

    // daemon_status.cpp: what packd reports about itself, and the admin verb
    // table.
    void publish_status();
    std::string status_line();
    nlohmann::json status_json();
    /// Each printer's queue and last label, each scale's last reading, each scanner's last scan, with
    /// their types, into the devices of `status`.
    void add_device_activity(nlohmann::json& status);
    /// The event loop's lag and longest handler since start or the last `packctl
    /// loop --reset`.
    nlohmann::json loop_json() const;
    nlohmann::json orders_json();
    void add_admin_verbs();
    /// Loads the rules of [rules] (daemon_rules.cpp); the problem, and the running rules kept, when one
    /// does not load.
    Status apply_rules(const ReloadableSections& devices);
    /// After anything that may have run rules: the printers their labels went to, the outbox.
    void after_rules();
    void add_rule_verbs();

    // daemon_web.cpp: the web UI.
    /// Serves the web UI when [web] asks for it; the problem when its address or credentials fail.
    Status open_web();
    /// One station's screen: its view, the open order, the expected weight, its label and its devices.
    std::optional<nlohmann::json> station_screen(const std::string& station);
    /// Follows each scale's readings (after the devices changed) for the screens and the device page.
    void watch_scales();

    boost::asio::io_context io_;
    Config config_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    boost::asio::signal_set signals_;
    boost::asio::steady_timer tick_timer_;
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
    /// Print job previews, drawn on demand; destroyed after the queues that ask
    /// it (declared before them).
    std::unique_ptr<fulfillment::LabelPreviews> previews_;
    std::unique_ptr<StoreCommands> store_commands_;
    std::unique_ptr<LabelCommands> label_commands_;
    std::unique_ptr<PrintJobCommands> print_job_commands_;
    std::shared_ptr<const fulfillment::LabelTemplates> label_templates_;
    std::unique_ptr<AdminServer> admin_;
    AdminRouter router_;
    std::unique_ptr<DeviceRegistry> devices_;
    std::unique_ptr<ScaleCommands> scale_commands_;
    DeviceWatch device_watch_;
    /// The stations share the scales' weight services with devices_.
    std::unique_ptr<StationDesk> desk_;
    /// Merchant rules: the store's event sink (destroyed before the store, which is told first).
    std::unique_ptr<fulfillment::RuleEffects> rule_effects_;
    std::unique_ptr<fulfillment::RuleEngine> rules_;
    DeviceActivity activity_;
    /// The scales watch_scales() follows, with its subscription to each.
    std::map<std::string, std::pair<std::weak_ptr<fulfillment::WeightService>, int>> watched_scales_;
    /// The web UI; after desk_ and devices_, which it asks, so destroyed before them.
    std::unique_ptr<WebUi> web_;
    bool stopping_ = false;
    int queues_draining_ = 0;
    int exit_code_ = 0;
};

}  // namespace packd::host
