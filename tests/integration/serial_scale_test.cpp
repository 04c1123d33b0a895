// Each serial scale protocol through a real pseudo-terminal pair, with an emulator speaking the
// protocol on the master side: polling, split frames, noise between frames, zero and tare,
// overload, and the adapter pulled and plugged back in.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "packd/drivers/serial_scale.hpp"
#include "pty_scale_emulator.hpp"
#include "test_env.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

// Generous: the machine is shared; nothing here asserts on time.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        io.restart();
        io.run_for(10ms);
    }
    return true;
}

struct ScaleModel {
    std::atomic<int64_t> grams{1250};
    std::atomic<bool> motion{false};
    std::atomic<bool> overload{false};
    std::atomic<bool> split{false};
    std::atomic<int> zeroed{0};
    std::atomic<int> tared{0};
    std::string held;  // the second half of a split frame, sent with the next answer (emulator thread only)
};

// Takes complete commands ending in `end` off the front of `received`.
template <class Answer>
std::string answer_commands(std::string& received, std::string_view end, ScaleModel& model, Answer answer) {
    std::string out;
    for (size_t pos = received.find(end); pos != std::string::npos; pos = received.find(end)) {
        const std::string command = received.substr(0, pos);
        received.erase(0, pos + end.size());
        std::string reply = answer(command);
        if (model.split && reply.size() > 2) {
            out += model.held + reply.substr(0, reply.size() / 2);
            model.held = reply.substr(reply.size() / 2);
        } else {
            out += model.held + reply;
            model.held.clear();
        }
    }
    return out;
}

class SerialScaleTest : public ::testing::Test {
  protected:
    boost::asio::io_context io;
    test::TempDir dir;
    std::string link = dir.file("scale-port");
    ScaleModel model;
    std::vector<WeightReading> readings;

    SerialScaleTiming fast() {
        SerialScaleTiming t;
        t.poll = 20ms;
        t.reconnect = 50ms;
        return t;
    }

    void watch(SerialScale& scale) {
        scale.on_reading([this](const WeightReading& r) { readings.push_back(r); });
    }

    bool weighs(const SerialScale& scale, int64_t mg) {
        const auto last = scale.last_reading();
        return last && last->valid && last->milligrams == mg;
    }

    size_t invalid_count() const {
        size_t n = 0;
        for (const auto& r : readings) {
            n += r.valid ? 0 : 1;
        }
        return n;
    }

    void unplug_and_replug(SerialScale& scale, test::PtyScaleEmulator& emulator, int64_t grams_after,
                           int64_t shown_mg) {
        emulator.hang_up();
        ASSERT_TRUE(run_until(io, [&] {
            const auto last = scale.last_reading();
            return last && !last->valid && last->reason.find("disconnected") != std::string::npos;
        }));
        EXPECT_EQ(scale.status().state, DeviceState::offline);
        model.grams = grams_after;
        emulator.plug_in();
        ASSERT_TRUE(run_until(io, [&] { return scale.connections() >= 2 && weighs(scale, shown_mg); }));
        EXPECT_EQ(scale.status().state, DeviceState::ready);
    }
};

std::string sics_answer(ScaleModel& m, const std::string& command) {
    char weight[64];
    std::snprintf(weight, sizeof weight, "%10.2f g", static_cast<double>(m.grams.load()));
    if (command == "SI") {
        if (m.overload) {
            return "S +\r\n";
        }
        return std::string("S ") + (m.motion ? "D" : "S") + " " + weight + "\r\n";
    }
    if (command == "Z") {
        ++m.zeroed;
        return "Z A\r\n";
    }
    if (command == "T") {
        ++m.tared;
        return std::string("T S ") + weight + "\r\n";
    }
    return "ES\r\n";
}

