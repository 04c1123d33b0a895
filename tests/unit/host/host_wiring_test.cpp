// The pieces firmware-host/ wires packd from: the admin verb table and its follow-ups, the device
// registry's reconcile, the device snapshot and its three renderings, device alerts.

#include <gtest/gtest.h>

#include "packd/host/admin_router.hpp"
#include "packd/host/device_registry.hpp"
#include "packd/host/device_watch.hpp"

namespace packd::host {
namespace {

using nlohmann::json;

AdminRouter label_router() {
    AdminRouter router;
    router.add("status", [](const json&) { return json{{"ok", true}}; });
    router.add_module(AdminModule::labels,
                      [](const std::string& verb, const json& request) -> std::optional<json> {
                          if (request.value("fail", false)) {
                              return json{{"ok", false}, {"error", "no"}};
                          }
                          return json{{"ok", true}, {"printer", "desk"}, {"verb", verb}};
                      });
    router.add_module(AdminModule::store, [](const std::string& verb, const json&) -> std::optional<json> {
        if (verb == "order") {
            return std::nullopt;  // a module that does not answer a verb of its own
        }
        return json{{"ok", true}, {"printer", "dock"}};
    });
    return router;
}

TEST(AdminRouter, AVerbReturnsTheFollowUpsOfTheTable) {
    const AdminRouter router = label_router();
    const AdminReply printed = router.route({{"cmd", "label_sscc"}});
    EXPECT_EQ(printed.answer.value("verb", ""), "label_sscc");
    EXPECT_EQ(printed.then, (FollowUps{{"desk"}, false, false}));

    const AdminReply preview = router.route({{"cmd", "label_preview"}});
    EXPECT_EQ(preview.answer.value("verb", ""), "label_preview");
    EXPECT_EQ(preview.then, FollowUps{});

    // Stock that arrived frees held orders and may have queued stock messages; a reprint is a job for the
    // answer's printer; any other change of the store may have queued messages for the shop.
    EXPECT_EQ(router.route({{"cmd", "adjust"}}).then, (FollowUps{{}, true, true}));
    EXPECT_EQ(router.route({{"cmd", "import_stock"}}).then, (FollowUps{{}, true, true}));
    EXPECT_EQ(router.route({{"cmd", "reprint"}}).then, (FollowUps{{"dock"}, false, true}));
    EXPECT_EQ(router.route({{"cmd", "ship"}}).then, (FollowUps{{}, false, true}));

    EXPECT_EQ(router.route({{"cmd", "status"}}).then, FollowUps{});
}

TEST(AdminRouter, AFailedCommandKicksNoPrinterButStillTheOutbox) {
    const AdminReply failed = label_router().route({{"cmd", "label_sscc"}, {"fail", true}});
    EXPECT_FALSE(failed.answer.value("ok", true));
    EXPECT_EQ(failed.then, FollowUps{});
    const AdminReply unanswered = label_router().route({{"cmd", "order"}});
    EXPECT_EQ(unanswered.answer.value("error", ""), "command \"order\" is not handled");
    EXPECT_EQ(unanswered.then, (FollowUps{{}, false, true}));
}

TEST(AdminRouter, UnknownVerbsNameEveryKnownOneInOrder) {
    AdminRouter router;
    router.add("status", [](const json&) { return json{{"ok", true}}; });
    router.add_module(AdminModule::scales, [](const std::string&, const json&) -> std::optional<json> {
        return json{{"ok", true}};
    });
    EXPECT_EQ(router.known(), "status, scale, scale_zero, scale_tare");
    const AdminReply unknown = router.route({{"cmd", "nope"}});
    EXPECT_EQ(unknown.answer.value("error", ""),
              "unknown command \"nope\" (known: status, scale, scale_zero, scale_tare)");
    EXPECT_EQ(unknown.then, FollowUps{});
    EXPECT_EQ(router.route({{"verb", "status"}}).answer.value("error", ""), "request needs a \"cmd\" string");
}

// Field by field: g++ 12 at -O3 (the Release build) warns of an uninitialised status in the braced form.
DeviceSnapshot::Device device(const char* role, const char* name, bool configured, drivers::DeviceState state,
                              const char* detail, const char* last_error) {
    DeviceSnapshot::Device d;
    d.role = role;
    d.name = name;
    d.configured = configured;
    d.status.state = state;
    d.status.detail = detail;
    d.last_error = last_error;
    return d;
}

DeviceSnapshot two_printers_and_a_scale() {
    DeviceSnapshot s;
    s.devices.push_back(device("printer", "desk", true, drivers::DeviceState::ready, "", ""));
    s.devices.push_back(device("printer", "gone", false, drivers::DeviceState::offline, "", "paper out"));
    drivers::WeightReading r;
    r.milligrams = 1250000;
    r.stable = true;
    r.valid = true;
    DeviceSnapshot::Device scale =
        device("scale", "bench", true, drivers::DeviceState::offline, "unplugged", "");
    scale.reading = r;
    s.devices.push_back(std::move(scale));
    return s;
}

TEST(DeviceSnapshot, RenderedForTheRetainedStatusTheStatusLineAndPackctl) {
    const DeviceSnapshot s = two_printers_and_a_scale();
    EXPECT_EQ(retained_status_devices(s),
              json({{"printers", {{"desk", "ready"}}}, {"scales", {{"bench", "offline"}}}}));
    EXPECT_EQ(status_line_devices(s), ", scale bench offline");
    const json j = status_json_devices(s);
    ASSERT_EQ(j["printers"].size(), 2u);
    EXPECT_EQ(j["printers"][0]["state"], "ready");
    EXPECT_EQ(j["printers"][1]["state"], "not configured");
    EXPECT_EQ(j["printers"][1]["last_error"], "paper out");
    EXPECT_EQ(j["scales"][0]["detail"], "unplugged");
    EXPECT_EQ(j["scales"][0]["reading"]["milligrams"], 1250000);
    EXPECT_FALSE(j["scales"][0].contains("last_error"));
    EXPECT_TRUE(j["scanners"].empty());
}

TEST(DeviceWatch, AlertsOnlyWhenAStateChanges) {
    DeviceWatch watch;
    DeviceSnapshot s = two_printers_and_a_scale();
    const auto first = watch.changes(s);
    ASSERT_EQ(first.size(), 1u);  // ready is assumed before the first look; "gone" is only a queue
    EXPECT_EQ(first[0].name, "bench");
    EXPECT_EQ(json::parse(DeviceWatch::alert_json(first[0]))["kind"], "device_offline");
    EXPECT_TRUE(watch.changes(s).empty());
    s.devices[2].status = {drivers::DeviceState::ready, ""};
    const auto back = watch.changes(s);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(json::parse(DeviceWatch::alert_json(back[0]))["kind"], "device_ready");
}

class FakeScanner : public drivers::Scanner {
  public:
    explicit FakeScanner(std::string name) : name_(std::move(name)) {}
    const std::string& name() const override { return name_; }
    drivers::DeviceStatus status() const override { return {drivers::DeviceState::ready, ""}; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }
    void on_state_change(drivers::StateHandler handler) override { state_ = std::move(handler); }
    void scan(const std::string& text) { handler_({text, {}, {}, {}}); }
    /// What a driver does when its device comes or goes.
    void push(drivers::DeviceState state, const std::string& detail) {
        if (state_) {
            state_({state, detail});
        }
    }

