#pragma once
// The devices the config names (printers with their print queues, scales with their weight services,
// scanners), built from their sections and kept in step with them: at start every device is made, at a
// reload only those whose section changed, appeared or went away. Which class drives which `type` is the
// per-role factories' business (printer_wiring, scale_wiring, scan_wiring).

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "packd/drivers/camera_feed.hpp"
#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/scanner.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"
#include "packd/host/config.hpp"
#include "packd/host/scale_commands.hpp"
#include "packd/host/scale_wiring.hpp"

namespace packd::host {

/// One function per role that turns a section into a device; tests put fakes here.
struct DeviceFactories {
    std::function<std::shared_ptr<drivers::LabelPrinter>(boost::asio::io_context&, const PrinterConfig&)>
        printer;
    std::function<OpenedScale(boost::asio::io_context&, const ScaleConfig&)> scale;
    std::function<std::shared_ptr<drivers::Scanner>(boost::asio::io_context&, const ScannerConfig&,
                                                    std::function<bool(std::string_view)> verifiable,
                                                    drivers::CameraFrameDecoder camera_decoder)>
        scanner;
};

/// make_printer, open_scale and make_scanner.
DeviceFactories real_device_factories();

class DeviceRegistry {
  public:
    using Printers = std::map<std::string, std::shared_ptr<drivers::LabelPrinter>>;
    using Queues = std::map<std::string, std::unique_ptr<fulfillment::PrintQueue>>;
    using Scales = std::map<std::string, std::shared_ptr<drivers::Scale>>;
    using Scanners = std::map<std::string, std::shared_ptr<drivers::Scanner>>;
    /// The print queue of one printer (the daemon's, with its alerts and previews).
    using QueueFactory = std::function<std::unique_ptr<fulfillment::PrintQueue>(const std::string& printer)>;

    /// What a scanner needs from the rest of packd.
    struct ScannerHooks {
        std::function<bool(std::string_view)> verifiable;
        drivers::CameraFrameDecoder camera_decoder;
        std::function<void(const std::string& scanner, const drivers::ScanReading&)> on_scan;
    };

    /// Told each change of a device's status as its driver pushes it: an outage shorter than the
    /// daemon's look every few seconds is seen too. Runs on the io_context.
    using StateListener = std::function<void(const std::string& role, const std::string& name,
                                             const drivers::DeviceStatus& status)>;

    DeviceRegistry(boost::asio::io_context& io, QueueFactory make_queue,
                   DeviceFactories factories = real_device_factories());

    /// One listener for every device, those made already and those made by later reconciles.
    void on_device_state(StateListener listener);

    /// Makes the devices match `wanted`. `running` is the config the current devices were made from;
    /// a device whose section is equal there is kept as it is (its connection, its queue, its readings).
    void reconcile(const ReloadableSections& running, const ReloadableSections& wanted,
                   const ScannerHooks& hooks);
    /// Printers the store still holds labels for: each gets a queue, configured or not, so its jobs are
    /// counted and resume if it comes back. Returns the ones that are not configured.
    std::vector<std::string> keep_queues_for(const std::vector<std::string>& printers);

    const Printers& printers() const { return printers_; }
    const Queues& queues() const { return queues_; }
    const Scales& scales() const { return scales_; }
    const Scanners& scanners() const { return scanners_; }
    const ScaleCommands::WeightServices& weights() const { return weights_; }
    /// The weight service of a scale, shared with whoever holds it (a station); nullptr when none.
    std::shared_ptr<fulfillment::WeightService> weights_of(const std::string& scale) const;
    /// Sends the queues of these printers their new jobs.
    void kick_printers(const std::set<std::string>& printers);
    void kick_all();

  private:
    void reconcile_printers(const ReloadableSections& running, const ReloadableSections& wanted, bool first);
    void reconcile_scales(const ReloadableSections& running, const ReloadableSections& wanted, bool first);
    void reconcile_scanners(const ReloadableSections& running, const ReloadableSections& wanted, bool first,
                            const ScannerHooks& hooks);
    /// Passes `device`'s pushes to the listener under its role and name.
    void listen(drivers::Device& device, const std::string& role, const std::string& name);

    boost::asio::io_context& io_;
    std::shared_ptr<StateListener> listener_ = std::make_shared<StateListener>();
    QueueFactory make_queue_;
    DeviceFactories factories_;
    Printers printers_;
    Queues queues_;
    Scales scales_;
    /// One per scale: live readings, stable weight, wait for stable. Shared with the stations using it.
    ScaleCommands::WeightServices weights_;
    Scanners scanners_;
};

}  // namespace packd::host
