// `packctl scale` against the real packd: the sim scale fed through its FIFO, and an MT-SICS
// scale on a real pseudo-terminal with an emulator on the far side.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "packd_fixture.hpp"
#include "pty_scale_emulator.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

// Asks until the answer holds `text` (generous deadline; nothing here asserts on time).
std::string scale_until(const TempDir& dir, const std::vector<std::string>& words, const std::string& text) {
    std::string out;
    for (int i = 0; i < 400; ++i) {
        out = packctl(dir, words).output;
        if (out.find(text) != std::string::npos) {
            break;
        }
        std::this_thread::sleep_for(50ms);
    }
    return out;
}

TEST(PackctlScale, SimScaleReadingStableWeightAndTare) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);

    auto r = packctl(dir, {"scale"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("bench: ready - simulated"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("reading: none yet"), std::string::npos) << r.output;

    write_file(dir.file("scale.fifo"), "1250\n1250\n1250\n");
    std::string out = scale_until(dir, {"scale", "bench"}, "stable:  1250 g");
    EXPECT_NE(out.find("reading: 1250 g\n"), std::string::npos) << out;
    EXPECT_NE(out.find("stable:  1250 g"), std::string::npos) << out;

    write_file(dir.file("scale.fifo"), "800 g motion\n");
    out = scale_until(dir, {"scale", "bench"}, "(in motion)");
    EXPECT_NE(out.find("reading: 800 g (in motion)"), std::string::npos) << out;
    EXPECT_NE(out.find("stable:  no (in motion)"), std::string::npos) << out;

    r = packctl(dir, {"scale", "tare", "bench"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("tare sent to scale bench"), std::string::npos) << r.output;
    write_file(dir.file("scale.fifo"), "1300\n");
    out = scale_until(dir, {"scale", "bench"}, "reading: 500 g");
    EXPECT_NE(out.find("reading: 500 g"), std::string::npos) << out;

    write_file(dir.file("scale.fifo"), "12 furlongs\n");
    out = scale_until(dir, {"scale", "bench"}, "invalid");
    EXPECT_NE(out.find("reading: invalid: unknown word 'furlongs'"), std::string::npos) << out;

    r = packctl(dir, {"scale", "nope"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.output.find("no scale named \"nope\" (configured: bench)"), std::string::npos) << r.output;
    r = packctl(dir, {"scale", "zero", "nope"});
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(p->running());
}

TEST(PackctlScale, MtSicsScaleOnAPseudoTerminal) {
    TempDir dir;
    std::atomic<int> zeroes{0};
    std::atomic<int> grams{2500};
    PtyScaleEmulator scale(dir.file("sics-port"), [&](std::string& received) {
        std::string out;
        for (size_t end = received.find("\r\n"); end != std::string::npos; end = received.find("\r\n")) {
            const std::string command = received.substr(0, end);
            received.erase(0, end + 2);
            if (command == "SI") {
                char line[64];
                std::snprintf(line, sizeof line, "S S %10.2f g\r\n", static_cast<double>(grams.load()));
                out += line;
            } else if (command == "Z") {
                ++zeroes;
                out += "Z A\r\n";
            } else {
                out += "ES\r\n";
            }
        }
        return out;
    });
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port(),
                                                     "[scales.sics]\ntype = \"mt-sics\"\nport = \"" +
                                                         dir.file("sics-port") + "\"\npoll_ms = 50\n"));
    auto p = start_packd(dir);
    std::string out = scale_until(dir, {"scale", "sics"}, "stable:  2500 g");
    EXPECT_NE(out.find("sics: ready - mt-sics on " + dir.file("sics-port")), std::string::npos) << out;
    EXPECT_NE(out.find("stable:  2500 g"), std::string::npos) << out;

    auto r = packctl(dir, {"scale", "zero", "sics"});
    ASSERT_EQ(r.code, 0) << r.output;
    for (int i = 0; i < 400 && zeroes == 0; ++i) {
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(zeroes, 1);
    EXPECT_TRUE(p->wait_for_output("scale sics: zeroed", 20s)) << p->output();

    // The adapter is pulled: the reading turns invalid and says so; plugged back, it recovers.
    scale.hang_up();
    out = scale_until(dir, {"scale", "sics"}, "disconnected");
    EXPECT_NE(out.find("reading: invalid: scale disconnected"), std::string::npos) << out;
    // The weight from before the unplugging no longer counts as the parcel's.
    EXPECT_NE(out.find("stable:  no (scale disconnected"), std::string::npos) << out;
    EXPECT_NE(out.find("sics: offline - disconnected from " + dir.file("sics-port")), std::string::npos)
        << out;
    grams = 3100;
    scale.plug_in();
    out = scale_until(dir, {"scale", "sics"}, "stable:  3100 g");
    EXPECT_NE(out.find("stable:  3100 g"), std::string::npos) << out;
    EXPECT_TRUE(p->running());
}

}  // namespace
}  // namespace packd::test
