// The evdev scanner transport fed recorded input_event streams through a FIFO: this machine has no
// /dev/uinput, so no kernel input device can be created here. The grab (EVIOCGRAB) is only tried on
// character devices; everything after the open (reading, cutting into events, scans, unplug, reconnect)
// is the code path of a real device.

#include "packd/drivers/evdev_scanner.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "test_env.hpp"
#include "wedge_keys.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

std::string bytes_of(const std::vector<InputEvent>& events) {
    std::string out;
    for (const InputEvent& e : events) {
        out += InputEventReader::encode(e);
    }
    return out;
}

// Runs the io_context until `done` holds or a generous deadline passes.
template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(10ms);
        io.restart();
    }
    return done();
}

void write_all(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        ASSERT_GT(n, 0);
        done += static_cast<std::size_t>(n);
    }
}

TEST(EvdevScanner, ReadsScansSurvivesAnUnplugAndComesBack) {
    packd::test::TempDir dir;
    const std::string path = dir.file("event-kbd");
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    boost::asio::io_context io;
    EvdevScannerSettings settings;
    settings.device = path;
    settings.wedge.layout = KeyboardLayout::de;
    settings.reconnect = 50ms;
    EvdevScanner scanner(io, "wedge-1", settings);
    std::vector<ScanReading> scans;
    scanner.on_scan([&](const ScanReading& s) { scans.push_back(s); });
    ASSERT_TRUE(scanner.open());
    EXPECT_EQ(scanner.status().state, DeviceState::ready);

    // A German-layout scanner: two scans, then the start of a third, then the cable is pulled.
    test::KeyTypist t(1'700'000'000'000'000, 2'000);
    t.type("S+o S+r S+d slash 1 0 0 1");
    t.press(KEY_ENTER);
    t.type("4 0 0 6 3 8 1 3 3 3 9 3 1");
    t.press(KEY_ENTER);
    t.type("y z");
    const std::string stream = bytes_of(t.events);
    int writer = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(writer, 0);
    // In odd-sized pieces, as reads may cut events anywhere.
    for (std::size_t at = 0; at < stream.size(); at += 37) {
        write_all(writer, stream.substr(at, 37));
    }
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 2; }));
    ::close(writer);
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 3; }));
    EXPECT_EQ(scans[0].data, "ORD-1001");
    EXPECT_EQ(scans[0].rejected, "");
    EXPECT_EQ(scans[1].data, "4006381333931");
    EXPECT_EQ(scans[2].data, "zy");
    EXPECT_NE(scans[2].rejected.find("cut short"), std::string::npos) << scans[2].rejected;
    EXPECT_EQ(scanner.status().state, DeviceState::offline);

    // Plugged back in: the reconnect timer opens it again and scans flow. A FIFO opens for writing only
    // while a reader has it open, so keep the io_context turning until the scanner has reopened it.
    ASSERT_TRUE(run_until(io, [&] {
        writer = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        return writer >= 0;
    }));
    ::fcntl(writer, F_SETFL, 0);
    ASSERT_TRUE(run_until(io, [&] { return scanner.status().state == DeviceState::ready; }));
    test::KeyTypist u(1'700'000'100'000'000, 2'000);
    u.type("S+d S+o S+n S+e");
    u.press(KEY_ENTER);
    write_all(writer, bytes_of(u.events));
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 4; }));
    EXPECT_EQ(scans[3].data, "DONE");
    ::close(writer);
}

TEST(EvdevScanner, APauseEndsAScanWithoutTerminator) {
    packd::test::TempDir dir;
    const std::string path = dir.file("event-kbd");
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    boost::asio::io_context io;
    EvdevScannerSettings settings;
    settings.device = path;
    settings.wedge.terminator = ScanTerminator::none;
    settings.reconnect = 50ms;
    EvdevScanner scanner(io, "wedge-2", settings);
    std::vector<ScanReading> scans;
    scanner.on_scan([&](const ScanReading& s) { scans.push_back(s); });
    ASSERT_TRUE(scanner.open());
    const int writer = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(writer, 0);
    test::KeyTypist t(1'000'000, 1'000);
    t.type("1 2 3");
    write_all(writer, bytes_of(t.events));
    // No more events: the idle timer ends the scan once the gap has passed on the event clock.
    ASSERT_TRUE(run_until(io, [&] { return !scans.empty(); }));
    EXPECT_EQ(scans[0].data, "123");
    EXPECT_EQ(scans[0].rejected, "");
    ::close(writer);
}

TEST(EvdevScanner, AMissingDeviceIsOfflineWithAReason) {
    boost::asio::io_context io;
    EvdevScannerSettings settings;
    settings.device = "/nonexistent/event-kbd";
    EvdevScanner scanner(io, "wedge-3", settings);
    EXPECT_FALSE(scanner.open());
    EXPECT_EQ(scanner.status().state, DeviceState::offline);
    EXPECT_NE(scanner.status().detail.find("cannot open /nonexistent/event-kbd"), std::string::npos);
    auto none = find_input_device(0x05e0, 0x1200, "/nonexistent");
    EXPECT_FALSE(none);
}

}  // namespace
}  // namespace packd::drivers
