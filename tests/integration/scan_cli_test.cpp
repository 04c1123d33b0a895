// Scans against the real packd: `packctl scan STATION DATA` and a scan through the simulated scanner's
// FIFO, both interpreted with the catalogue in the store, logged as one scan event each and answered by
// the station.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

class ScanCli : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
        packd = start_packd(dir);
        seed_catalogue(dir);
    }

    TempDir dir;
    std::unique_ptr<Process> packd;
};

TEST_F(ScanCli, ScansAreReadWithTheCatalogue) {
    // pack1 is a pack station with no order open: it reads every scan the same way, and refuses items.
    const std::string no_order = "station: scan an order first, then its items\n";
    auto ean = packctl(dir, {"scan", "pack1", "]E04006381333931"});
    EXPECT_EQ(ean.code, 1) << ean.output;
    EXPECT_EQ(ean.output, "product 4006381333931 (SKU MUG-RED, pack of 1)\n" + no_order);
    // The case: GS1-128 with the case GTIN and a lot; the catalogue knows it holds 12.
    auto gs1 = packctl(dir, {"scan", "pack1",
                             "]C1"
                             "0114006381333938"
                             "10L7"});
    EXPECT_EQ(gs1.output, "product 14006381333938 (SKU MUG-RED, pack of 12)\n  lot: L7\n" + no_order);
    auto bin = packctl(dir, {"scan", "pack1", "A-01-01"});
    EXPECT_EQ(bin.output,
              "location A-01-01\nstation: a location scan means nothing at a pack station: scan an "
              "order, its items or a command\n");
    auto bad = packctl(dir, {"scan", "pack1", "4006381333932"});
    EXPECT_EQ(bad.code, 1);
    EXPECT_EQ(bad.output,
              "invalid scan: check digit of GTIN-13 4006381333932 is wrong\nstation: check digit of "
              "GTIN-13 4006381333932 is wrong\n");
    auto nowhere = packctl(dir, {"scan", "dock9", "DONE"});
    EXPECT_EQ(nowhere.code, 1);
    EXPECT_NE(nowhere.output.find("no station \"dock9\""), std::string::npos) << nowhere.output;
    EXPECT_TRUE(packd->wait_for_output("\"reason\":\"check digit of GTIN-13 4006381333932 is wrong\"", 10s))
        << packd->output();
}

TEST_F(ScanCli, AScanFromTheSimulatedScannerIsOneEvent) {
    const int fifo = ::open(dir.file("scanner.fifo").c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fifo, 0);
    const std::string line = "TEE-BLK-L\n";
    ASSERT_EQ(::write(fifo, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    ::close(fifo);
    EXPECT_TRUE(packd->wait_for_output("\"device\":\"gun\"", 10s)) << packd->output();
    EXPECT_TRUE(packd->wait_for_output("\"sku\":\"TEE-BLK-L\"", 10s)) << packd->output();
    EXPECT_TRUE(packd->wait_for_output("\"station\":\"pack1\"", 10s)) << packd->output();
}

// No camera can be made on the test machine (no /dev/video*, no vivid): the real daemon with two camera
// scanners, one at a missing path, one at a file that is not a V4L2 device, starts, reports both
// offline with the reason, and keeps serving its stations.
TEST(CameraScanner, TheDaemonStartsWithCamerasOfflineAndSaysWhy) {
    TempDir dir;
    const std::string missing = dir.file("usb-no-such-camera-video-index0");
    write_file(dir.file("packd.toml"),
               daemon_config(dir, free_port(),
                             "[scanners.cam]\ntype = \"camera\"\ndevice = \"" + missing +
                                 "\"\npixel_format = \"MJPG\"\n"
                                 "[scanners.notcam]\ntype = \"camera\"\ndevice = \"/dev/null\"\n"
                                 "[stations.dock]\nprinter = \"desk\"\nscanner = \"cam\"\n"));
    auto packd = start_packd(dir);
    const RunResult status = packctl(dir, {"status"});
    EXPECT_NE(status.output.find("scanner  cam: offline - no camera at " + missing), std::string::npos)
        << status.output;
    EXPECT_NE(status.output.find("scanner  notcam: offline - /dev/null is not a video capture device "
                                 "(VIDIOC_QUERYCAP: Inappropriate ioctl for device)"),
              std::string::npos)
        << status.output;
    EXPECT_EQ(packctl(dir, {"scan", "dock", "DONE"}).output.find("no station"), std::string::npos);
}

}  // namespace
}  // namespace packd::test