TEST_F(SerialScaleTest, MtSicsThroughAPseudoTerminal) {
    test::PtyScaleEmulator emulator(link, [this](std::string& received) {
        return answer_commands(received, "\r\n", model,
                               [this](const std::string& c) { return sics_answer(model, c); });
    });
    SerialScale scale(io, "bench", SerialLine{link, 9600, 'N', 8, 1, "none"}, make_mt_sics_protocol(),
                      fast());
    watch(scale);
    ASSERT_TRUE(scale.open()) << scale.status().detail;
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 1250000); }));
    EXPECT_TRUE(scale.last_reading()->stable);

    // Frames cut in two across reads.
    model.split = true;
    const size_t invalid_before = invalid_count();
    model.grams = 2000;
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 2000000); }));
    model.split = false;
    // The next whole answer carries the held half before it: once it is read, nothing is held.
    model.grams = 2100;
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 2100000); }));
    EXPECT_EQ(invalid_count(), invalid_before);

    // Noise between frames: a garbage line, and garbage in front of a frame.
    emulator.send("\x13garbage\xff\r\n");
    emulator.send("\x00\xfe");
    model.grams = 3000;
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 3000000) && scale.noise() >= 1; }));
    EXPECT_EQ(invalid_count(), invalid_before);

    model.motion = true;
    ASSERT_TRUE(run_until(io, [&] { return scale.last_reading() && !scale.last_reading()->stable; }));
    model.motion = false;

    ASSERT_TRUE(scale.zero());
    ASSERT_TRUE(run_until(io, [&] { return scale.last_notice() == "zeroed"; }));
    EXPECT_EQ(model.zeroed, 1);
    ASSERT_TRUE(scale.tare());
    ASSERT_TRUE(run_until(io, [&] { return scale.last_notice() == "tare taken: 3000.0 g"; }));
    EXPECT_EQ(model.tared, 1);

    model.overload = true;
    ASSERT_TRUE(run_until(io, [&] {
        const auto last = scale.last_reading();
        return last && !last->valid && last->reason == "overload";
    }));
    model.overload = false;

    unplug_and_replug(scale, emulator, 4000, 4000000);
}

TEST_F(SerialScaleTest, Toledo8217ThroughAPseudoTerminal) {
    test::PtyScaleEmulator emulator(link, [this](std::string& received) {
        // 8217 commands are single letters without a terminator.
        std::string out;
        for (const char c : received) {
            if (c == 'W') {
                char record[32];
                if (model.motion) {
                    std::snprintf(record, sizeof record, "\x02?a\r");
                } else {
                    std::snprintf(record, sizeof record, "\x02%07.3f\r",
                                  static_cast<double>(model.grams.load()) / 453.59237);
                }
                const std::string r = record;
                if (model.split) {
                    out += model.held + r.substr(0, 3);
                    model.held = r.substr(3);
                } else {
                    out += model.held + r;
                    model.held.clear();
                }
            } else if (c == 'Z') {
                ++model.zeroed;
                out += "\x02?p\r";
            }
        }
        received.clear();
        for (char& byte : out) {
            if (__builtin_parity(static_cast<unsigned char>(byte)) != 0) {
                byte = static_cast<char>(byte | 0x80);
            }
        }
        return out;
    });
    // The 8217 protocol runs at 7E1. A pseudo-terminal takes only 8 data bits without parity (this
    // kernel refuses CS7 and PARENB with EINVAL; others force CS8), so the port runs 8N1 and the
    // emulator puts the even-parity bit into bit 7, as a 7E1 scale on an 8N1 port is seen.
    SerialScale scale(io, "dock", SerialLine{link, 9600, 'N', 8, 1, "none"},
                      make_toledo_8217_protocol(WeightUnit::pound), fast());
    watch(scale);
    ASSERT_TRUE(scale.open()) << scale.status().detail;
    model.grams = 1000;                // 2.205 lb on the display
    const int64_t shown_mg = 1000171;  // 2.205 lb in milligrams
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, shown_mg); }));

    model.split = true;
    const size_t invalid_before = invalid_count();
    model.grams = 2000;  // 4.409 lb
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 1999889); }));
    model.split = false;
    model.grams = 1500;  // 3.307 lb
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 1500030); }));
    EXPECT_EQ(invalid_count(), invalid_before);

    emulator.send("\xff\x13noise");
    model.grams = 1000;
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, shown_mg) && scale.noise() >= 7; }));
    EXPECT_EQ(invalid_count(), invalid_before);

    model.motion = true;
    ASSERT_TRUE(run_until(io, [&] {
        const auto last = scale.last_reading();
        return last && !last->valid && last->reason == "in motion";
    }));
    model.motion = false;

    ASSERT_TRUE(scale.zero());
    ASSERT_TRUE(run_until(io, [&] { return model.zeroed == 1; }));
    const Status tare = scale.tare();
    ASSERT_FALSE(tare);
    EXPECT_NE(tare.error().message.find("no tare"), std::string::npos);

    unplug_and_replug(scale, emulator, 2000, 1999889);
}

