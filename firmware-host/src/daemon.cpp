#include "packd/host/daemon.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/drivers/file_printer.hpp"
#include "packd/drivers/sim_scanner.hpp"
#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/drivers/usb_printer.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "packd/host/scale_wiring.hpp"
#include "packd/host/scan_wiring.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

namespace {

constexpr std::chrono::seconds kTick{2};
constexpr std::chrono::seconds kStopDeadline{10};
/// Scan events kept per station for `packctl scans`.
constexpr std::size_t kRecentScans = 20;

// The helper built beside packd (a build tree, a test) wins over the installed one.
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

Result<std::string> read_secret(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail("broker.password_file " + path + ": cannot read: " + std::strerror(errno));
    }
    std::ostringstream s;
    s << in.rdbuf();
    std::string secret = s.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
    }
    return secret;
}

Status check_state_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail("state directory " + dir + ": cannot create it: " + ec.message() + " (daemon.state_dir)");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        return fail("state directory " + dir + ": not writable: " + std::strerror(errno) +
                    " (fix its owner or set daemon.state_dir)");
    }
    return {};
}

drivers::UsbPrinterSettings usb_printer_settings(const PrinterConfig& pc) {
    drivers::UsbPrinterSettings usb;
    // Validated as 4 hex digits each (or both empty) before any device is opened.
    if (!pc.vendor_id.empty()) {
        usb.match.vendor_id = static_cast<uint16_t>(std::stoul(pc.vendor_id, nullptr, 16));
        usb.match.product_id = static_cast<uint16_t>(std::stoul(pc.product_id, nullptr, 16));
    }
    usb.match.serial = pc.serial;
    usb.job.status_timeout = std::chrono::milliseconds(pc.status_timeout_ms);
    usb.job.job_timeout = std::chrono::milliseconds(pc.job_timeout_ms);
    usb.job.query = drivers::zpl_status_query(pc.status).value_or(drivers::ZplStatusQuery::hs);
    usb.reconnect = std::chrono::milliseconds(pc.reconnect_ms);
    usb.batch = static_cast<std::size_t>(pc.batch);
    return usb;
}

ful::Address ship_from(const SiteConfig& s) {
    return {s.name, s.company, s.street1, s.street2, s.city, s.region, s.postal_code, s.country};
}

}  // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      signals_(io_),
      tick_timer_(io_),
      stop_deadline_(io_),
      loop_monitor_(io_),
      notifier_(io_),
      stock_timer_(io_) {}

Daemon::~Daemon() = default;

int Daemon::run() {
    if (auto st = start(); !st) {
        log::error(st.error().message);
        return 1;
    }
    for (;;) {
        try {
            io_.run();
            break;
        } catch (const std::exception& e) {
            // A bug in one handler must not take the warehouse down; the loop goes on.
            log::error(std::string("unexpected error in the event loop: ") + e.what());
        }
    }
    log::notice("stopped");
    return exit_code_;
}

