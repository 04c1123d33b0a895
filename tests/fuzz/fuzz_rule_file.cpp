// Rules files (fulfillment/rules/src/rule_file.cpp) and what the engine makes of them
// (rule_engine.cpp, lua_sandbox.cpp): any text is either refused with a message that names the file, line
// and column, or parses into rules that keep the file format's promises; a parsed file either loads or is
// refused with its place, and loaded rules run against an order and a few other events, their Lua under
// small limits, without crashing, leaving the store as it was once the transaction rolls back.
//
// One store in a temporary folder serves every input: each input's events run inside a transaction that
// is rolled back, so nothing of one input is seen by the next. Seeds: the shipped rules (config/rules/) and
// hostile ones in corpus/rule_file/.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "packd/fulfillment/rules/rule_engine.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::fulfillment;

const std::string kPath = "rules/fuzz.toml";

/// "rules/fuzz.toml:LINE:COLUMN: " at the start of `message`.
bool names_its_place(const std::string& message) {
    if (message.rfind(kPath + ":", 0) != 0) {
        return false;
    }
    size_t at = kPath.size() + 1;
    for (int part = 0; part < 2; ++part) {
        const size_t start = at;
        while (at < message.size() && std::isdigit(static_cast<unsigned char>(message[at]))) {
            ++at;
        }
        if (at == start || at >= message.size() || message[at] != ':') {
            return false;
        }
        ++at;
    }
    return true;
}

/// The store, the areas and the engine, wired as the daemon wires them, made once for all inputs.
struct Box {
    Box() {
        packd::log::set_threshold(packd::log::Level::error);  // a line per rule run would drown the replay
        std::string folder = (std::filesystem::temp_directory_path() / "packd-fuzz-rules-XXXXXX").string();
        check(::mkdtemp(folder.data()) != nullptr, "a temporary folder for the store", folder);
        dir = folder;
        auto opened = Store::open(dir + "/packd.db");
        check(opened.ok(), "the store opens", opened ? "" : opened.error().message);
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, topics);
        orders = std::make_unique<OrderBook>(*store, *inventory, topics);
        intake = std::make_unique<OrderIntake>(*store, *orders, *inventory, topics, size_t{1} << 20);
        engine = std::make_unique<RuleEngine>(*store, *orders, *inventory, topics);
        effects = std::make_unique<RuleEffects>(*store, *orders, *intake, topics);
        engine->set_actions(effects.get());
        Transaction tx(store->db());
        check(inventory->put_location("A-01", "bin").ok(), "a bin");
        for (const char* sku : {"MUG-RED", "TEE-BLK-L", "GIFT-CARD"}) {
            check(inventory->put_product({sku, sku, 350, {}, {}, {}, 5, 12, true}).ok(), "a product", sku);
            check(inventory->record({sku, "A-01", "", "", 20, MovementReason::receive, "", "", "", ""}).ok(),
                  "stock", sku);
        }
        tx.commit();
        store->set_event_sink(engine.get(), engine.get());
    }
    ~Box() {
        store->set_event_sink(nullptr, nullptr);
        effects.reset();
        engine.reset();
        intake.reset();
        orders.reset();
        inventory.reset();
        store.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }

    int64_t count(const char* sql) {
        auto st = store->db().prepare(sql);
        return st.step() ? st.int64(0) : -1;
    }

    std::string dir;
    Topics topics{"packd/v1", "fuzz"};
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<OrderBook> orders;
    std::unique_ptr<OrderIntake> intake;
    std::unique_ptr<RuleEngine> engine;
    std::unique_ptr<RuleEffects> effects;
};

Box& box() {
    static Box b;
    return b;
}