TEST_F(SerialScaleTest, ContinuousAsciiIsOnlyListenedTo) {
    test::PtyScaleEmulator emulator(link, [](std::string&) { return std::string(); });
    AsciiScaleFormat format;
    format.pattern = R"(^(ST|US|OL),(?:GS|NT),([+-])([0-9. ]{8})\s*([a-z]*)$)";
    format.stability.group = 1;
    format.sign.group = 2;
    format.value.group = 3;
    format.unit.group = 4;
    auto codec = AsciiScaleCodec::make(format);
    ASSERT_TRUE(codec) << codec.error().message;
    SerialScale scale(io, "stream", SerialLine{link, 2400, 'N', 8, 1, "none"}, make_ascii_protocol(*codec),
                      fast());
    watch(scale);
    ASSERT_TRUE(scale.open()) << scale.status().detail;

    emulator.send("ST,GS,+0123.45  g\r\n");
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 123450); }));
    emulator.send("US,GS,+0");
    emulator.send("200.00  g\r\n\x01\x02");
    ASSERT_TRUE(run_until(io, [&] { return readings.size() == 2; }));
    EXPECT_TRUE(readings[1].valid);
    EXPECT_FALSE(readings[1].stable);
    EXPECT_EQ(readings[1].milligrams, 200000);
    emulator.send("ST,GS,+0300.00  g\r\n");
    ASSERT_TRUE(run_until(io, [&] { return readings.size() == 3; }));
    // Control bytes in front of a line are line noise, not part of it.
    EXPECT_TRUE(readings[2].valid) << readings[2].reason;
    EXPECT_EQ(readings[2].milligrams, 300000);
    emulator.send("ST,GS,+03x0.00  g\r\n");
    ASSERT_TRUE(run_until(io, [&] { return readings.size() == 4; }));
    EXPECT_FALSE(readings[3].valid);
    EXPECT_NE(readings[3].reason.find("does not match"), std::string::npos);
    emulator.send("OL,GS,+9999.99  g\r\n");
    ASSERT_TRUE(run_until(io, [&] { return readings.size() == 5; }));
    EXPECT_EQ(readings[4].reason, "overload");
    EXPECT_FALSE(scale.zero());
    EXPECT_FALSE(scale.tare());

    emulator.hang_up();
    ASSERT_TRUE(run_until(io, [&] { return scale.status().state == DeviceState::offline; }));
    emulator.plug_in();
    ASSERT_TRUE(run_until(io, [&] { return scale.connections() == 2; }));
    emulator.send("ST,GS,+0042.00  g\r\n");
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 42000); }));
    // A streaming scale is never written to: not a poll, not a probe.
    EXPECT_EQ(emulator.all_received(), "");
}

TEST_F(SerialScaleTest, AMissingPortIsRetriedNotFatal) {
    SerialScale scale(io, "later", SerialLine{link, 9600, 'N', 8, 1, "none"}, make_mt_sics_protocol(),
                      fast());
    const Status st = scale.open();
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find(link), std::string::npos);
    EXPECT_EQ(scale.status().state, DeviceState::offline);
    test::PtyScaleEmulator emulator(link, [this](std::string& received) {
        return answer_commands(received, "\r\n", model,
                               [this](const std::string& c) { return sics_answer(model, c); });
    });
    ASSERT_TRUE(run_until(io, [&] { return weighs(scale, 1250000); }));
}

TEST_F(SerialScaleTest, ASilentScaleIsReported) {
    test::PtyScaleEmulator emulator(link, [](std::string& received) {
        received.clear();
        return std::string();
    });
    SerialScale scale(io, "mute", SerialLine{link, 9600, 'N', 8, 1, "none"}, make_mt_sics_protocol(), fast());
    ASSERT_TRUE(scale.open());
    ASSERT_TRUE(run_until(io, [&] { return scale.status().state == DeviceState::fault; }));
    ASSERT_TRUE(scale.last_reading());
    EXPECT_EQ(scale.last_reading()->reason, "no answer from the scale");
}

}  // namespace
}  // namespace packd::drivers
