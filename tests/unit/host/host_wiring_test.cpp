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
    router.add_module("label_sscc, label_preview",
                      [](const std::string& verb, const json& request) -> std::optional<json> {
                          if (request.value("fail", false)) {
                              return json{{"ok", false}, {"error", "no"}};
                          }
                          return json{{"ok", true}, {"printer", "desk"}, {"verb", verb}};
                      },
                      {.kick_answer_printer = true, .kick_outbox = true},
                      {{"label_preview", {.kick_outbox = true}}});
    router.add_module("adjust",
                      [](const std::string&, const json&) -> std::optional<json> {
                          return json{{"ok", true}};
                      },
                      {.retry_held_orders = true});
    return router;
}

TEST(AdminRouter, AVerbReturnsItsFollowUps) {
    const AdminRouter router = label_router();
    const AdminReply printed = router.route({{"cmd", "label_sscc"}});
    EXPECT_EQ(printed.answer.value("verb", ""), "label_sscc");
    EXPECT_EQ(printed.then, (FollowUps{{"desk"}, false, true}));

    const AdminReply preview = router.route({{"cmd", "label_preview"}});
    EXPECT_EQ(preview.answer.value("verb", ""), "label_preview");
    EXPECT_EQ(preview.then, (FollowUps{{}, false, true}));

    const AdminReply adjusted = router.route({{"cmd", "adjust"}});
    EXPECT_EQ(adjusted.then, (FollowUps{{}, true, false}));

    EXPECT_EQ(router.route({{"cmd", "status"}}).then, FollowUps{});
}

TEST(AdminRouter, AFailedCommandKicksNoPrinterButStillTheOutbox) {
    const AdminReply failed = label_router().route({{"cmd", "label_sscc"}, {"fail", true}});
    EXPECT_FALSE(failed.answer.value("ok", true));
    EXPECT_EQ(failed.then, (FollowUps{{}, false, true}));
}

TEST(AdminRouter, UnknownVerbsNameEveryKnownOneInOrder) {
    const AdminRouter router = label_router();
    EXPECT_EQ(router.known(), "status, label_sscc, label_preview, adjust");
    const AdminReply unknown = router.route({{"cmd", "nope"}});
    EXPECT_EQ(unknown.answer.value("error", ""),
              "unknown command \"nope\" (known: status, label_sscc, label_preview, adjust)");
    EXPECT_EQ(unknown.then, FollowUps{});
    EXPECT_EQ(router.route({{"verb", "status"}}).answer.value("error", ""), "request needs a \"cmd\" string");
    EXPECT_EQ(split_verbs("a, b,c ,"), (std::vector<std::string>{"a", "b", "c"}));
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
    void on_state_change(drivers::StateHandler) override {}  // always ready
    void scan(const std::string& text) { handler_({text, {}, {}, {}}); }

  private:
    std::string name_;
    ScanHandler handler_;
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
        c.type = "sim";
        c.fifo = std::string("/tmp/") + name;
        one.scanners[name] = c;
    }
    registry.reconcile({}, one, hooks);
    EXPECT_EQ(made, 3);
    const auto a = registry.scanners().at("a");
    const auto b = registry.scanners().at("b");

    ReloadableSections two = one;
    two.scanners["b"].fifo = "/tmp/b2";
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

}  // namespace
}  // namespace packd::host
