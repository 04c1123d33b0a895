// ~HQES: the parser against the answers of the ZPL II Programming Guide (tests/data/zpl/), and the TCP
// printer asking ~HS, ~HQES or both of the loopback emulator: faults only ~HQES can tell stop the job.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/drivers/zpl_hqes.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd {
namespace {

using drivers::DeviceState;
using drivers::ZplStatusProgress;
using test::ZplPrinterEmulator;

std::string unescape(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char c = text[++i];
        if (c == 'r') {
            out += '\r';
        } else if (c == 'n') {
            out += '\n';
        } else if (c == 'x' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

struct Case {
    std::string answer;
    std::string kind;  // ready, fault, malformed
    std::string text;
};

// A missing file or a line that is not `answer => expected` fails the test that reads it: the cases must not
// quietly be fewer than the file holds.
std::vector<Case> manual_answers() {
    const std::string path = std::string(PACKD_SOURCE_DIR) + "/tests/data/zpl/hqes-answers.txt";
    std::ifstream in(path);
    std::vector<Case> cases;
    if (!in) {
        ADD_FAILURE() << "cannot open " << path;
        return cases;
    }
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto arrow = line.find(" => ");
        if (arrow == std::string::npos || line.find(' ', arrow + 4) == std::string::npos) {
            ADD_FAILURE() << path << ":" << number << ": not `answer => kind text`: " << line;
            continue;
        }
        const std::string expected = line.substr(arrow + 4);
        const auto space = expected.find(' ');
        cases.push_back(
            {unescape(line.substr(0, arrow)), expected.substr(0, space), expected.substr(space + 1)});
    }
    return cases;
}

TEST(ZplHqes, ReadsTheGuidesAnswersIntoOperatorWords) {
    const auto cases = manual_answers();
    ASSERT_EQ(cases.size(), 26U) << "answers in tests/data/zpl/hqes-answers.txt";
    for (const auto& c : cases) {
        const auto parse = drivers::parse_zpl_hqes(c.answer);
        if (c.kind == "malformed") {
            EXPECT_EQ(parse.progress, ZplStatusProgress::malformed) << c.text;
            EXPECT_NE(parse.error.find(c.text), std::string::npos) << parse.error;
            continue;
        }
        ASSERT_EQ(parse.progress, ZplStatusProgress::complete) << c.text << ": " << parse.error;
        EXPECT_EQ(parse.consumed, c.answer.size()) << c.text;
        drivers::ZplHostStatus status;
        drivers::merge_hqes(parse.answer, status);
        const auto shown = drivers::device_status(status);
        EXPECT_EQ(shown.detail, c.text);
        EXPECT_EQ(shown.state, c.kind == "ready" ? DeviceState::ready : DeviceState::fault) << c.text;
        EXPECT_EQ(drivers::can_print(status), c.kind == "ready") << c.text;
    }
}

TEST(ZplHqes, TheGuidesExampleSetsMediaOutAndHeadOpen) {
    const auto cases = manual_answers();
    ASSERT_FALSE(cases.empty());
    const auto parse = drivers::parse_zpl_hqes(cases.front().answer);
    ASSERT_EQ(parse.progress, ZplStatusProgress::complete);
    EXPECT_TRUE(parse.answer.errors.any);
    EXPECT_EQ(parse.answer.errors.group1, 0x5U);
    drivers::ZplHostStatus status;
    drivers::merge_hqes(parse.answer, status);
    EXPECT_TRUE(status.paper_out);
    EXPECT_TRUE(status.head_open);
    EXPECT_FALSE(status.ribbon_out);
}

TEST(ZplHqes, EveryPrefixAsksForMoreAndMergingKeepsWhatHsSaid) {
    const auto cases = manual_answers();
    ASSERT_GE(cases.size(), 2U);
    const std::string ready = cases[1].answer;
    for (std::size_t cut = 0; cut + 2 < ready.size(); ++cut) {
        EXPECT_EQ(drivers::parse_zpl_hqes(ready.substr(0, cut)).progress, ZplStatusProgress::incomplete)
            << cut;
    }
    const auto parse = drivers::parse_zpl_hqes(ready + "trailing");
    ASSERT_EQ(parse.progress, ZplStatusProgress::complete);
    EXPECT_EQ(parse.consumed, ready.size());
    drivers::ZplHostStatus from_hs;
    from_hs.paused = true;
    drivers::merge_hqes(parse.answer, from_hs);
    EXPECT_EQ(drivers::device_status(from_hs).detail, "paused: press PAUSE on the printer to resume");
    EXPECT_EQ(drivers::parse_zpl_hqes("\x02" + std::string(600, 'A')).error,
              "printer status answer is not a ~HQES answer: no ETX within 512 bytes");
}

// ---- The TCP printer asking ~HQES of the emulator ---------------------------------------------------------

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

drivers::TcpPrinterSettings asking(int port, drivers::ZplStatusQuery query) {
    drivers::TcpPrinterSettings s;
    s.host = "127.0.0.1";
    s.port = static_cast<std::uint16_t>(port);
    s.status_timeout = std::chrono::milliseconds(400);
    s.job_timeout = std::chrono::milliseconds(10000);
    s.poll_interval = std::chrono::milliseconds(20);
    s.query = query;
    return s;
}

const std::string kLabel = "^XA^FO20,20^A0N,30,30^FDORDER 1001^FS^XZ";

std::string print_one(boost::asio::io_context& io, drivers::TcpZplPrinter& printer) {
    std::optional<Status> outcome;
    printer.print(drivers::PrintJob{"job-1", kLabel, {}}, [&](Status st) { outcome = std::move(st); });
    EXPECT_TRUE(run_until(io, [&] { return outcome.has_value(); }));
    return outcome && !outcome->ok() ? outcome->error().message : std::string("printed");
}

TEST(TcpZplPrinterHqes, AsksOnlyHqesAndPrints) {
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hqes));
    EXPECT_EQ(print_one(io, printer), "printed");
    EXPECT_EQ(emulator.printed(), std::vector<std::string>{kLabel});
    EXPECT_EQ(emulator.status_queries(), 0);
    EXPECT_GE(emulator.hqes_queries(), 2);  // before and after
    EXPECT_EQ(printer.status().state, DeviceState::ready);
}

