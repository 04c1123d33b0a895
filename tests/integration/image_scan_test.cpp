// Image scans over MQTT against the real packd and a real mosquitto: a camera publishes a PNG or JPEG
// of a barcode to P/in/scans/<station>, packd decodes it in its helper and the station gets the scan.

#include <gtest/gtest.h>

#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

std::string data_file(const std::string& name) {
    return read_file(source_dir() + "/tests/data/scanner/" + name);
}

// Polls `packctl scans STATION` until its output holds `count` lines containing `text`.
std::string wait_for_scans(const TempDir& dir, const std::string& station, const std::string& text,
                           std::size_t count) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
        out = packctl(dir, {"scans", station}).output;
        std::size_t seen = 0;
        for (std::size_t at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) {
            ++seen;
        }
        if (seen >= count) {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    return out;
}

TEST(ImageScans, APictureOfABarcodeIsAScanAtItsStation) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    publish(broker.port(), "packd/v1/it/in/scans/pack1", data_file("ean13_frame.png"));
    publish(broker.port(), "packd/v1/it/in/scans/pack1", data_file("ean13_frame.jpg"));
    const std::string two = wait_for_scans(dir, "pack1", "pack1 image product 4006381333931", 2);
    EXPECT_NE(two.find("pack1 image product 4006381333931\npack1 image product 4006381333931\n"),
              std::string::npos)
        << two << packd->output();
    // The scan event in the journal carries what the catalogue knows of the code.
    EXPECT_TRUE(packd->wait_for_output("\"device\":\"image\"", 10s)) << packd->output();
    EXPECT_NE(packd->output().find("\"sku\":\"MUG-RED\""), std::string::npos) << packd->output();

    // What is not an image is a rejected scan with the reason, at the same station.
    publish(broker.port(), "packd/v1/it/in/scans/pack1", "a text file, not a photo");
    const std::string rejected = wait_for_scans(dir, "pack1", "not an image packd reads", 1);
    EXPECT_NE(rejected.find("pack1 image invalid: image scan: not an image packd reads"), std::string::npos)
        << rejected << packd->output();

    // A station nobody configured: the message goes to the dead-letter topic with the reason.
    publish(broker.port(), "packd/v1/it/in/scans/dock9", data_file("ean13_frame.png"));
    EXPECT_TRUE(
        packd->wait_for_output("image scan for station \"dock9\": no such station (configured: pack1)", 20s))
        << packd->output();
    auto none = packctl(dir, {"scans", "dock9"});
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.output.find("no station \"dock9\""), std::string::npos) << none.output;
}

}  // namespace
}  // namespace packd::test
