// The stable-weight detector with synthetic reading sequences and times, and the weight service
// with a real simulated scale on a real io_context.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "packd/drivers/sim_scale.hpp"
#include "packd/fulfillment/weighing/stable_weight.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;
using drivers::WeightReading;

WeightReading grams(int64_t g, bool stable = true) {
    WeightReading r;
    r.milligrams = g * 1000;
    r.stable = stable;
    return r;
}

WeightReading bad(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

const StableWeight::Clock::time_point t0{};

TEST(StableWeight, NeedsTheConfiguredCountOfAgreeingReadings) {
    StableWeight d({3, 0ms, 2000, true});
    EXPECT_FALSE(d.feed(grams(1250), t0));
    EXPECT_FALSE(d.feed(grams(1251), t0 + 100ms));
    EXPECT_NE(d.why_not().find("2 of 3"), std::string::npos) << d.why_not();
    auto stable = d.feed(grams(1249), t0 + 200ms);
    ASSERT_TRUE(stable);
    EXPECT_EQ(stable->milligrams, 1250000);
    EXPECT_TRUE(stable->stable);
    EXPECT_TRUE(d.feed(grams(1250), t0 + 300ms));
}

TEST(StableWeight, AReadingOutOfToleranceStartsAgain) {
    StableWeight d({3, 0ms, 2000, true});
    d.feed(grams(1250), t0);
    d.feed(grams(1250), t0);
    EXPECT_FALSE(d.feed(grams(1300), t0));  // a second parcel lands
    EXPECT_FALSE(d.feed(grams(1300), t0));
    auto stable = d.feed(grams(1300), t0);
    ASSERT_TRUE(stable);
    EXPECT_EQ(stable->milligrams, 1300000);
}

TEST(StableWeight, SlowDriftNeverSettles) {
    StableWeight drift({3, 0ms, 2000, true});
    int stable_count = 0;
    for (int i = 0; i < 30; ++i) {
        stable_count += drift.feed(grams(1000 + i * 3), t0).has_value() ? 1 : 0;
    }
    EXPECT_EQ(stable_count, 0);
}

TEST(StableWeight, MotionAndInvalidReadingsBreakTheRun) {
    StableWeight d({2, 0ms, 0, true});
    d.feed(grams(500), t0);
    EXPECT_FALSE(d.feed(grams(500, false), t0));
    EXPECT_EQ(d.why_not(), "in motion");
    EXPECT_FALSE(d.feed(grams(500), t0));
    EXPECT_FALSE(d.feed(bad("overload"), t0));
    EXPECT_EQ(d.why_not(), "overload");
    EXPECT_FALSE(d.feed(grams(500), t0));
    EXPECT_TRUE(d.feed(grams(500), t0));
}

TEST(StableWeight, MotionFlagCanBeIgnored) {
    StableWeight d({2, 0ms, 0, false});
    d.feed(grams(500, false), t0);
    EXPECT_TRUE(d.feed(grams(500, false), t0));
}

TEST(StableWeight, TimeWindow) {
    StableWeight d({1, 500ms, 1000, true});
    EXPECT_FALSE(d.feed(grams(800), t0));
    EXPECT_FALSE(d.feed(grams(800), t0 + 499ms));
    EXPECT_TRUE(d.feed(grams(800), t0 + 500ms));
    d.reset();
    EXPECT_FALSE(d.feed(grams(800), t0 + 600ms));
    EXPECT_FALSE(d.feed(grams(800), t0 + 1000ms));
}

TEST(StableWeight, InMotionForeverNeverSettles) {
    StableWeight d({3, 0ms, 2000, true});
    for (int i = 0; i < 1000; ++i) {
        ASSERT_FALSE(d.feed(grams(1000 + (i % 7) * 5, false), t0 + i * 10ms));
    }
}

class WeightServiceTest : public ::testing::Test {
  protected:
    boost::asio::io_context io;
    test::TempDir dir;
    std::shared_ptr<drivers::SimScale> scale =
        std::make_shared<drivers::SimScale>(io, "bench", dir.file("scale.fifo"));
};

TEST_F(WeightServiceTest, WaitForStableCompletesOnTheThirdAgreeingReading) {
    ASSERT_TRUE(scale->open());
    WeightService service(io, scale, {3, 0ms, 2000, true});
    std::vector<WeightReading> live;
    service.subscribe([&](const WeightReading& r) { live.push_back(r); });
    std::optional<Result<WeightReading>> got;
    service.wait_for_stable(60s, [&](Result<WeightReading> r) { got = std::move(r); });
    scale->set_weight(grams(700, false));
    scale->set_weight(grams(1250));
    scale->set_weight(grams(1250));
    io.poll();
    EXPECT_FALSE(got);
    scale->set_weight(grams(1250));
    io.poll();
    ASSERT_TRUE(got);
    ASSERT_TRUE(*got) << got->error().message;
    EXPECT_EQ((*got)->milligrams, 1250000);
    EXPECT_EQ(live.size(), 4u);
    ASSERT_TRUE(service.stable());
}

TEST_F(WeightServiceTest, WaitForStableTimesOutWithTheReason) {
    ASSERT_TRUE(scale->open());
    WeightService service(io, scale, {3, 0ms, 2000, true});
    std::optional<Result<WeightReading>> got;
    service.wait_for_stable(1ms, [&](Result<WeightReading> r) { got = std::move(r); });
    scale->set_weight(grams(900, false));
    while (!got) {
        io.run_one();
    }
    ASSERT_FALSE(*got);
    EXPECT_NE(got->error().message.find("in motion"), std::string::npos) << got->error().message;
}

TEST_F(WeightServiceTest, AlreadyStableAnswersAtOnce) {
    ASSERT_TRUE(scale->open());
    WeightService service(io, scale, {1, 0ms, 0, true});
    scale->set_weight(grams(42));
    std::optional<Result<WeightReading>> got;
    service.wait_for_stable(60s, [&](Result<WeightReading> r) { got = std::move(r); });
    io.poll();
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->milligrams, 42000);
}

}  // namespace
}  // namespace packd::fulfillment