TEST(TcpZplPrinterHqes, ACutterFaultOnlyHqesTellsStopsTheJob) {
    ZplPrinterEmulator emulator;
    emulator.set_fault(ZplPrinterEmulator::Fault::cutter);
    boost::asio::io_context io;
    {
        drivers::TcpZplPrinter printer(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::both));
        EXPECT_EQ(print_one(io, printer),
                  "printer zebra1: cutter fault: clear the cutter (nothing was sent)");
        EXPECT_EQ(printer.status().state, DeviceState::fault);
        EXPECT_GE(emulator.status_queries(), 1);
        EXPECT_GE(emulator.hqes_queries(), 1);
    }
    EXPECT_EQ(emulator.buffered(), 0U);
    {
        // The same printer asked only ~HS looks ready: why "hqes" exists.
        drivers::TcpZplPrinter printer(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hs));
        std::optional<Status> checked;
        printer.query_status([&](Status st) { checked = std::move(st); });
        ASSERT_TRUE(run_until(io, [&] { return checked.has_value(); }));
        EXPECT_TRUE(checked->ok());
        EXPECT_EQ(printer.status().detail, "ready");
    }
}

TEST(TcpZplPrinterHqes, HeadOpenWhileHsStaysSilent) {
    ZplPrinterEmulator emulator;
    emulator.set_hs_silent_in_fault(true);
    emulator.set_fault(ZplPrinterEmulator::Fault::head_open);
    boost::asio::io_context io;
    drivers::TcpZplPrinter hs(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hs));
    EXPECT_NE(print_one(io, hs).find("no answer to ~HS within 400 ms"), std::string::npos);
    EXPECT_EQ(hs.status().state, DeviceState::offline);
    drivers::TcpZplPrinter hqes(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hqes));
    EXPECT_EQ(print_one(io, hqes), "printer zebra1: print head open: close the head (nothing was sent)");
    EXPECT_EQ(hqes.status().detail, "print head open: close the head");
    // Asked both, the silence to ~HS is not taken for an offline printer: ~HQES is asked all the same.
    drivers::TcpZplPrinter both(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::both));
    EXPECT_EQ(print_one(io, both), "printer zebra1: print head open: close the head (nothing was sent)");
    EXPECT_TRUE(emulator.printed().empty());
}

// ~HQES names the fault but not the formats in the buffer: what still waits is cancelled, and whether the
// label printed before the head opened is unknown, so it is not sent again by itself.
TEST(TcpZplPrinterHqes, HeadOpenedDuringTheJobCancelsOurFormatAndLeavesItUncertain) {
    ZplPrinterEmulator emulator;
    emulator.fault_on_next_format(ZplPrinterEmulator::Fault::head_open);
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hqes));
    std::optional<drivers::PrintOutcome> outcome;
    printer.print_batch({{"job-1", "^XA^FDx^FS^XZ", ""}},
                        [&](drivers::PrintOutcome o) { outcome = std::move(o); });
    ASSERT_TRUE(run_until(io, [&] { return outcome.has_value(); }));
    ASSERT_FALSE(outcome->status.ok());
    EXPECT_EQ(outcome->status.error().message,
              "printer zebra1: print head open: close the head; the label may have printed and will not be "
              "sent again unasked");
    EXPECT_EQ(outcome->printed, 0u);
    EXPECT_EQ(outcome->uncertain, 1u);
    ASSERT_TRUE(run_until(io, [&] { return emulator.buffered() == 0; }));
    emulator.set_fault(ZplPrinterEmulator::Fault::none);
    EXPECT_TRUE(emulator.printed().empty());
}

TEST(TcpZplPrinterHqes, GarbageToHqesIsAClearError) {
    ZplPrinterEmulator emulator;
    emulator.set_answer(ZplPrinterEmulator::Answer::garbage);
    boost::asio::io_context io;
    drivers::TcpZplPrinter printer(io, "zebra1", asking(emulator.port(), drivers::ZplStatusQuery::hqes));
    EXPECT_EQ(print_one(io, printer),
              "printer zebra1: printer status answer is not a ~HQES answer: it does not start with STX");
    EXPECT_TRUE(emulator.printed().empty());
}

}  // namespace
}  // namespace packd