Status Daemon::start() {
    log::Level level = log::Level::info;
    log::parse_level(config_.daemon.log_level, level);
    log::set_threshold(level);

    // Signals first, so a SIGTERM during start-up is not lost (it is handled once the loop runs).
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (!ec) {
            on_signal(signo);
        }
    });

    if (auto st = check_state_dir(config_.daemon.state_dir); !st) {
        return st;
    }
    auto store = ful::Store::open(config_.daemon.state_dir + "/packd.db");
    if (!store) {
        return store.error();
    }
    store_ = std::move(*store);

    ful::BrokerSettings broker;
    const auto& b = config_.broker;
    broker.host = b.host;
    broker.port = b.port;
    broker.client_id = b.client_id;
    broker.username = b.username;
    if (!b.password_file.empty()) {
        auto secret = read_secret(b.password_file);
        if (!secret) {
            return secret.error();
        }
        broker.password = *secret;
    }
    broker.tls = b.tls;
    broker.ca_file = b.ca_file;
    broker.cert_file = b.cert_file;
    broker.key_file = b.key_file;
    broker.keepalive_s = b.keepalive_s;
    broker.reconnect_min = std::chrono::milliseconds(b.reconnect_min_ms);
    broker.reconnect_max = std::chrono::milliseconds(b.reconnect_max_ms);
    broker.shared_group = b.shared_group;
    broker.max_payload_bytes = static_cast<size_t>(b.max_payload_bytes);
    ful::Topics topics(b.topic_prefix, config_.site.id);
    topics_ = topics;

    inventory_ = std::make_unique<ful::Inventory>(
        *store_, topics, ful::InventorySettings{config_.devices.inventory.allow_oversell});
    orders_ = std::make_unique<ful::OrderBook>(*store_, *inventory_, topics);
    intake_ = std::make_unique<ful::OrderIntake>(*store_, *orders_, *inventory_, topics,
                                                 static_cast<size_t>(b.max_payload_bytes));
    store_commands_ = std::make_unique<StoreCommands>(*store_, *inventory_, *orders_);
    store_commands_->set_import_columns(config_.devices.import);
    previews_ = std::make_unique<ful::LabelPreviews>(io_, *store_);
    label_commands_ = std::make_unique<LabelCommands>(*store_, *orders_, *inventory_, topics, *previews_);
    print_job_commands_ = std::make_unique<PrintJobCommands>(*store_);
    if (auto st = load_label_templates(config_.devices.labels); !st) {
        return st;
    }
    apply_scanning(config_.devices.scanning);
    intake_->set_image_scan_sink([this](const std::string& station, std::string image) {
        return take_image_scan(station, std::move(image));
    });
    {
        std::vector<ful::TrackingRange> ranges;
        for (const auto& [name, t] : config_.tracking) {
            auto scheme = ful::parse_tracking_scheme(t.scheme);
            if (!scheme) {
                return fail("tracking." + name + ": " + scheme.error().message);
            }
            ranges.push_back({t.carrier, *scheme, t.prefix, t.first, t.last, t.low_water});
        }
        // Before any order is applied, so the ranges a label may draw from are the configured ones.
        if (auto st = ful::TrackingNumbers(*store_, topics).sync(ranges); !st) {
            return fail(st.error().message + " (check the [tracking.NAME] sections)");
        }
    }
    if (auto st = open_devices(config_.devices); !st) {
        return st;
    }
    apply_label_route();
    apply_stations();

    admin_ = std::make_unique<AdminServer>(io_, config_.daemon.admin_socket, config_.daemon.admin_group);
    if (auto st = admin_->open(); !st) {
        return st;
    }
    admin_->start([this](const json& request) { return handle_admin(request); });

    link_ = std::make_unique<ful::ShopLink>(io_, broker, topics);
    pump_ = std::make_unique<ful::OutboxPump>(*store_, *link_);
    stock_levels_ = std::make_unique<ful::StockPublisher>(
        *store_, *inventory_, topics, [this](const ful::OutboxMessage& msg, std::function<void(bool)> acked) {
            link_->publish(msg, std::move(acked));
        });
    inbox_ = std::make_unique<ful::InboxPump>(
        io_, *intake_, ful::IntakeBudget{}, [this](const ful::IntakeResult& result) { after_intake(result); },
        &loop_monitor_);
    auto started =
        link_->start([this](const std::vector<ful::InboundMessage>& batch) { return inbox_->take(batch); },
                     [this] {
                         publish_status();
                         pump_->restart();
                         stock_levels_->restart();
                     });
    if (!started) {
        return started;
    }

    // Messages stored but not applied before a crash or power cut are applied once the loop runs, in
    // slices: a long backlog neither delays READY nor keeps the loop from anything else.
    inbox_->kick();
    for (auto& [name, queue] : queues_) {
        queue->kick();
    }
    loop_monitor_.start();
    log::notice("packd " PACKD_VERSION " ready: site " + config_.site.id + ", store " + store_->db().path() +
                ", admin socket " + admin_->path());
    notifier_.ready(status_line());
    notifier_.start_watchdog();
    tick();
    publish_stock_levels();
    return {};
}

