// A printer at its own pace: the print queue streams several labels between two status checks, still never
// prints one twice when the paper runs out in the middle of them, and a status answer that waited behind a
// busy event loop is read before its timeout counts. Real SQLite files, the loopback ZPL emulator.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "print_jobs_wait.hpp"
#include "test_env.hpp"
#include "test_result.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd {
namespace {

using drivers::DeviceState;
using test::ZplPrinterEmulator;
using Clock = std::chrono::steady_clock;

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(60)) {
    const auto deadline = Clock::now() + limit;
    while (!done() && Clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

drivers::TcpPrinterSettings settings(int port, std::size_t batch) {
    drivers::TcpPrinterSettings s;
    s.host = "127.0.0.1";
    s.port = static_cast<std::uint16_t>(port);
    s.connect_timeout = std::chrono::milliseconds(2000);
    s.status_timeout = std::chrono::milliseconds(400);
    s.job_timeout = std::chrono::milliseconds(10000);
    s.poll_interval = std::chrono::milliseconds(20);
    s.batch = batch;
    return s;
}

std::string label(int n) {
    return "^XA^FO20,20^A0N,30,30^FDORDER " + std::to_string(n) + "^FS^XZ";
}

/// A store with `count` shipping jobs queued for printer "zebra1"; their ZPL in order.
std::vector<std::string> queue_labels(fulfillment::Store& store, int count) {
    std::vector<std::string> labels;
    for (int i = 0; i < count; ++i) {
        labels.push_back(label(1000 + i));
        (void)store.print_job_add("zebra1", "shipping", std::to_string(1000 + i), labels.back(), "", false);
    }
    return labels;
}

TEST(PrintStreaming, SeveralLabelsGoBetweenTwoStatusChecks) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto labels = queue_labels(**store, 12);
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", settings(emulator.port(), 4));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return test::print_queue_settled(**store, "zebra1"); }));
    EXPECT_EQ(emulator.printed(), labels) << "each label once, in the order queued";
    // 12 labels in batches of 4: three connections, a status check before and after each.
    EXPECT_EQ(emulator.connections(), 3);
    EXPECT_EQ(emulator.status_queries(), 6);
}

TEST(PrintStreaming, PaperRunningOutInABatchPrintsNoLabelTwice) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto labels = queue_labels(**store, 8);
    ZplPrinterEmulator emulator;
    // Two labels of the first batch of five print, then the roll is empty: the other three wait in the
    // printer's buffer, where ~HS counts them.
    emulator.fault_after_formats(2, ZplPrinterEmulator::Fault::paper_out);
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", settings(emulator.port(), 5));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return queue.last_error().find("paper out") != std::string::npos; }))
        << queue.last_error();
    EXPECT_EQ(emulator.printed(), std::vector<std::string>(labels.begin(), labels.begin() + 2));
    EXPECT_EQ(emulator.buffered(), 0u) << "the three labels left in the printer were cancelled (~JA)";
    EXPECT_EQ(test::value_of((*store)->print_jobs_pending("zebra1")).size(), 6u)
        << "the two printed are done, six wait";
    emulator.set_fault(ZplPrinterEmulator::Fault::none);  // the operator loads labels
    ASSERT_TRUE(run_until(
        io, [&] { return test::print_queue_settled(**store, "zebra1"); }, std::chrono::seconds(120)));
    EXPECT_EQ(emulator.printed(), labels) << "each label exactly once, in order";
    EXPECT_EQ(emulator.formats_received(), 8u + 3u) << "only the three cancelled ones were sent twice";
}

TEST(PrintStreaming, AStatusAnswerWaitingBehindABusyLoopIsReadBeforeItsTimeoutCounts) {
    ZplPrinterEmulator emulator;
    emulator.set_answer_delay(std::chrono::milliseconds(50));
    boost::asio::io_context io;
    auto printer_settings = settings(emulator.port(), 1);
    printer_settings.status_timeout = std::chrono::milliseconds(200);
    drivers::TcpZplPrinter printer(io, "zebra1", printer_settings);

    // As soon as the first ~HS is out, another handler keeps the loop busy four times the status timeout:
    // the answer arrives meanwhile, and the status timer is long due when the loop comes back.
    std::atomic<bool> stop{false};
    std::atomic<bool> blocked{false};
    Clock::time_point query_seen{};
    Clock::time_point block_ended{};
    std::thread watcher([&] {
        while (!stop && emulator.status_queries() == 0) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        query_seen = Clock::now();
        boost::asio::post(io, [&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(800));
            block_ended = Clock::now();
            blocked = true;
        });
    });
    std::optional<Status> outcome;
    printer.print(drivers::PrintJob{"job-1", label(1), {}}, [&](Status st) { outcome = std::move(st); });
    const bool finished = run_until(io, [&] { return outcome.has_value(); });
    stop = true;
    watcher.join();
    ASSERT_TRUE(finished);
    ASSERT_TRUE(blocked) << "the loop was never kept busy: the test proved nothing";
    ASSERT_GT(block_ended - query_seen, printer_settings.status_timeout * 3)
        << "the loop was not busy past the status timeout";
    EXPECT_TRUE(outcome->ok()) << outcome->error().message;
    EXPECT_EQ(emulator.printed(), std::vector<std::string>{label(1)});
    EXPECT_NE(printer.status().state, DeviceState::offline) << printer.status().detail;
}

TEST(PrintStreaming, ARestartedQueueResumesALongBacklogInOrderReadingOnlyABatch) {
    test::TempDir dir;
    std::vector<std::string> labels;
    {
        auto store = fulfillment::Store::open(dir.file("packd.db"));
        ASSERT_TRUE(store.ok()) << store.error().message;
        labels = queue_labels(**store, 300);
        const auto next = test::value_of((*store)->print_jobs_next("zebra1", 8, false));
        ASSERT_EQ(next.size(), 8u) << "the queue reads one batch, not the backlog";
        EXPECT_EQ(next.front().zpl, labels.front());
        EXPECT_TRUE(next.front().preview_png.empty());
    }
    auto store = fulfillment::Store::open(dir.file("packd.db"));  // a restarted packd
    ASSERT_TRUE(store.ok()) << store.error().message;
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", settings(emulator.port(), 8));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.attach(printer);
    ASSERT_TRUE(run_until(
        io, [&] { return test::print_queue_settled(**store, "zebra1"); }, std::chrono::seconds(120)));
    EXPECT_EQ(emulator.printed(), labels);
}

}  // namespace
}  // namespace packd
