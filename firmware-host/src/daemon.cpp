#include "packd/host/daemon.hpp"

#include <csignal>

#include "daemon_setup.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/orders/tracking.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

namespace {

constexpr std::chrono::seconds kTick{2};
constexpr std::chrono::seconds kStopDeadline{10};

}  // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      signals_(io_),
      tick_timer_(io_),
      stop_deadline_(io_),
      loop_monitor_(io_),
      notifier_(io_),
      stock_timer_(io_) {}

Daemon::~Daemon() {
    if (store_) {
        store_->set_event_sink(nullptr, nullptr);
    }
}

int Daemon::run() {
    if (auto st = start(); !st) {
        log::error(st.error().message);
        return 1;
    }
    try {
        io_.run();
    } catch (const std::exception& e) {
        // A handler broke a precondition: what it left behind is unknown, so packd
        // does not go on with it. The store is crash-safe and systemd starts packd
        // again.
        log::error(std::string("unexpected error in the event loop, stopping: ") + e.what());
        return 70;  // EX_SOFTWARE
    }
    log::notice("stopped");
    return exit_code_;
}

Status Daemon::start() {
    log::Level level = log::Level::info;
    log::parse_level(config_.daemon.log_level, level);
    log::set_threshold(level);

    // Signals first, so a SIGTERM during start-up is not lost (it is handled once
    // the loop runs).
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

    auto broker = broker_settings(config_.broker);
    if (!broker) {
        return broker.error();
    }
    const auto& b = config_.broker;
    ful::Topics topics(b.topic_prefix, config_.site.id);
    topics_ = topics;

    inventory_ = std::make_unique<ful::Inventory>(
        *store_, topics, ful::InventorySettings{config_.devices.inventory.allow_oversell});
    orders_ = std::make_unique<ful::OrderBook>(*store_, *inventory_, topics);
    intake_ = std::make_unique<ful::OrderIntake>(*store_, *orders_, *inventory_, topics,
                                                 static_cast<size_t>(b.max_payload_bytes));
    rules_ = std::make_unique<ful::RuleEngine>(*store_, *orders_, *inventory_, topics);
    rule_effects_ = std::make_unique<ful::RuleEffects>(*store_, *orders_, *intake_, topics);
    rules_->set_actions(rule_effects_.get());
    // Before any event is applied: the rules of a backlog's first order run too.
    if (auto st = apply_rules(config_.devices); !st) {
        return st;
    }
    store_->set_event_sink(rules_.get(), rules_.get());
    store_commands_ = std::make_unique<StoreCommands>(*store_, *inventory_, *orders_);
    store_commands_->set_import_columns(config_.devices.import);
    previews_ = std::make_unique<ful::LabelPreviews>(io_, *store_);
    label_commands_ = std::make_unique<LabelCommands>(*store_, *orders_, *inventory_, topics, *previews_);
    print_job_commands_ = std::make_unique<PrintJobCommands>(*store_);
    if (auto st = load_label_templates(config_.devices.labels); !st) {
        return st;
    }
    devices_ = std::make_unique<DeviceRegistry>(
        io_, [this](const std::string& printer) { return make_print_queue(printer); });
    devices_->on_device_state(
        [this](const std::string& role, const std::string& name, const drivers::DeviceStatus& status) {
            after_device_state(role, name, status);
        });
    scale_commands_ = std::make_unique<ScaleCommands>(devices_->weights());
    desk_ = std::make_unique<StationDesk>(io_, *store_, *orders_, *inventory_, topics_,
                                          [this](const std::string& station, const ful::StationReply& reply) {
                                              after_station_reply(station, reply);
                                          });
    // The image decoder before the devices: cameras decode through it.
    desk_->apply_scanning(config_.devices.scanning);
    intake_->set_image_scan_sink([this](const std::string& station, std::string image) {
        return desk_->take_image_scan(station, std::move(image));
    });
    {
        auto ranges = tracking_ranges(config_);
        if (!ranges) {
            return ranges.error();
        }
        // Before any order is applied, so the ranges a label may draw from are the configured ones.
        if (auto st = ful::TrackingNumbers(*store_, topics).sync(*ranges); !st) {
            return fail(st.error().message + " (check the [tracking.NAME] sections)");
        }
    }
    if (auto st = open_devices(config_.devices); !st) {
        return st;
    }
    apply_label_route();
    desk_->apply(config_.devices, *devices_);

    admin_ = std::make_unique<AdminServer>(io_, config_.daemon.admin_socket, config_.daemon.admin_group);
    if (auto st = admin_->open(); !st) {
        return st;
    }
    add_admin_verbs();
    admin_->start([this](const json& request) {
        LoopMonitor::Scope timed(&loop_monitor_, "admin request");
        AdminReply reply = router_.route(request);
        follow_up(reply.then);
        return reply.answer;
    });
    if (auto st = open_web(); !st) {
        return st;
    }

    link_ = std::make_unique<ful::ShopLink>(io_, *broker, topics);
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

    // Messages stored but not applied before a crash or power cut are applied
    // once the loop runs, in slices: a long backlog neither delays READY nor
    // keeps the loop from anything else.
    inbox_->kick();
    devices_->kick_all();
    loop_monitor_.start();
    log::notice("packd " PACKD_VERSION " ready: site " + config_.site.id + ", store " + store_->db().path() +
                ", admin socket " + admin_->path());
    notifier_.ready(status_line());
    notifier_.start_watchdog();
    tick();
    publish_stock_levels();
    return {};
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
        !(fresh->broker == config_.broker) || !(fresh->web == config_.web)) {
        log::warning(
            "changes to [site], [daemon], [broker] and [web] take effect at the "
            "next restart");
    }
    if (auto st = open_devices(fresh->devices); !st) {
        log::error("reload: " + st.error().message);
    }
    // A template that does not load is refused; the ones in use stay.
    if (auto st = load_label_templates(fresh->devices.labels); !st) {
        log::error("reload: " + st.error().message + "; the label templates in use stay");
    }
    // Rules that do not compile are refused with their place; the ones in use stay.
    if (auto st = apply_rules(fresh->devices); !st) {
        log::error("reload: " + st.error().message + "; the rules in use stay");
        fresh->devices.rules = config_.devices.rules;
    }
    config_.devices = fresh->devices;
    apply_label_route();
    inventory_->set_settings(ful::InventorySettings{config_.devices.inventory.allow_oversell});
    store_commands_->set_import_columns(config_.devices.import);
    desk_->apply(config_.devices, *devices_);
    if (web_) {
        web_->devices_changed();  // a station's mode or devices may have changed
    }
    log::notice("config reloaded from " + config_.path + ": " + std::to_string(devices_->printers().size()) +
                " printers, " + std::to_string(devices_->scales().size()) + " scales, " +
                std::to_string(devices_->scanners().size()) + " scanners, " +
                std::to_string(config_.devices.stations.size()) + " stations");
    devices_->kick_all();
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
    if (web_) {
        web_->close();
    }
    stop_deadline_.expires_after(kStopDeadline);
    stop_deadline_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            log::warning(
                "stop deadline reached; unfinished labels stay queued and "
                "resume at the next start");
            io_.stop();
        }
    });
    queues_draining_ = static_cast<int>(devices_->queues().size());
    if (queues_draining_ == 0) {
        finish_shutdown();
        return;
    }
    for (auto& [name, queue] : devices_->queues()) {
        queue->drain([this] {
            if (--queues_draining_ == 0) {
                finish_shutdown();
            }
        });
    }
}

void Daemon::finish_shutdown() {
    // Give messages already handed to the broker a moment for their PUBACK, then
    // leave cleanly.
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

void Daemon::tick() {
    if (stopping_) {
        return;
    }
    {
        LoopMonitor::Scope timed(&loop_monitor_, "tick");
        notifier_.status(status_line());
        if (device_watch_.record(snapshot_devices(*devices_), *store_, topics_.alerts())) {
            pump_->kick();
            if (link_->connected()) {
                publish_status();
            }
        }
    }
    if (web_) {
        LoopMonitor::Scope timed(&loop_monitor_, "web refresh");
        web_->devices_changed();  // queues, the outbox and the uptime move without a device event
    }
    {
        LoopMonitor::Scope timed(&loop_monitor_, "rules tick");
        rules_->tick(std::chrono::system_clock::now());
        rules_->prune();
    }
    after_rules();
    inbox_->kick();  // retries what a store error left behind; nothing to do costs
                     // one small query
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
    // A quarter second gathers a burst of movements into one message per SKU and
    // still reaches the shop well before a customer looks again.
    stock_timer_.expires_after(std::chrono::milliseconds(250));
    stock_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            publish_stock_levels();
        }
    });
}

}  // namespace packd::host