Status Daemon::open_devices(const ReloadableSections& wanted) {
    const ReloadableSections& running = config_.devices;
    const bool first = printers_.empty() && scales_.empty() && scanners_.empty();
    for (const auto& [name, pc] : wanted.printers) {
        auto old = running.printers.find(name);
        if (!first && old != running.printers.end() && old->second == pc && printers_.count(name)) {
            continue;
        }
        std::shared_ptr<drivers::LabelPrinter> printer;
        if (pc.type == "tcp") {
            drivers::TcpPrinterSettings tcp;
            tcp.host = pc.host;
            tcp.port = static_cast<std::uint16_t>(pc.port);
            tcp.connect_timeout = std::chrono::milliseconds(pc.connect_timeout_ms);
            tcp.status_timeout = std::chrono::milliseconds(pc.status_timeout_ms);
            tcp.job_timeout = std::chrono::milliseconds(pc.job_timeout_ms);
            tcp.query = drivers::zpl_status_query(pc.status).value_or(drivers::ZplStatusQuery::hs);
            tcp.batch = static_cast<std::size_t>(pc.batch);
            printer = std::make_shared<drivers::TcpZplPrinter>(io_, name, tcp);
        } else if (pc.type == "usb") {
            auto usb = std::make_shared<drivers::UsbPrinter>(io_, name, usb_printer_settings(pc));
            (void)usb->open();  // an absent printer is offline with the reason; hotplug finds it later
            printer = usb;
        } else {
            auto file = std::make_shared<drivers::FilePrinter>(io_, name, pc.directory);
            if (auto st = file->open(); !st) {
                log::warning("printer " + name + ": " + st.error().message);
            }
            printer = file;
        }
        printers_[name] = printer;
        auto& queue = queues_[name];
        if (!queue) {
            queue = make_print_queue(name);
        }
        queue->attach(printer);
    }
    for (auto it = printers_.begin(); it != printers_.end();) {
        if (!wanted.printers.count(it->first)) {
            log::notice("printer " + it->first +
                        " removed; its pending labels wait until it is configured again");
            queues_[it->first]->attach(nullptr);
            it = printers_.erase(it);
        } else {
            ++it;
        }
    }
    // A printer named in the store but no longer configured still gets a queue, so its jobs
    // are counted and resume if it comes back.
    try {
        for (const auto& name : store_->printers_with_pending_jobs()) {
            if (!queues_.count(name)) {
                queues_[name] = make_print_queue(name);
                log::warning("labels are waiting for printer " + name + ", which is not configured");
            }
        }
    } catch (const ful::SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }

    for (const auto& [name, sc] : wanted.scales) {
        auto old = running.scales.find(name);
        if (!first && old != running.scales.end() && old->second == sc && scales_.count(name)) {
            continue;
        }
        weights_.erase(name);
        scales_.erase(name);  // closes the old FIFO or port before the new one opens it
        OpenedScale opened = open_scale(io_, sc);
        if (!opened.opened) {
            log::warning("scale " + name + ": " + opened.opened.error().message);
        }
        if (!opened.scale) {
            continue;
        }
        auto scale = opened.scale;
        auto& weights = weights_[name];
        weights = std::make_unique<ful::WeightService>(io_, scale, stable_rules(sc));
        // Captured by copy under its own name: clang 14 cannot capture a structured binding.
        weights->subscribe([name = std::string(name)](const drivers::WeightReading& r) {
            if (r.valid) {
                log::debug("scale " + name + ": " + std::to_string(r.milligrams / 1000) + " g" +
                           (r.stable ? "" : " (in motion)"));
            } else {
                log::warning("scale " + name + ": invalid reading: " + r.reason);
            }
        });
        scales_[name] = scale;
    }
    std::erase_if(weights_, [&](const auto& kv) { return !wanted.scales.count(kv.first); });
    std::erase_if(scales_, [&](const auto& kv) { return !wanted.scales.count(kv.first); });

    for (const auto& [name, sc] : wanted.scanners) {
        auto old = running.scanners.find(name);
        if (!first && old != running.scanners.end() && old->second == sc && scanners_.count(name)) {
            continue;
        }
        scanners_.erase(name);
        auto verifiable = [this](std::string_view text) {
            return ful::scan_is_verifiable(text, scan_rules(config_.devices.scanning, current_year()),
                                           ful::catalogue_of(*inventory_));
        };
        auto scanner =
            make_scanner(io_, sc, verifiable, image_frame_decoder([this] { return image_decoder_.get(); }));
        scanner->on_scan([this, name = std::string(name)](const drivers::ScanReading& scan) {
            take_scan(station_of_scanner(name), name, scan);
        });
        scanners_[name] = scanner;
    }
    std::erase_if(scanners_, [&](const auto& kv) { return !wanted.scanners.count(kv.first); });
    return {};
}

