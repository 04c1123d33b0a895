// The lost-device piece every transport shares (reconnecting.hpp): status changes are pushed, a reason is
// logged once however often it repeats, the timer tries again until the device is back, and nothing a
// destroyed device left behind runs. Lines are counted by level, not matched by wording.

#include "packd/drivers/reconnecting.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <thread>
#include <vector>

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `done` holds; generous, since the machine may be busy.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(10ms);
    }
    return done();
}

struct Lines {
    std::map<log::Level, int> count;
    ReconnectLines sink() {
        return {nullptr, nullptr, [this](log::Level level, const std::string&) { ++count[level]; }};
    }
};

TEST(Reconnecting, EveryChangeOfStatusIsPushedInOrder) {
    boost::asio::io_context io;
    Lines lines;
    ReconnectingDevice device(io, "scanner gun", 1h);
    device.set_lines(lines.sink());
    std::vector<DeviceStatus> seen;
    device.on_state_change([&](const DeviceStatus& s) { seen.push_back(s); });

    device.lost("unplugged");
    device.online("connected");
    device.online("connected");  // no change: nothing pushed
    device.set({DeviceState::fault, "paper out"});
    device.halt();
    // A short outage and its end both arrive, although nobody polled in between.
    ASSERT_TRUE(run_until(io, [&] { return seen.size() >= 3; }));
    io.restart();
    io.poll();
    ASSERT_EQ(seen.size(), 3U);
    EXPECT_EQ(seen[0].state, DeviceState::offline);
    EXPECT_EQ(seen[0].detail, "unplugged");
    EXPECT_EQ(seen[1].state, DeviceState::ready);
    EXPECT_EQ(seen[2].state, DeviceState::fault);
    EXPECT_EQ(device.status().detail, "paper out");
}

TEST(Reconnecting, AReasonIsLoggedOnceAndTheRecoveryOnce) {
    boost::asio::io_context io;
    Lines lines;
    ReconnectingDevice device(io, "scale bench", 1h);
    device.set_lines(lines.sink());
    device.lost("cannot open /dev/ttyUSB0");
    device.lost("cannot open /dev/ttyUSB0");
    device.lost("cannot open /dev/ttyUSB0");
    EXPECT_EQ(lines.count[log::Level::warning], 1);
    device.lost("permission denied");  // a new reason
    EXPECT_EQ(lines.count[log::Level::warning], 2);
    device.online("MT-SICS on /dev/ttyUSB0");
    device.online("MT-SICS on /dev/ttyUSB0");
    EXPECT_EQ(lines.count[log::Level::info], 1);
    device.lost("permission denied");  // lost again after it was back: a new outage
    EXPECT_EQ(lines.count[log::Level::warning], 3);
    device.set({DeviceState::offline, "looking for it"});  // neither logged nor retried
    EXPECT_EQ(lines.count[log::Level::warning], 3);
    device.halt();
}

TEST(Reconnecting, TheTimerTriesAgainUntilTheDeviceIsBack) {
    boost::asio::io_context io;
    Lines lines;
    ReconnectingDevice device(io, "printer desk", 1ms);
    device.set_lines(lines.sink());
    int attempts = 0;
    device.retry_with([&] {
        if (++attempts < 3) {
            device.lost("not plugged in");
        } else {
            device.online("USB printer 0a5f:0164");
        }
    });
    device.lost("not plugged in");
    ASSERT_TRUE(run_until(io, [&] { return device.online_now(); })) << device.status().detail;
    EXPECT_EQ(attempts, 3);
    EXPECT_EQ(lines.count[log::Level::warning], 1);
    EXPECT_EQ(lines.count[log::Level::info], 1);
    io.restart();
    io.run();  // nothing armed any more: returns
    EXPECT_EQ(attempts, 3);
}

TEST(Reconnecting, AHaltedDeviceIsNotRetried) {
    boost::asio::io_context io;
    ReconnectingDevice device(io, "scanner gun", 1ms);
    int attempts = 0;
    device.retry_with([&] { ++attempts; });
    device.lost("gone");
    device.halt();
    device.lost("still gone");  // closed: not armed again
    io.run();
    EXPECT_EQ(attempts, 0);
    device.resume();
    device.lost("gone again");
    ASSERT_TRUE(run_until(io, [&] { return attempts == 1; }));
}

TEST(Reconnecting, NothingADestroyedDeviceLeftBehindRuns) {
    boost::asio::io_context io;
    int attempts = 0;
    int pushed = 0;
    int posted = 0;
    {
        auto device = std::make_unique<ReconnectingDevice>(io, "scale gone", 1ms);
        device->retry_with([&] { ++attempts; });
        device->on_state_change([&](const DeviceStatus&) { ++pushed; });
        device->lost("unplugged");  // a push posted and the timer armed
        Liveness owner;
        boost::asio::post(io, owner.guard([&] { ++posted; }));
        // A library thread copies the token and posts, as libusb's does.
        std::thread library([&io, alive = owner.token(), &posted] {
            boost::asio::post(io, [alive, &posted] {
                if (alive) {
                    ++posted;
                }
            });
        });
        library.join();
    }
    io.run();
    EXPECT_EQ(attempts, 0);
    EXPECT_EQ(pushed, 0);
    EXPECT_EQ(posted, 0);
}

TEST(Reconnecting, ATokenIsTrueWhileItsOwnerLives) {
    AliveToken none;
    EXPECT_FALSE(none);
    Liveness owner;
    const AliveToken token = owner.token();
    EXPECT_TRUE(token);
    owner.end();
    EXPECT_FALSE(token);
}

}  // namespace
}  // namespace packd::drivers