void check_parsed(const RuleFile& file) {
    const auto& triggers = rule_triggers();
    const auto& kinds = rule_action_kinds();
    check(file.path == kPath, "the file remembers its path", file.path);
    check(file.rules.size() <= 500, "at most 500 rules in a file");
    for (const RuleSpec& rule : file.rules) {
        check(!rule.name.empty() && rule.name.size() <= 64, "a rule's name is 1 to 64 bytes", rule.name);
        check(!rule.triggers.empty(), "a rule has a trigger", rule.name);
        bool timed = false;
        bool interval = false;
        for (const auto& t : rule.triggers) {
            check(std::find(triggers.begin(), triggers.end(), t) != triggers.end(), "a trigger is known", t);
            timed = timed || t == "time";
            interval = interval || t == "interval";
        }
        check(timed == (rule.at_minute >= 0), "at exactly for trigger time", rule.name);
        check(rule.at_minute < 1440, "at is a minute of the day", std::to_string(rule.at_minute));
        check(interval == (rule.every_ms > 0), "every exactly for trigger interval", rule.name);
        check(!interval || rule.every_ms >= 1000, "every is at least 1s", std::to_string(rule.every_ms));
        check(rule.period_ms == 0 || rule.once_per != RuleSubject::event, "period comes with once_per",
              rule.name);
        for (const int64_t ms : {rule.period_ms, rule.cooldown_ms, rule.every_ms}) {
            check(ms >= 0 && ms <= 366LL * 86400000, "a duration is from 1s to 366d", std::to_string(ms));
        }
        check(!rule.actions.empty() && rule.actions.size() <= 20, "1 to 20 actions", rule.name);
        for (const ActionSpec& action : rule.actions) {
            check(std::find(kinds.begin(), kinds.end(), action.kind) != kinds.end(), "an action is known",
                  action.kind);
        }
    }
}

/// The events the rules can listen to, inside one transaction that is rolled back.
void run_events(Box& b) {
    const int64_t runs_before = b.count("SELECT count(*) FROM rule_runs");
    const int64_t outbox_before = b.count("SELECT count(*) FROM outbox");
    {
        Transaction tx(b.store->db());
        OrderEvent order;
        order.event_id = "evt-fuzz";
        order.type = OrderEventType::created;
        order.order_id = "FUZZ-1";
        order.lines = {{"MUG-RED", 2}, {"TEE-BLK-L", 1}};
        order.ship_to = {"Jana Novak", "", "Hauptstr. 1", "", "Koeln", "", "27498", "DE"};
        order.carrier = "DHL";
        const std::string original =
            R"({"order": {"total": 612.5, "currency": "EUR", "risk": "high", "tags": "vip, repeat",)"
            R"( "bill_to": {"name": "J", "country": "AT"}}})";
        check(b.orders->create(order, original, "fuzz").ok(), "the order is created");
        for (const char* trigger : {"stock.low", "return.requested", "device.offline", "scan.refused"}) {
            DomainEvent e;
            e.trigger = trigger;
            e.sku = "MUG-RED";
            e.rma = "RMA-1";
            e.device = "scale-1";
            e.station = "pack-1";
            e.quantity = 3;
            e.data = "4006381333931";
            b.store->emit(e);
        }
        // Two ticks a day apart: every "time" rule's minute comes, every "interval" rule's period passes.
        const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1767607200));
        b.engine->tick(t0);
        b.engine->tick(t0 + std::chrono::hours(25));
        b.store->settle_events();  // the rules run now, inside the transaction
        tx.rollback();
    }
    check(b.count("SELECT count(*) FROM rule_runs") == runs_before,
          "a rolled-back transaction leaves no run");
    check(b.count("SELECT count(*) FROM outbox") == outbox_before, "nor a message");
    check(b.count("SELECT count(*) FROM orders") == 0, "nor the order");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        auto parsed = parse_rule_file(kPath, text);
        if (!parsed) {
            check(names_its_place(parsed.error().message), "a refusal names file:line:column",
                  parsed.error().message);
            return 0;
        }
        check_parsed(*parsed);
        Box& b = box();
        RuleSettings settings;
        settings.limits.instructions = 20000;
        settings.limits.memory_bytes = 1u << 20;
        settings.cutoff_minute = 14 * 60;
        // No rules of an earlier input: each input runs alone, so a failing one fails again on its own.
        check(b.engine->load({}, settings).ok(), "no rules load");
        auto loaded = b.engine->load({{kPath, std::string(text)}}, settings);
        if (!loaded) {
            check(loaded.error().message.rfind(kPath + ":", 0) == 0, "a load refusal names the file",
                  loaded.error().message);
            check(b.engine->rule_count() == 0, "a refused load keeps the rules in use (none)");
        } else {
            check(b.engine->rule_count() == parsed->rules.size(), "every rule of the file is loaded");
        }
        run_events(b);
        if (loaded && !parsed->rules.empty()) {
            DomainEvent e;
            e.trigger = parsed->rules.front().triggers.front();
            e.order_id = "FUZZ-1";
            auto tested = b.engine->test(parsed->rules.front().name, e);
            check(tested.ok(), "test() of a loaded rule answers", tested ? "" : tested.error().message);
        }
    } catch (const std::exception& e) {
        check(false, "no exception escapes", e.what());
    } catch (...) {
        check(false, "no exception escapes");
    }
    return 0;
}