std::unique_ptr<ful::PrintQueue> Daemon::make_print_queue(const std::string& printer) {
    auto queue = std::make_unique<ful::PrintQueue>(io_, *store_, printer);
    queue->set_alerts(topics_.alerts(), [this] {
        if (pump_) {
            pump_->kick();  // nothing yet at start: the pump sends the outbox once it exists
        }
    });
    // Only printers that keep a preview beside each label (the file printer) make the queue ask for one.
    queue->set_preview_source([this](const ful::StoredPrintJob& job, std::function<void(std::string)> done) {
        previews_->draw(job, std::move(done));
    });
    return queue;
}

Status Daemon::load_label_templates(const LabelsConfig& labels) {
    const std::string directory = label_templates_dir(labels);
    auto loaded = ful::load_label_templates(directory);
    if (!loaded) {
        return fail("label templates: " + loaded.error().message);
    }
    label_templates_ = std::make_shared<const ful::LabelTemplates>(std::move(*loaded));
    log::info("label templates loaded from " + directory);
    return {};
}

void Daemon::apply_label_route() {
    ful::LabelRoute route;
    route.printer = config_.devices.labels.printer_for("shipping", nullptr);
    route.size = label_size_for(config_.devices, route.printer);
    route.ship_from = ship_from(config_.site);
    route.templates = label_templates_;
    intake_->set_label_route(route);
    LabelSetup setup;
    setup.devices = config_.devices;
    setup.templates = label_templates_;
    setup.ship_from = route.ship_from;
    setup.max_payload_bytes = static_cast<size_t>(config_.broker.max_payload_bytes);
    for (const auto& [name, range] : config_.tracking) {
        if (range.scheme == "sscc" && setup.sscc_carrier.empty()) {
            setup.sscc_carrier = range.carrier;
        }
    }
    label_commands_->set_setup(std::move(setup));
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP) {
        reload();
    } else {
        log::notice(std::string("received ") + (signo == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
        shutdown();
    }
    signals_.async_wait([this](const boost::system::error_code& ec, int next) {
        if (!ec) {
            on_signal(next);
        }
    });
}

void Daemon::reload() {
    if (stopping_) {
        return;
    }
    notifier_.reloading();
    auto fresh = load_config(config_.path);
    if (!fresh) {
        log::error("reload refused, the running config stays in force: " + fresh.error().message);
        notifier_.ready(status_line());
        return;
    }
    if (!(fresh->site == config_.site) || !(fresh->daemon == config_.daemon) ||
        !(fresh->broker == config_.broker)) {
        log::warning("changes to [site], [daemon] and [broker] take effect at the next restart");
    }
    if (auto st = open_devices(fresh->devices); !st) {
        log::error("reload: " + st.error().message);
    }
    // A template that does not load is refused; the ones in use stay.
    if (auto st = load_label_templates(fresh->devices.labels); !st) {
        log::error("reload: " + st.error().message + "; the label templates in use stay");
    }
    config_.devices = fresh->devices;
    apply_label_route();
    apply_stations();
    inventory_->set_settings(ful::InventorySettings{config_.devices.inventory.allow_oversell});
    store_commands_->set_import_columns(config_.devices.import);
    apply_scanning(config_.devices.scanning);
    log::notice("config reloaded from " + config_.path + ": " + std::to_string(printers_.size()) +
                " printers, " + std::to_string(scales_.size()) + " scales, " +
                std::to_string(scanners_.size()) + " scanners, " +
                std::to_string(config_.devices.stations.size()) + " stations");
    for (auto& [name, queue] : queues_) {
        queue->kick();
    }
    notifier_.ready(status_line());
}

void Daemon::shutdown() {
    if (stopping_) {
        return;
    }
    stopping_ = true;
    notifier_.stopping();
    inbox_->stop();
    loop_monitor_.stop();
    tick_timer_.cancel();
    stock_timer_.cancel();
    admin_->close();
    stop_deadline_.expires_after(kStopDeadline);
    stop_deadline_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            log::warning("stop deadline reached; unfinished labels stay queued and resume at the next start");
            io_.stop();
        }
    });
    queues_draining_ = static_cast<int>(queues_.size());
    if (queues_draining_ == 0) {
        finish_shutdown();
        return;
    }
    for (auto& [name, queue] : queues_) {
        queue->drain([this] {
            if (--queues_draining_ == 0) {
                finish_shutdown();
            }
        });
    }
}

