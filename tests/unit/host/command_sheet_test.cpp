// The command sheet a station prints: every command of its modes as a barcode that holds exactly the word
// the station takes, on labels that validate at the resolutions and sizes packd prints.

#include "packd/host/command_sheet.hpp"

#include <gtest/gtest.h>

#include <set>

#include "packd/fulfillment/stations/scan_code.hpp"

namespace packd::host {
namespace {

namespace ful = packd::fulfillment;

std::vector<std::pair<ful::StationMode, std::vector<ful::CommandCard>>> receive_station_modes() {
    const std::vector<ful::StationMode> modes = {ful::StationMode::receive, ful::StationMode::putaway,
                                                 ful::StationMode::count};
    std::vector<std::pair<ful::StationMode, std::vector<ful::CommandCard>>> out;
    for (const auto mode : modes) {
        out.emplace_back(mode, ful::command_cards(mode, modes));
    }
    return out;
}

TEST(CommandSheet, EveryCommandOfEveryModeIsABarcodeOnAValidLabel) {
    const auto modes = receive_station_modes();
    for (const auto& size : {ful::LabelSize::inches(4, 6, 203), ful::LabelSize::millimetres(100, 150, 300)}) {
        const auto labels = command_sheet("dock", modes, size);
        std::multiset<std::string> printed;
        for (const auto& label : labels) {
            const auto valid = ful::validate(label);
            EXPECT_TRUE(valid.ok()) << valid.error().message;
            for (const auto& field : label.fields) {
                if (const auto* bar = std::get_if<ful::BarcodeField>(&field)) {
                    EXPECT_EQ(bar->kind, ful::BarcodeKind::Code128);
                    printed.insert(bar->data);
                }
            }
        }
        std::multiset<std::string> wanted;
        for (const auto& [mode, cards] : modes) {
            for (const auto& card : cards) {
                wanted.insert(card.code);
            }
        }
        EXPECT_EQ(printed, wanted);
        EXPECT_GE(labels.size(), modes.size()) << "each mode starts a label of its own";
    }
}

TEST(CommandSheet, EachCardIsACommandTheStationReadsAsOne) {
    ful::ScanRules rules;
    for (const auto& [mode, cards] : receive_station_modes()) {
        ASSERT_FALSE(cards.empty());
        for (const auto& card : cards) {
            const auto meaning = ful::interpret_scan(card.code, {}, rules, {});
            EXPECT_EQ(meaning.kind, ful::ScanKind::command) << card.code << ": " << meaning.reason;
            EXPECT_FALSE(card.meaning.empty()) << card.code;
        }
    }
    const auto pack = ful::command_cards(ful::StationMode::pack, {ful::StationMode::pack});
    EXPECT_TRUE(std::none_of(pack.begin(), pack.end(), [](const auto& c) {
        return c.code.starts_with("KEY");
    })) << "a pack station counts no quantities";
    const auto count = ful::command_cards(ful::StationMode::count, {ful::StationMode::count});
    EXPECT_TRUE(std::none_of(count.begin(), count.end(), [](const auto& c) {
        return c.code.starts_with("MODE-");
    })) << "a station without other modes has no switch";
}

}  // namespace
}  // namespace packd::host
