// Suffix-terminated scanners: the codec, a serial scanner on a real pseudo-terminal, and a network
// scanner on a real loopback TCP connection.

#include "packd/drivers/serial_scanner.hpp"

#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "packd/drivers/suffix_scan_codec.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> cut(ScanSuffix suffix, std::initializer_list<std::string_view> pieces,
                             std::size_t max = 64) {
    SuffixScanCodec codec(suffix, max);
    std::vector<std::string> out;
    for (const auto piece : pieces) {
        codec.feed(piece, [&](Result<std::string> s) { out.push_back(s ? *s : "! " + s.error().message); });
    }
    return out;
}

TEST(SuffixScanCodec, CutsAtTheSuffixWhereverReadsEnd) {
    EXPECT_EQ(cut(ScanSuffix::cr, {"]C1010950", "1101530003\r40063", "81333931\r"}),
              (std::vector<std::string>{"]C10109501101530003", "4006381333931"}));
    // A scanner sending CR LF on a CR config: the LF is not the start of the next scan.
    EXPECT_EQ(cut(ScanSuffix::cr, {"A-01\r", "\nDONE\r\n"}), (std::vector<std::string>{"A-01", "DONE"}));
    EXPECT_EQ(cut(ScanSuffix::lf, {"A\r\nB\n\n"}), (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(cut(ScanSuffix::tab, {"A\tB"}), (std::vector<std::string>{"A"}));
    // GS inside GS1 data stays.
    EXPECT_EQ(cut(ScanSuffix::crlf, {"10AB\x1d"
                                     "21X\r\n"}),
              (std::vector<std::string>{"10AB\x1d"
                                        "21X"}));
    const auto overlong = cut(ScanSuffix::cr, {std::string(100, '7') + "\rOK\r"});
    ASSERT_EQ(overlong.size(), 2u);
    EXPECT_NE(overlong[0].find("longer than 64"), std::string::npos);
    EXPECT_EQ(overlong[1], "OK");
    EXPECT_EQ(*parse_scan_suffix("crlf"), ScanSuffix::crlf);
    EXPECT_FALSE(parse_scan_suffix("etx"));
}

template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(10ms);
        io.restart();
    }
    return done();
}

TEST(SerialScanner, ReadsScansFromAPseudoTerminal) {
    int master = -1;
    int slave = -1;
    char name[256];
    ASSERT_EQ(::openpty(&master, &slave, name, nullptr, nullptr), 0);
    boost::asio::io_context io;
    SerialScannerSettings settings;
    settings.device = name;
    settings.baud = 115200;
    settings.reconnect = 50ms;
    SerialScanner scanner(io, "rs232", settings);
    std::vector<ScanReading> scans;
    scanner.on_scan([&](const ScanReading& s) { scans.push_back(s); });
    ASSERT_TRUE(scanner.open());
    EXPECT_EQ(scanner.status().state, DeviceState::ready);
    const std::string bytes = "]E04006381333931\rTOTE-17\r";
    ASSERT_EQ(::write(master, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 2; }));
    EXPECT_EQ(scans[0].data, "]E04006381333931");
    EXPECT_EQ(scans[1].data, "TOTE-17");
    ::close(master);
    ::close(slave);
}

TEST(SerialScanner, AMissingPortIsOfflineWithAReason) {
    boost::asio::io_context io;
    SerialScannerSettings settings;
    settings.device = "/nonexistent/ttyACM9";
    SerialScanner scanner(io, "rs232", settings);
    EXPECT_FALSE(scanner.open());
    EXPECT_EQ(scanner.status().state, DeviceState::offline);
    EXPECT_NE(scanner.status().detail.find("/nonexistent/ttyACM9"), std::string::npos);
}

TEST(TcpScanner, ReadsScansReconnectsAndReportsACutShortScan) {
    boost::asio::io_context io;
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    TcpScannerSettings settings;
    settings.host = "127.0.0.1";
    settings.port = acceptor.local_endpoint().port();
    settings.suffix = ScanSuffix::crlf;
    settings.reconnect = 50ms;
    TcpScanner scanner(io, "net", settings);
    std::vector<ScanReading> scans;
    scanner.on_scan([&](const ScanReading& s) { scans.push_back(s); });
    ASSERT_TRUE(scanner.open().ok());
    tcp::socket peer(io);
    bool accepted = false;
    acceptor.async_accept(peer, [&](const boost::system::error_code& ec) { accepted = !ec; });
    ASSERT_TRUE(run_until(io, [&] { return accepted && scanner.status().state == DeviceState::ready; }));
    boost::asio::write(peer, boost::asio::buffer(std::string("RMA-2026-0042\r\nORD-")));
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 1; }));
    peer.close();  // the scanner's network drops mid-scan
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 2; }));
    EXPECT_EQ(scans[0].data, "RMA-2026-0042");
    EXPECT_NE(scans[1].rejected.find("cut short"), std::string::npos) << scans[1].rejected;
    // It connects again by itself.
    tcp::socket again(io);
    accepted = false;
    acceptor.async_accept(again, [&](const boost::system::error_code& ec) { accepted = !ec; });
    ASSERT_TRUE(run_until(io, [&] { return accepted && scanner.status().state == DeviceState::ready; }));
    boost::asio::write(again, boost::asio::buffer(std::string("DONE\r\n")));
    ASSERT_TRUE(run_until(io, [&] { return scans.size() >= 3; }));
    EXPECT_EQ(scans[2].data, "DONE");
}

}  // namespace
}  // namespace packd::drivers