void Daemon::finish_shutdown() {
    // Give messages already handed to the broker a moment for their PUBACK, then leave cleanly.
    auto waited = std::make_shared<int>(0);
    auto timer = std::make_shared<boost::asio::steady_timer>(io_);
    auto step = std::make_shared<std::function<void()>>();
    *step = [this, waited, timer, step] {
        if (pump_->in_flight() > 0 && link_->connected() && (*waited)++ < 40) {
            timer->expires_after(std::chrono::milliseconds(50));
            timer->async_wait([step](const boost::system::error_code&) { (*step)(); });
            return;
        }
        link_->stop([this, step] {
            *step = nullptr;  // breaks the self-reference
            stop_deadline_.cancel();
            io_.stop();
        });
    };
    (*step)();
}

void Daemon::kick_printers(const std::set<std::string>& printers) {
    for (const auto& printer : printers) {
        if (auto it = queues_.find(printer); it != queues_.end()) {
            it->second->kick();
        }
    }
}

void Daemon::after_intake(const ful::IntakeResult& result) {
    kick_printers(result.printers_with_new_jobs);
    if (result.outbox_grew) {
        pump_->kick();
    }
    if (result.stock_changed) {
        retry_held_orders();  // the shop corrected stock: orders waiting for it can go
    }
}

void Daemon::retry_held_orders() {
    auto result = intake_->retry_held();
    if (!result) {
        log::error(result.error().message);
        return;
    }
    kick_printers(result->printers_with_new_jobs);
}

void Daemon::watch_devices() {
    std::vector<std::pair<std::string, drivers::DeviceStatus>> now;
    for (const auto& [name, p] : printers_) {
        now.emplace_back("printer " + name, p->status());
    }
    for (const auto& [name, s] : scales_) {
        now.emplace_back("scale " + name, s->status());
    }
    for (const auto& [name, s] : scanners_) {
        now.emplace_back("scanner " + name, s->status());
    }
    bool changed = false;
    try {
        ful::Transaction tx(store_->db());
        for (const auto& [device, status] : now) {
            // A device is taken to have been ready before packd first looked: one that starts
            // offline is worth an alert too.
            auto [it, inserted] = device_states_.emplace(device, drivers::DeviceState::ready);
            if (it->second == status.state) {
                continue;
            }
            it->second = status.state;
            changed = true;
            const bool back = status.state == drivers::DeviceState::ready;
            const auto space = device.find(' ');
            store_->outbox_add(
                topics_.alerts(),
                json{{"kind", back                                            ? "device_ready"
                              : status.state == drivers::DeviceState::offline ? "device_offline"
                                                                              : "device_fault"},
                     {"device", device.substr(space + 1)},
                     {"role", device.substr(0, space)},
                     {"state", drivers::to_string(status.state)},
                     {"detail", status.detail}}
                    .dump(-1, ' ', false, json::error_handler_t::replace),
                false);
            (back ? log::notice : log::warning)(device + " " + drivers::to_string(status.state) +
                                                (status.detail.empty() ? "" : ": " + status.detail));
        }
        tx.commit();
    } catch (const ful::SqliteError& e) {
        log::error(std::string("device alerts: ") + e.what());
        return;
    }
    if (changed) {
        pump_->kick();
        if (link_->connected()) {
            publish_status();
        }
    }
}

void Daemon::publish_status() {
    json devices = json::object();
    for (const auto& [name, p] : printers_) {
        devices["printers"][name] = drivers::to_string(p->status().state);
    }
    for (const auto& [name, s] : scales_) {
        devices["scales"][name] = drivers::to_string(s->status().state);
    }
    for (const auto& [name, s] : scanners_) {
        devices["scanners"][name] = drivers::to_string(s->status().state);
    }
    link_->publish_status(json{
        {"state", "online"},
        {"version", PACKD_VERSION},
        {"site", config_.site.id},
        {"devices", devices}}.dump());
}

