#pragma once
// The command sheet of a station: every command barcode its modes understand, as Code 128 symbols with
// their code and meaning under each, two columns to a label, a title on every label naming the station,
// the mode and the page. Printed by `packctl label commands STATION`; pure layout, no store.

#include <string>
#include <utility>
#include <vector>

#include "packd/fulfillment/labels/label.hpp"
#include "packd/fulfillment/stations/station_commands.hpp"

namespace packd::host {

/// The labels of the sheet: for each mode in turn, its cards on as many labels as they need.
std::vector<fulfillment::Label> command_sheet(
    const std::string& station,
    const std::vector<std::pair<fulfillment::StationMode, std::vector<fulfillment::CommandCard>>>& modes,
    const fulfillment::LabelSize& size);

}  // namespace packd::host
