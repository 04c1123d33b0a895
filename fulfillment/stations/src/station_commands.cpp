#include "packd/fulfillment/stations/station_commands.hpp"

#include <algorithm>
#include <cctype>

namespace packd::fulfillment {

namespace {

std::vector<CommandCard> own_commands(StationMode mode) {
    switch (mode) {
        case StationMode::pack:
            return {{"DONE", "all items in: weigh and ship"},
                    {"UNDO", "take back the last item"},
                    {"CANCEL", "put the order aside"},
                    {"REPRINT", "print the shipping label again"}};
        case StationMode::pick:
            return {{"DONE", "start picking the wave"},
                    {"SHORT", "the shelf is short: hold the order"},
                    {"UNDO", "last order out of the wave"},
                    {"CANCEL", "drop the wave before picking"}};
        case StationMode::receive:
            return {{"DONE", "delivery in: book it"},
                    {"UNDO", "take back the last scan"},
                    {"CANCEL", "drop the delivery, nothing booked"}};
        case StationMode::putaway:
            return {{"UNDO", "put the product back down"}, {"CANCEL", "nothing moved"}};
        case StationMode::count:
            return {{"DONE", "location counted: book it"},
                    {"UNDO", "take back the last scan"},
                    {"CANCEL", "drop the count, nothing booked"}};
        case StationMode::returns:
            return {{"RESTOCK", "fit to sell: then scan its bin"},
                    {"QUARANTINE", "to be looked at"},
                    {"SCRAP", "damaged: no stock"},
                    {"DONE", "parcel done: book the return"},
                    {"UNDO", "take back the last item"},
                    {"CANCEL", "nothing booked"}};
    }
    return {};
}

bool counts_items(StationMode mode) {
    return mode != StationMode::pack;
}

}  // namespace

std::vector<CommandCard> command_cards(StationMode mode, const std::vector<StationMode>& switch_to) {
    std::vector<CommandCard> cards = own_commands(mode);
    if (counts_items(mode)) {
        for (int digit = 1; digit <= 10; ++digit) {
            const std::string key = std::to_string(digit % 10);
            cards.push_back({"KEY" + key, "quantity: type " + key});
        }
        cards.push_back({"QTY0", "quantity: clear"});
    }
    for (const StationMode other : switch_to) {
        if (other == mode) {
            continue;
        }
        std::string word(to_string(other));
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        cards.push_back({"MODE-" + word, "switch to " + std::string(to_string(other))});
    }
    return cards;
}

}  // namespace packd::fulfillment