std::string Daemon::status_line() {
    std::string line;
    if (auto counts = store_->counts()) {
        line = std::to_string(counts->orders_open) + " orders open, " +
               std::to_string(counts->print_jobs_pending) + " labels queued";
        if (counts->print_jobs_uncertain > 0) {
            line += ", " + std::to_string(counts->print_jobs_uncertain) + " may have printed";
        }
    } else {
        line = "store error";
    }
    line += link_ && link_->connected() ? ", broker connected" : ", broker offline";
    for (const auto& [name, p] : printers_) {
        if (p->status().state != drivers::DeviceState::ready) {
            line += ", printer " + name + " " + drivers::to_string(p->status().state);
        }
    }
    for (const auto& [name, s] : scales_) {
        if (s->status().state != drivers::DeviceState::ready) {
            line += ", scale " + name + " " + drivers::to_string(s->status().state);
        }
    }
    for (const auto& [name, s] : scanners_) {
        if (s->status().state != drivers::DeviceState::ready) {
            line += ", scanner " + name + " " + drivers::to_string(s->status().state);
        }
    }
    return line;
}

void Daemon::tick() {
    if (stopping_) {
        return;
    }
    {
        LoopMonitor::Scope timed(&loop_monitor_, "tick");
        notifier_.status(status_line());
        watch_devices();
    }
    inbox_->kick();  // retries what a store error left behind; nothing to do costs one small query
    tick_timer_.expires_after(kTick);
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            tick();
        }
    });
}

void Daemon::publish_stock_levels() {
    if (stopping_) {
        return;
    }
    if (link_->connected()) {
        stock_levels_->publish_pending();
    }
    // A quarter second gathers a burst of movements into one message per SKU and still reaches the
    // shop well before a customer looks again.
    stock_timer_.expires_after(std::chrono::milliseconds(250));
    stock_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            publish_stock_levels();
        }
    });
}

json Daemon::status_json() {
    json out{{"version", PACKD_VERSION},
             {"pid", static_cast<int64_t>(::getpid())},
             {"site", config_.site.id},
             {"config", config_.path},
             {"uptime_s",
              std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
                  .count()},
             {"summary", status_line()},
             {"broker",
              {{"connected", link_ && link_->connected()}, {"state", link_ ? link_->state_text() : ""}}}};
    const ful::IntakeTotals& intake = intake_->totals();
    out["intake"] = {{"stored", intake.stored},         {"applied", intake.applied},
                     {"duplicates", intake.duplicates}, {"rejected", intake.rejected},
                     {"batches", intake.batches},       {"largest_batch", intake.largest_batch}};
    out["loop"] = loop_json();
    if (auto counts = store_->counts()) {
        out["store"] = {{"path", store_->db().path()},
                        {"orders", counts->orders},
                        {"orders_open", counts->orders_open},
                        {"labels_queued", counts->print_jobs_pending},
                        {"labels_uncertain", counts->print_jobs_uncertain},
                        {"outbox", counts->outbox},
                        {"inbox", counts->inbox}};
        // How long the oldest message has waited for the broker's PUBACK: a depth whose age keeps growing is
        // a link that stopped taking messages. The oldest row is the first by primary key; no payload is
        // read.
        int64_t oldest_ms = 0;
        try {
            auto& oldest = store_->db().cached(
                "SELECT CAST((julianday('now') - julianday(created_at)) * 86400000 AS INTEGER) FROM outbox "
                "ORDER BY id LIMIT 1");
            if (oldest.step()) {
                oldest_ms = oldest.int64(0);
            }
            oldest.reset();
        } catch (const ful::SqliteError& e) {
            log::warning(std::string("status: outbox age: ") + e.what());
        }
        out["store"]["outbox_oldest_ms"] = oldest_ms;
    }
    json printers = json::array();
    for (const auto& [name, queue] : queues_) {
        json p{{"name", name}};
        if (auto it = printers_.find(name); it != printers_.end()) {
            p["state"] = drivers::to_string(it->second->status().state);
            p["detail"] = it->second->status().detail;
        } else {
            p["state"] = "not configured";
            p["detail"] = "";
        }
        p["last_error"] = queue->last_error();
        printers.push_back(p);
    }
    json scales = json::array();
    for (const auto& [name, s] : scales_) {
        json j{
            {"name", name}, {"state", drivers::to_string(s->status().state)}, {"detail", s->status().detail}};
        if (auto r = s->last_reading()) {
            j["reading"] = {{"milligrams", r->milligrams},
                            {"stable", r->stable},
                            {"valid", r->valid},
                            {"reason", r->reason}};
        }
        scales.push_back(j);
    }
    json scanners = json::array();
    for (const auto& [name, s] : scanners_) {
        scanners.push_back({{"name", name},
                            {"state", drivers::to_string(s->status().state)},
                            {"detail", s->status().detail}});
    }
    json stations = json::array();
    for (const auto& [name, s] : config_.devices.stations) {
        stations.push_back(
            {{"name", name}, {"printer", s.printer}, {"scale", s.scale}, {"scanner", s.scanner}});
    }
    out["printers"] = printers;
    out["scales"] = scales;
    out["scanners"] = scanners;
    out["stations"] = stations;
    return out;
}

