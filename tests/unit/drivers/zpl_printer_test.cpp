// ZPL printers on the network: the ~HS answer parser, the TCP 9100 transport against a loopback emulator that
// speaks ~HS, and the durable print queue on a real SQLite file through paper-out, a silent printer, a closed
// connection and a printer switched off: no label lost, none printed twice.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/drivers/zpl_status.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "print_jobs_wait.hpp"
#include "test_env.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd {
namespace {

using drivers::DeviceState;
using drivers::ZplStatusProgress;
using test::ZplPrinterEmulator;

// Answers laid out field by field as the ZPL II Programming Guide's ~HS page shows them (String 1, 2, 3);
// constructed from the guide, not captured from a printer.
const std::string kReady =
    "\x02"
    "030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02"
    "001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n\x02"
    "1234,0\x03\r\n";
const std::string kPaperOutTwoFormats =
    "\x02"
    "030,1,0,1218,002,0,0,0,000,0,0,0\x03\r\n\x02"
    "001,0,0,0,1,2,6,0,00000000,1,000\x03\r\n\x02"
    "1234,0\x03\r\n";
const std::string kHeadOpenRibbonOut =
    "\x02"
    "030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02"
    "001,0,1,1,1,2,6,0,00000000,1,000\x03\r\n\x02"
    "1234,0\x03\r\n";

TEST(ZplHostStatus, ReadsTheFlagsOfAllThreeStrings) {
    const auto ready = drivers::parse_zpl_host_status(kReady);
    ASSERT_EQ(ready.progress, ZplStatusProgress::complete) << ready.error;
    EXPECT_EQ(ready.consumed, kReady.size());
    EXPECT_TRUE(drivers::can_print(ready.status));
    EXPECT_EQ(ready.status.label_length_dots, 1218);
    EXPECT_EQ(drivers::device_status(ready.status).detail, "ready");

    const auto paper = drivers::parse_zpl_host_status(kPaperOutTwoFormats);
    ASSERT_EQ(paper.progress, ZplStatusProgress::complete);
    EXPECT_TRUE(paper.status.paper_out);
    EXPECT_EQ(paper.status.formats_in_buffer, 2);
    EXPECT_FALSE(drivers::can_print(paper.status));
    EXPECT_EQ(drivers::device_status(paper.status).state, DeviceState::fault);
    EXPECT_EQ(drivers::device_status(paper.status).detail, "paper out: load labels");

    const auto head = drivers::parse_zpl_host_status(kHeadOpenRibbonOut);
    ASSERT_EQ(head.progress, ZplStatusProgress::complete);
    EXPECT_TRUE(head.status.head_open);
    EXPECT_TRUE(head.status.ribbon_out);
    EXPECT_EQ(drivers::device_status(head.status).detail, "print head open: close the head");
}

TEST(ZplHostStatus, EveryPrefixAsksForMoreAndTrailingBytesAreLeft) {
    for (std::size_t cut = 0; cut + 2 < kReady.size(); ++cut) {
        EXPECT_EQ(drivers::parse_zpl_host_status(kReady.substr(0, cut)).progress,
                  ZplStatusProgress::incomplete)
            << cut;
    }
    const auto two = drivers::parse_zpl_host_status(kReady + kPaperOutTwoFormats);
    ASSERT_EQ(two.progress, ZplStatusProgress::complete);
    EXPECT_EQ(two.consumed, kReady.size());
    EXPECT_FALSE(two.status.paper_out);
}

TEST(ZplHostStatus, GarbageIsMalformedWithAReason) {
    const auto reason = [](const std::string& bytes) { return drivers::parse_zpl_host_status(bytes).error; };
    EXPECT_EQ(reason("HELLO\r\n"),
              "printer status answer is not a ~HS answer: string 1 does not start with STX");
    EXPECT_EQ(reason("\x02"
                     "1,2\x03\x02"
                     "001,0,0,0,1,2,6,0,00000000,1,000\x03\x02"
                     "1\x03"),
              "printer status answer is not a ~HS answer: string 1 has 2 fields, not 12");
    EXPECT_EQ(reason("\x02"
                     "030,0,0,1218,0x0,0,0,0,000,0,0,0\x03\x02"
                     "001,0,0,0,1,2,6,0,00000000,1,000\x03\x02"
                     "1\x03"),
              "printer status answer is not a ~HS answer: string 1 field 5 '0x0' is not a number");
    EXPECT_EQ(reason("\x02" + std::string(600, '0')),
              "printer status answer is not a ~HS answer: no ETX within 512 bytes");
    EXPECT_EQ(reason("\x02"
                     "abc\x02"),
              "printer status answer is not a ~HS answer: string 1 has STX inside");
}

// ---- The transport against the emulator ------------------------------------------------------------------

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

drivers::TcpPrinterSettings quick(int port) {
    drivers::TcpPrinterSettings s;
    s.host = "127.0.0.1";
    s.port = static_cast<std::uint16_t>(port);
    s.connect_timeout = std::chrono::milliseconds(2000);
    s.status_timeout = std::chrono::milliseconds(400);
    s.job_timeout = std::chrono::milliseconds(10000);
    s.poll_interval = std::chrono::milliseconds(20);
    return s;
}

std::string label(const std::string& text) {
    return "^XA^FO20,20^A0N,30,30^FD" + text + "^FS^XZ";
}

// Prints one job and returns its outcome.
std::optional<Status> print_one(boost::asio::io_context& io, drivers::TcpZplPrinter& printer,
                                const std::string& zpl) {
    std::optional<Status> outcome;
    printer.print(drivers::PrintJob{"job-1", zpl, {}}, [&](Status st) { outcome = std::move(st); });
    EXPECT_TRUE(run_until(io, [&] { return outcome.has_value(); }));
    return outcome;
}

std::string message(const std::optional<Status>& st) {
    return st && !st->ok() ? st->error().message : std::string();
}

TEST(TcpZplPrinter, PrintsAndAsksStatusBeforeAndAfter) {
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
    EXPECT_EQ(printer.status().state, DeviceState::offline);
    const auto outcome = print_one(io, printer, label("ORDER 1001"));
    ASSERT_TRUE(outcome && outcome->ok()) << message(outcome);
    EXPECT_EQ(emulator.printed(), std::vector<std::string>{label("ORDER 1001")});
    EXPECT_GE(emulator.status_queries(), 2);
    EXPECT_EQ(printer.status().state, DeviceState::ready);
}

TEST(TcpZplPrinter, PaperOutSendsNothing) {
    ZplPrinterEmulator emulator;
    emulator.set_fault(ZplPrinterEmulator::Fault::paper_out);
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
    const auto outcome = print_one(io, printer, label("A"));
    EXPECT_EQ(message(outcome), "printer zebra1: paper out: load labels (nothing was sent)");
    EXPECT_EQ(emulator.buffered(), 0U);
    EXPECT_TRUE(emulator.printed().empty());
    EXPECT_EQ(printer.status().state, DeviceState::fault);
    EXPECT_EQ(printer.status().detail, "paper out: load labels");
}

TEST(TcpZplPrinter, FaultWithOurFormatInTheBufferCancelsItSoTheRetryIsTheOnlyCopy) {
    ZplPrinterEmulator emulator;
    emulator.fault_on_next_format(ZplPrinterEmulator::Fault::head_open);
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
    const auto outcome = print_one(io, printer, label("A"));
    EXPECT_EQ(message(outcome),
              "printer zebra1: print head open: close the head before the label was printed; it will be sent "
              "again");
    ASSERT_TRUE(run_until(
        io, [&] { return emulator.buffered() == 0; }, std::chrono::seconds(10)));
    emulator.set_fault(ZplPrinterEmulator::Fault::none);
    EXPECT_TRUE(emulator.printed().empty());  // nothing left to print itself once the head is closed
}

TEST(TcpZplPrinter, GarbageSilenceClosedConnectionAndNoPrinterAreClearErrors) {
    boost::asio::io_context io;
    {
        ZplPrinterEmulator emulator;
        emulator.set_answer(ZplPrinterEmulator::Answer::garbage);
        drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
        EXPECT_EQ(
            message(print_one(io, printer, label("A"))),
            "printer zebra1: printer status answer is not a ~HS answer: string 1 does not start with STX");
        EXPECT_TRUE(emulator.printed().empty());
    }
    {
        ZplPrinterEmulator emulator;
        emulator.set_answer(ZplPrinterEmulator::Answer::silent);
        drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
        EXPECT_NE(message(print_one(io, printer, label("A"))).find("no answer to ~HS within 400 ms"),
                  std::string::npos);
        EXPECT_EQ(printer.status().state, DeviceState::offline);
    }
    {
        ZplPrinterEmulator emulator;
        emulator.close_mid_job_after(10);
        drivers::TcpZplPrinter printer(io, "zebra1", quick(emulator.port()));
        const std::string why = message(print_one(io, printer, label(std::string(3000, 'X'))));
        EXPECT_NE(why.find("closed the connection"), std::string::npos) << why;
        EXPECT_TRUE(emulator.printed().empty());
    }
    {
        const int port = test::free_port();
        drivers::TcpZplPrinter printer(io, "zebra1", quick(port));
        EXPECT_NE(message(print_one(io, printer, label("A")))
                      .find("cannot connect to 127.0.0.1:" + std::to_string(port)),
                  std::string::npos);
        EXPECT_EQ(printer.status().state, DeviceState::offline);
    }
}

// ---- The print queue through faults -------------------------------------------------------------------

TEST(PrintQueueOnTcp, NoLabelLostNoneTwiceThroughPaperOutAndPowerOff) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", quick(emulator.port()));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    std::vector<std::string> labels;
    for (int i = 0; i < 6; ++i) {
        labels.push_back(label("ORDER " + std::to_string(1000 + i)));
        (void)(*store)->print_job_add("zebra1", "shipping", std::to_string(1000 + i), labels.back(), "",
                                      false);
    }
    emulator.set_online(false);  // switched off when the first label is due
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return queue.last_error().find("cannot connect") != std::string::npos; }))
        << queue.last_error();
    EXPECT_EQ(printer->status().state, DeviceState::offline);
    emulator.fault_on_next_format(ZplPrinterEmulator::Fault::paper_out);  // the first label empties the roll
    emulator.set_online(true);
    ASSERT_TRUE(run_until(io, [&] { return queue.last_error().find("paper out") != std::string::npos; }))
        << queue.last_error();
    EXPECT_TRUE(emulator.printed().empty());
    emulator.set_fault(ZplPrinterEmulator::Fault::none);  // the operator loads labels
    ASSERT_TRUE(run_until(
        io, [&] { return test::print_queue_settled(**store, "zebra1"); }, std::chrono::seconds(120)));
    EXPECT_EQ(emulator.printed(), labels);  // each exactly once, in order
}

}  // namespace
}  // namespace packd