  private:
    std::string name_;
    ScanHandler handler_;
    drivers::StateHandler state_;
};

TEST(DeviceRegistry, AReloadRemakesOnlyTheDevicesWhoseSectionChanged) {
    boost::asio::io_context io;
    int made = 0;
    DeviceFactories factories;
    factories.scanner = [&made](boost::asio::io_context&, const ScannerConfig& c, auto, auto) {
        ++made;
        return std::make_shared<FakeScanner>(c.name);
    };
    DeviceRegistry registry(io, nullptr, factories);
    std::vector<std::pair<std::string, std::string>> scans;
    DeviceRegistry::ScannerHooks hooks;
    hooks.on_scan = [&scans](const std::string& scanner, const drivers::ScanReading& r) {
        scans.emplace_back(scanner, r.data);
    };

    ReloadableSections one;
    for (const char* name : {"a", "b", "c"}) {
        ScannerConfig c;
        c.name = name;
        c.settings = SimScannerConfig{std::string("/tmp/") + name};
        one.scanners[name] = c;
    }
    registry.reconcile({}, one, hooks);
    EXPECT_EQ(made, 3);
    const auto a = registry.scanners().at("a");
    const auto b = registry.scanners().at("b");

    ReloadableSections two = one;
    two.scanners["b"].settings = SimScannerConfig{"/tmp/b2"};
    two.scanners.erase("c");
    registry.reconcile(one, two, hooks);
    EXPECT_EQ(made, 4);  // only b again
    EXPECT_EQ(registry.scanners().at("a"), a);
    EXPECT_NE(registry.scanners().at("b"), b);
    EXPECT_EQ(registry.scanners().count("c"), 0u);

    std::static_pointer_cast<FakeScanner>(registry.scanners().at("b"))->scan("X1");
    ASSERT_EQ(scans.size(), 1u);
    EXPECT_EQ(scans[0], (std::pair<std::string, std::string>{"b", "X1"}));
}

TEST(DeviceWatch, PushedChangesAndLooksShareOneLastState) {
    DeviceWatch watch;
    // An outage shorter than the look: offline and back, both pushed before the next snapshot.
    const auto gone = watch.change("scale", "bench", {drivers::DeviceState::offline, "unplugged"});
    ASSERT_TRUE(gone);
    EXPECT_EQ(json::parse(DeviceWatch::alert_json(*gone))["detail"], "unplugged");
    EXPECT_FALSE(watch.change("scale", "bench", {drivers::DeviceState::offline, "still unplugged"}));
    const auto back = watch.change("scale", "bench", {drivers::DeviceState::ready, ""});
    ASSERT_TRUE(back);
    EXPECT_EQ(json::parse(DeviceWatch::alert_json(*back))["kind"], "device_ready");
    // The next look sees it ready, as the last push said: no second alert.
    DeviceSnapshot s;
    s.devices.push_back(device("scale", "bench", true, drivers::DeviceState::ready, "", ""));
    EXPECT_TRUE(watch.changes(s).empty());
    EXPECT_FALSE(watch.change("scale", "dock", {drivers::DeviceState::ready, ""}));  // ready assumed
}

TEST(DeviceRegistry, PassesEveryDevicesPushesToOneListener) {
    boost::asio::io_context io;
    DeviceFactories factories;
    factories.scanner = [](boost::asio::io_context&, const ScannerConfig& c, auto, auto) {
        return std::make_shared<FakeScanner>(c.name);
    };
    DeviceRegistry registry(io, nullptr, factories);
    ReloadableSections one;
    one.scanners["gun"].name = "gun";
    registry.reconcile({}, one, {});
    std::vector<std::string> heard;
    // Set after the scanner was made: it reaches it all the same.
    registry.on_device_state(
        [&heard](const std::string& role, const std::string& name, const drivers::DeviceStatus& status) {
            heard.push_back(role + " " + name + " " + drivers::to_string(status.state) + " " + status.detail);
        });
    auto gun = std::static_pointer_cast<FakeScanner>(registry.scanners().at("gun"));
    gun->push(drivers::DeviceState::offline, "cable out");
    gun->push(drivers::DeviceState::ready, "back");
    EXPECT_EQ(heard, (std::vector<std::string>{"scanner gun offline cable out", "scanner gun ready back"}));
}

}  // namespace
}  // namespace packd::host
