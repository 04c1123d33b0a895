#pragma once
// The command barcodes each station mode understands, with what each does in the operator's words: what
// `packctl label commands STATION` prints on the station's sheet, so the normal flow needs no keyboard.

#include <string>
#include <vector>

#include "packd/fulfillment/stations/station.hpp"

namespace packd::fulfillment {

struct CommandCard {
    std::string code;     ///< what the barcode holds, e.g. "DONE", "QTY10", "MODE-COUNT"
    std::string meaning;  ///< one line for the operator
};

/// The commands of `mode`, then the quantity keypad where the mode counts items (KEY0 ... KEY9, QTY0 to
/// clear), then MODE- switches to each of `switch_to` other than `mode` itself.
std::vector<CommandCard> command_cards(StationMode mode, const std::vector<StationMode>& switch_to);

}  // namespace packd::fulfillment
