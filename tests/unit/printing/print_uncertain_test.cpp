// Labels whose bytes went out without the printer's word on them are never sent again by themselves: the
// print queue marks a batch 'sending' before its first byte, settles it as done, pending or uncertain, and
// after a crash resolves what it finds 'sending' from the printer where the printer can tell. Real SQLite
// files, the loopback ZPL emulator, the file printer in a temporary folder.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "packd/drivers/file_printer.hpp"
#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "print_jobs_wait.hpp"
#include "test_env.hpp"
#include "test_result.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd {
namespace {

using test::ZplPrinterEmulator;
using Clock = std::chrono::steady_clock;

void run_for(boost::asio::io_context& io, std::chrono::milliseconds how_long) {
    const auto deadline = Clock::now() + how_long;
    while (Clock::now() < deadline) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(60);
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
    s.status_timeout = std::chrono::milliseconds(300);
    s.job_timeout = std::chrono::milliseconds(10000);
    s.poll_interval = std::chrono::milliseconds(20);
    s.batch = batch;
    return s;
}

std::vector<int64_t> queue_labels(fulfillment::Store& store, const std::string& printer, int count) {
    std::vector<int64_t> ids;
    for (int i = 0; i < count; ++i) {
        const std::string order = std::to_string(1000 + i);
        ids.push_back(store.print_job_add(printer, "shipping", order,
                                          "^XA^FO20,20^A0N,30,30^FDORDER " + order + "^FS^XZ", "", false));
    }
    return ids;
}

std::string state_of(fulfillment::Store& store, int64_t id) {
    auto st = store.db().prepare("SELECT state FROM print_jobs WHERE id = ?");
    st.bind(1, id);
    return st.step() ? st.text(0) : "none";
}

/// The label_uncertain alerts in the outbox, in order.
std::vector<nlohmann::json> uncertain_alerts(fulfillment::Store& store) {
    std::vector<nlohmann::json> out;
    for (const auto& m : test::value_of(store.outbox_pending(0, 100))) {
        auto doc = nlohmann::json::parse(m.payload);
        if (m.topic == "packd/v1/it/out/alerts" && doc.value("kind", "") == "label_uncertain") {
            out.push_back(doc);
        }
    }
    return out;
}

TEST(PrintUncertain, APrinterSilentAfterTakingALabelGetsItOnlyOnce) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto ids = queue_labels(**store, "zebra1", 3);
    ZplPrinterEmulator emulator;
    emulator.silent_after_formats(1);  // answers the check before the first label, then nothing
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", settings(emulator.port(), 1));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.set_alerts("packd/v1/it/out/alerts", nullptr);
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return state_of(**store, ids[0]) == "uncertain"; }))
        << state_of(**store, ids[0]) << ": " << queue.last_error();
    // Retries at 1 s and 2 s: the printer stays silent before the next labels, so nothing else goes out,
    // and the first label is not sent again.
    run_for(io, std::chrono::milliseconds(3500));
    EXPECT_EQ(emulator.formats_received(), 1u);
    EXPECT_EQ(state_of(**store, ids[1]), "pending");
    EXPECT_EQ(state_of(**store, ids[2]), "pending");
    const auto alerts = uncertain_alerts(**store);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["job"], ids[0]);
    EXPECT_EQ(alerts[0]["order_id"], "1000");
    EXPECT_EQ(test::value_of((*store)->print_jobs_uncertain()).size(), 1u);
    EXPECT_EQ((*store)->counts()->print_jobs_uncertain, 1);

    // The printer answers again: the pending ones print once; the uncertain one still waits.
    emulator.silent_after_formats(0);
    ASSERT_TRUE(run_until(io, [&] { return test::print_queue_settled(**store, "zebra1"); }));
    EXPECT_EQ(emulator.formats_received(), 3u);
    EXPECT_EQ(state_of(**store, ids[0]), "uncertain");
    // The operator's word: it did not print. It goes out once more.
    ASSERT_TRUE((*store)->print_job_resolve(ids[0], false).ok());
    queue.kick();
    ASSERT_TRUE(run_until(io, [&] { return state_of(**store, ids[0]) == "done"; }));
    EXPECT_EQ(emulator.formats_received(), 4u);
    EXPECT_FALSE((*store)->print_job_resolve(ids[0], true).ok()) << "a done job is not uncertain";
}

