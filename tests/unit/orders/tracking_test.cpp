// Tracking numbers from local ranges: check digits against published examples and packd's own GS1 parser,
// allocation on a real SQLite file, the low-range alert, config changes that must not reissue numbers, and a
// child process killed with SIGKILL while it allocates.

#include "packd/fulfillment/orders/tracking.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "packd/fulfillment/barcodes/gs1.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

const Topics kTopics("packd/v1", "t1");

TEST(TrackingCheckDigits, MatchPublishedExamples) {
    // UPS's widely published sample number 1Z 999 AA1 01 2345 678 4.
    EXPECT_EQ(format_tracking_number(TrackingScheme::Ups1z, "999AA101", 2345678, 9999999),
              "1Z999AA10123456784");
    // UPU S10 example serial 47312482 has check digit 9 (RR 47312482 9 GB).
    EXPECT_EQ(s10_check_digit("47312482"), 9);
    EXPECT_EQ(format_tracking_number(TrackingScheme::GenericMod11, "RR", 47312482, 99999999), "RR473124829");
    EXPECT_EQ(gs1_check_digit("123456"), 5);
    EXPECT_EQ(format_tracking_number(TrackingScheme::GenericMod10, "JJD", 42, 999999), "JJD0000420");
}

TEST(TrackingCheckDigits, SsccPassesTheGs1Parser) {
    for (const int64_t serial : {0LL, 1LL, 4711LL, 99999999LL}) {
        const std::string sscc = format_tracking_number(TrackingScheme::Sscc, "04012345", serial, 999999999);
        ASSERT_EQ(sscc.size(), 18U);
        const auto parsed = parse_gs1("(00)" + sscc);
        EXPECT_TRUE(parsed.ok()) << sscc << ": " << (parsed ? "" : parsed.error().message);
    }
}

TEST(TrackingRanges, ValidationNamesTheProblem) {
    EXPECT_FALSE(validate(TrackingRange{"ups", TrackingScheme::Ups1z, "999AA1", 0, 10, 0}).ok());
    EXPECT_FALSE(validate(TrackingRange{"x", TrackingScheme::Sscc, "0401", 0, 10, 0}).ok());
    const auto big = validate(TrackingRange{"x", TrackingScheme::Sscc, "04012345", 0, 1'000'000'000, 0});
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(
        big.error().message,
        "tracking range for x: serials must satisfy 0 <= first <= last <= 999999999; found 0 to 1000000000");
    EXPECT_TRUE(validate(TrackingRange{"dhl", TrackingScheme::GenericMod10, "JJD", 1, 999, 10}).ok());
}

int alerts_in_outbox(Store& store) {
    int n = 0;
    for (const auto& m : test::value_of(store.outbox_pending(0, 1000))) {
        n += m.payload.find("tracking_range_low") != std::string::npos ? 1 : 0;
    }
    return n;
}

TEST(TrackingNumbers, AllocatesInOrderAlertsOnceAndStopsAtTheEnd) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    TrackingNumbers numbers(**store, kTopics);
    ASSERT_TRUE(numbers.sync({{"ups", TrackingScheme::Ups1z, "999AA101", 2345678, 2345682, 2}}).ok());
    EXPECT_EQ(*numbers.allocate("ups"), "1Z999AA10123456784");
    EXPECT_EQ(numbers.remaining("ups"), 4);
    EXPECT_EQ(alerts_in_outbox(**store), 0);
    ASSERT_TRUE(numbers.allocate("ups").ok());
    ASSERT_TRUE(numbers.allocate("ups").ok());  // 2 left: the alert goes out
    EXPECT_EQ(alerts_in_outbox(**store), 1);
    ASSERT_TRUE(numbers.allocate("ups").ok());
    ASSERT_TRUE(numbers.allocate("ups").ok());
    EXPECT_EQ(alerts_in_outbox(**store), 1);  // once per range, not per number
    const auto none = numbers.allocate("ups");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().message, "no tracking numbers left for carrier ups (configure a new range)");
    EXPECT_FALSE(numbers.allocate("fedex").ok());
}

TEST(TrackingNumbers, ConfigEditsNeverReissue) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    TrackingNumbers numbers(**store, kTopics);
    ASSERT_TRUE(numbers.sync({{"dhl", TrackingScheme::GenericMod10, "JJD", 1, 100, 0}}).ok());
    std::set<std::string> issued;
    for (int i = 0; i < 5; ++i) {
        issued.insert(*numbers.allocate("dhl"));
    }
    // The admin shrinks the range below what was issued and restarts it at 1: issued numbers stay issued.
    ASSERT_TRUE(numbers.sync({{"dhl", TrackingScheme::GenericMod10, "JJD", 1, 3, 0}}).ok());
    EXPECT_FALSE(numbers.allocate("dhl").ok());
    ASSERT_TRUE(numbers.sync({{"dhl", TrackingScheme::GenericMod10, "JJD", 1, 100, 0}}).ok());
    const auto next = numbers.allocate("dhl");
    ASSERT_TRUE(next.ok());
    EXPECT_FALSE(issued.count(*next)) << *next;
    EXPECT_EQ(*next, format_tracking_number(TrackingScheme::GenericMod10, "JJD", 6, 100));
}

// A child allocates as fast as it can and reports each number once allocate() has returned; it is killed with
// SIGKILL mid-stream. Every number it reported was committed, so the reopened store continues after all of
// them: nothing reported is ever issued again.
TEST(TrackingNumbers, KilledMidAllocationNeverReissues) {
    test::TempDir dir;
    const std::string path = dir.file("packd.db");
    {
        auto store = Store::open(path);
        ASSERT_TRUE(store.ok());
        TrackingNumbers numbers(**store, kTopics);
        ASSERT_TRUE(numbers.sync({{"ups", TrackingScheme::Ups1z, "999AA101", 0, 9999999, 10}}).ok());
    }
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        auto store = Store::open(path);
        if (!store) {
            ::_exit(2);
        }
        TrackingNumbers numbers(**store, kTopics);
        for (;;) {
            auto n = numbers.allocate("ups");
            if (!n) {
                ::_exit(3);
            }
            const std::string line = *n + "\n";
            if (::write(pipe_fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
                ::_exit(4);
            }
        }
    }
    ::close(pipe_fds[1]);
    std::string received;
    char buffer[256];
    while (std::count(received.begin(), received.end(), '\n') < 40) {
        const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
        ASSERT_GT(n, 0) << "the allocating child stopped";
        received.append(buffer, static_cast<std::size_t>(n));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
        received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    std::set<std::string> reported;
    for (std::size_t start = 0, end; (end = received.find('\n', start)) != std::string::npos;
         start = end + 1) {
        EXPECT_TRUE(reported.insert(received.substr(start, end - start)).second)
            << "issued twice before the kill";
    }
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    TrackingNumbers numbers(**store, kTopics);
    for (int i = 0; i < 20; ++i) {
        const auto n = numbers.allocate("ups");
        ASSERT_TRUE(n.ok());
        EXPECT_FALSE(reported.count(*n)) << *n << " was issued before the kill and again after it";
    }
}

}  // namespace
}  // namespace packd::fulfillment