void Daemon::apply_scanning(const ScanningConfig& scanning) {
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

json Daemon::take_scan(const std::string& station, const std::string& device,
                       const drivers::ScanReading& reading) {
    json event = handle_scan(station, device, reading);
    auto& recent = recent_scans_[station];
    recent.push_back(event);
    while (recent.size() > kRecentScans) {
        recent.pop_front();
    }
    return event;
}

Status Daemon::take_image_scan(const std::string& station, std::string image) {
    if (!config_.devices.stations.count(station)) {
        std::string names;
        for (const auto& [name, unused] : config_.devices.stations) {
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

json Daemon::recent_scans(const std::string& station) const {
    json out = json::object();
    for (const auto& [name, events] : recent_scans_) {
        if (station.empty() || name == station) {
            out[name.empty() ? "(no station)" : name] = json(events);
        }
    }
    return out;
}

std::string Daemon::station_of_scanner(const std::string& scanner) const {
    for (const auto& [sname, s] : config_.devices.stations) {
        if (s.scanner == scanner) {
            return sname;
        }
    }
    return "";
}

json Daemon::handle_scan(const std::string& station, const std::string& device,
                         const drivers::ScanReading& reading) {
    const ful::ScanRules rules = scan_rules(config_.devices.scanning, current_year());
    const ful::ScanEvent scan = read_scan(station, device, reading, rules, ful::catalogue_of(*inventory_));
    json event = ful::to_json(scan);
    if (event.value("valid", false)) {
        log::info("scan " + event.dump());
    } else {
        log::warning("scan " + event.dump());
    }
    if (auto it = stations_.find(station); it != stations_.end()) {
        try {
            const ful::StationReply reply = it->second->on_scan(scan);
            after_station_reply(station, reply);
            event["station_reply"] = ful::to_json(reply);
        } catch (const ful::SqliteError& e) {
            // The store refused (disk full, locked): the scan changed nothing and the packer is told.
            log::error("station " + station + ": store: " + e.what());
            event["station_reply"] = {{"ok", false}, {"message", std::string("store error: ") + e.what()}};
        }
    }
    return event;
}

void Daemon::apply_stations() {
    for (const auto& [name, sc] : config_.devices.stations) {
        ful::PackStationOptions options;
        options.weigh_timeout = std::chrono::milliseconds(sc.weigh_timeout_ms);
        options.weight_rule.packaging_g = sc.packaging_g;
        options.weight_rule.tolerance_g = sc.weight_tolerance_g;
        options.weight_rule.tolerance_percent = sc.weight_tolerance_percent;
        options.order_prefix = config_.devices.scanning.order_prefix;
        auto& station = stations_[name];
        if (!station) {
            station = std::make_unique<ful::PackStation>(
                *store_, *orders_, name, options,
                [this, station_name = std::string(name)](const ful::StationReply& reply) {
                    after_station_reply(station_name, reply);
                });
        } else {
            station->set_options(options);
        }
        const auto scale = weights_.find(sc.scale);
        station->use_scale(scale != weights_.end() ? scale->second.get() : nullptr);
    }
    std::erase_if(stations_, [&](const auto& kv) { return !config_.devices.stations.count(kv.first); });
}

void Daemon::after_station_reply(const std::string& station, const ful::StationReply& reply) {
    if (reply.ok) {
        log::info("station " + station + ": " + reply.message);
    } else {
        log::warning("station " + station + ": " + reply.message);
    }
    if (!reply.reprint_printer.empty()) {
        kick_printers({reply.reprint_printer});
    }
    pump_->kick();
}

json Daemon::stations_json(const std::string& only) {
    json out = json::array();
    for (const auto& [name, station] : stations_) {
        if (only.empty() || only == name) {
            out.push_back(station->view());
        }
    }
    return out;
}

json Daemon::loop_json() const {
    const LoopMonitor::Figures f = loop_monitor_.figures();
    return {{"lag_max_ms", f.lag_max_ms},
            {"lag_p50_ms", f.lag_p50_ms},
            {"lag_p99_ms", f.lag_p99_ms},
            {"samples", f.samples},
            {"longest_handler_ms", f.longest_handler_ms},
            {"longest_handler", f.longest_handler},
            {"over_budget", f.over_budget}};
}

json Daemon::handle_admin(const json& request) {
    LoopMonitor::Scope timed(&loop_monitor_, "admin request");
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
        return {{"ok", false}, {"error", "request needs a \"cmd\" string"}};
    }
    const std::string verb = cmd->get<std::string>();
    if (verb == "status") {
        return {{"ok", true}, {"status", status_json()}};
    }
    if (verb == "loop") {
        json figures = loop_json();
        if (request.value("reset", false)) {
            loop_monitor_.reset();
        }
        return {{"ok", true}, {"loop", figures}};
    }
    if (verb == "scan") {
        const std::string station = request.value("station", "");
        const auto it = config_.devices.stations.find(station);
        if (it == config_.devices.stations.end() || !request.contains("data") ||
            !request["data"].is_string()) {
            return {{"ok", false},
                    {"error", "scan needs a configured station and data: no station \"" +
                                  printable(station.substr(0, 64)) + "\""}};
        }
        const std::string device = it->second.scanner.empty() ? "packctl" : it->second.scanner;
        return {{"ok", true},
                {"scan", take_scan(station, device, {request["data"].get<std::string>(), {}, {}, {}})}};
    }
    if (verb == "scans") {
        const std::string station = request.value("station", "");
        if (!station.empty() && !config_.devices.stations.count(station)) {
            return {{"ok", false}, {"error", "no station \"" + printable(station.substr(0, 64)) + "\""}};
        }
        return {{"ok", true}, {"scans", recent_scans(station)}};
    }
    if (verb == "station") {
        const std::string only = request.value("station", "");
        if (!only.empty() && !stations_.count(only)) {
            return {{"ok", false}, {"error", "no station \"" + printable(only.substr(0, 64)) + "\""}};
        }
        return {{"ok", true}, {"stations", stations_json(only)}};
    }
    if (verb == "orders") {
        json list = json::array();
        try {
            for (const auto& o : store_->orders(100)) {
                list.push_back({{"id", o.id},
                                {"state", o.state},
                                {"carrier", o.carrier},
                                {"service", o.service},
                                {"created_at", o.created_at},
                                {"lines", o.lines}});
            }
        } catch (const ful::SqliteError& e) {
            return {{"ok", false}, {"error", std::string("store: ") + e.what()}};
        }
        return {{"ok", true}, {"orders", list}};
    }
    if (auto answer = scale_commands_.handle(verb, request)) {
        return *answer;
    }
    if (auto answer = label_commands_->handle(verb, request)) {
        if (answer->value("ok", false) && verb != "label_preview") {
            kick_printers({answer->value("printer", "")});
        }
        return *answer;
    }
    if (auto answer = print_job_commands_->handle(verb, request)) {
        if (answer->value("ok", false) && verb == "label_resend") {
            kick_printers({answer->value("printer", "")});
        }
        pump_->kick();  // an uncertain label's alert, or none
        return *answer;
    }
    if (auto answer = store_commands_->handle(verb, request)) {
        if (answer->value("ok", false) && (verb == "adjust" || verb == "import_stock")) {
            retry_held_orders();  // stock arrived: orders waiting for it can go
        }
        if (answer->value("ok", false) && verb == "reprint") {
            kick_printers({answer->value("printer", "")});
        }
        // A change of stock or orders may have queued messages for the shop.
        pump_->kick();
        return *answer;
    }
    return {{"ok", false},
            {"error", "unknown command \"" + verb.substr(0, 64) +
                          "\" (known: status, loop, scan, scans, station, orders, " + StoreCommands::verbs() +
                          ", " + ScaleCommands::verbs() + ", " + LabelCommands::verbs() + ", " +
                          PrintJobCommands::verbs() + ")"}};
}

}  // namespace packd::host