TEST(PrintUncertain, AFaultWithTheBufferUnknownCancelsAndHoldsTheBatchInsteadOfSendingItAgain) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto ids = queue_labels(**store, "zebra1", 4);
    ZplPrinterEmulator emulator;
    // Newer firmware: silent to ~HS once out of paper; ~HQES names the fault but not the buffer.
    emulator.set_hs_silent_in_fault(true);
    emulator.fault_after_formats(1, ZplPrinterEmulator::Fault::paper_out);
    boost::asio::io_context io;
    auto s = settings(emulator.port(), 4);
    s.query = drivers::ZplStatusQuery::both;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", s);
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return test::value_of((*store)->print_jobs_uncertain()).size() == 4; }))
        << queue.last_error();
    EXPECT_EQ(emulator.buffered(), 0u) << "what still waited in the printer was cancelled (~JA)";
    emulator.set_fault(ZplPrinterEmulator::Fault::none);
    run_for(io, std::chrono::milliseconds(2500));
    EXPECT_EQ(emulator.formats_received(), 4u) << "none of the four is sent again unasked";
    EXPECT_EQ(emulator.printed().size(), 1u);
}

TEST(PrintUncertain, AfterACrashAFilePrinterSaysWhichLabelsItWrote) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto ids = queue_labels(**store, "desk", 2);
    // packd died with both 'sending': the first had reached its file, the second had not.
    ASSERT_TRUE((*store)->print_jobs_sending(ids).ok());
    std::filesystem::create_directories(dir.file("labels"));
    const std::string first = dir.file("labels/1000-shipping-" + std::to_string(ids[0]) + ".zpl");
    test::write_file(first, "^XA^XZ");
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::FilePrinter>(io, "desk", dir.file("labels"));
    ASSERT_TRUE(printer->open().ok());
    fulfillment::PrintQueue queue(io, **store, "desk");
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return state_of(**store, ids[1]) == "done"; }));
    EXPECT_EQ(state_of(**store, ids[0]), "done");
    EXPECT_EQ(test::read_file(first), "^XA^XZ") << "the label already written is not written again";
    EXPECT_TRUE(test::value_of((*store)->print_jobs_uncertain()).empty());
}

TEST(PrintUncertain, AfterACrashAZplPrinterCannotSaySoTheLabelIsHeld) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto ids = queue_labels(**store, "zebra1", 2);
    ASSERT_TRUE((*store)->print_jobs_sending({ids[0]}).ok());
    ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    auto printer = std::make_shared<drivers::TcpZplPrinter>(io, "zebra1", settings(emulator.port(), 8));
    fulfillment::PrintQueue queue(io, **store, "zebra1");
    queue.set_alerts("packd/v1/it/out/alerts", nullptr);
    queue.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return state_of(**store, ids[1]) == "done"; }));
    EXPECT_EQ(state_of(**store, ids[0]), "uncertain");
    EXPECT_EQ(emulator.formats_received(), 1u) << "only the job that had not been sent";
    ASSERT_EQ(uncertain_alerts(**store).size(), 1u);
    EXPECT_NE(uncertain_alerts(**store)[0]["reason"].get<std::string>().find("packd stopped"),
              std::string::npos);
}

TEST(PrintUncertain, AJobCancelledSinceItWasReadIsNotMarkedSending) {
    test::TempDir dir;
    auto store = fulfillment::Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    const auto ids = queue_labels(**store, "zebra1", 2);
    (*store)->db().prepare("UPDATE print_jobs SET state = 'cancelled' WHERE id = ?").bind(1, ids[1]).run();
    EXPECT_FALSE((*store)->print_jobs_sending(ids).ok());
    EXPECT_EQ(state_of(**store, ids[0]), "pending") << "all or nothing";
    EXPECT_EQ(state_of(**store, ids[1]), "cancelled");
    // And a reprint waits while a label is being sent or may have printed.
    ASSERT_TRUE((*store)->print_jobs_sending({ids[0]}).ok());
    EXPECT_FALSE((*store)->print_job_reprint("1000", "shipping").ok());
    fulfillment::PrintSettlement held;
    held.uncertain = {ids[0]};
    held.reason = "no answer";
    ASSERT_TRUE((*store)->print_jobs_settle(held, "").ok());
    auto refused = (*store)->print_job_reprint("1000", "shipping");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("may have printed"), std::string::npos) << refused.error().message;
    EXPECT_TRUE(test::value_of((*store)->outbox_pending(0, 10)).empty()) << "no alerts topic, no alert";
    ASSERT_TRUE((*store)->print_job_resolve(ids[0], true).ok());
    EXPECT_TRUE((*store)->print_job_reprint("1000", "shipping").ok());
}

}  // namespace
}  // namespace packd
