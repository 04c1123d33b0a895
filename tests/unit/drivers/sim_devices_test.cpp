#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "packd/drivers/file_printer.hpp"
#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/sim_scale.hpp"
#include "packd/drivers/sim_scanner.hpp"
#include "test_env.hpp"

namespace packd::drivers {
namespace {

TEST(SimWeight, ParsesGramsKilogramsAndMotion) {
    auto r = parse_sim_weight("1250");
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(r.milligrams, 1250000);
    EXPECT_TRUE(r.stable);
    r = parse_sim_weight(" 1.25 kg motion ");
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(r.milligrams, 1250000);
    EXPECT_FALSE(r.stable);
    r = parse_sim_weight("-20 g");
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(r.milligrams, -20000);
}

TEST(SimWeight, GarbageIsAnInvalidReadingWithAReason) {
    auto r = parse_sim_weight("heavy");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("not a number"), std::string::npos);
    r = parse_sim_weight("12 lbs");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("unknown word 'lbs'"), std::string::npos);
    r = parse_sim_weight("1e300");
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(r.reason, "weight out of range");
    EXPECT_FALSE(parse_sim_weight("").valid);
    EXPECT_FALSE(parse_sim_weight("nan").valid);
}

TEST(LineSplitter, SplitsAcrossReadsAndDropsOverlongLines) {
    LineSplitter s(8);
    std::vector<std::string> lines;
    std::vector<std::string> errors;
    auto emit = [&](Result<std::string> r) {
        if (r) {
            lines.push_back(*r);
        } else {
            errors.push_back(r.error().message);
        }
    };
    s.feed("12", emit);
    s.feed("34\r\nab", emit);
    s.feed("c\n0123456789xyz\nok\n", emit);
    EXPECT_EQ(lines, (std::vector<std::string>{"1234", "abc", "ok"}));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "line longer than 8 bytes, discarded");
}

TEST(SimScale, ReadsWeightsWrittenToItsFifo) {
    test::TempDir dir;
    boost::asio::io_context io;
    SimScale scale(io, "bench", dir.file("scale.fifo"));
    ASSERT_TRUE(scale.open().ok());
    std::vector<WeightReading> seen;
    scale.on_reading([&](const WeightReading& r) {
        seen.push_back(r);
        if (seen.size() == 2) {
            io.stop();
        }
    });
    int fd = ::open(dir.file("scale.fifo").c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "500\nbogus\n", 10), 10);
    ::close(fd);
    boost::asio::steady_timer guard(io, std::chrono::seconds(10));
    guard.async_wait([&](const boost::system::error_code&) { io.stop(); });
    io.run();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].milligrams, 500000);
    EXPECT_FALSE(seen[1].valid);
    ASSERT_TRUE(scale.last_reading().has_value());
    EXPECT_FALSE(scale.last_reading()->valid);
}

TEST(SimScale, ZeroSubtractsTheCurrentWeight) {
    boost::asio::io_context io;
    SimScale scale(io, "bench", "/unused");
    WeightReading box;
    box.milligrams = 300000;
    scale.set_weight(box);
    ASSERT_TRUE(scale.zero().ok());
    box.milligrams = 1300000;
    scale.set_weight(box);
    EXPECT_EQ(scale.last_reading()->milligrams, 1000000);
}

TEST(SimScanner, RefusesAPathThatIsNotAFifo) {
    test::TempDir dir;
    test::write_file(dir.file("plain"), "x");
    boost::asio::io_context io;
    SimScanner scanner(io, "gun", dir.file("plain"));
    auto st = scanner.open();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("exists and is not a FIFO"), std::string::npos);
    EXPECT_EQ(scanner.status().state, DeviceState::fault);
}

TEST(FilePrinter, WritesZplAndPreviewAtomically) {
    test::TempDir dir;
    boost::asio::io_context io;
    FilePrinter printer(io, "desk", dir.file("labels"));
    ASSERT_TRUE(printer.open().ok());
    std::optional<Status> result;
    printer.print(PrintJob{"1001-shipping-1", "^XA^FDx^FS^XZ", "PNGDATA"}, [&](Status st) { result = st; });
    EXPECT_FALSE(result.has_value()) << "completion must come through the io_context";
    io.run();
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(result->ok());
    EXPECT_EQ(test::read_file(dir.file("labels/1001-shipping-1.zpl")), "^XA^FDx^FS^XZ");
    EXPECT_EQ(test::read_file(dir.file("labels/1001-shipping-1.png")), "PNGDATA");
    EXPECT_FALSE(std::filesystem::exists(dir.file("labels/1001-shipping-1.zpl.tmp")));
}

TEST(FilePrinter, RefusesJobNamesThatLeaveItsFolder) {
    test::TempDir dir;
    boost::asio::io_context io;
    FilePrinter printer(io, "desk", dir.file("labels"));
    ASSERT_TRUE(printer.open().ok());
    std::optional<Status> result;
    printer.print(PrintJob{"../escape", "^XA^XZ", ""}, [&](Status st) { result = st; });
    io.run();
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(result->ok());
    EXPECT_FALSE(std::filesystem::exists(dir.file("escape.zpl")));
    EXPECT_EQ(printer.status().state, DeviceState::fault);
}

}  // namespace
}  // namespace packd::drivers
