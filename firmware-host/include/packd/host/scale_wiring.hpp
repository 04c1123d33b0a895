#pragma once
// Config -> scale driver: one factory per scale type (one overload per alternative of ScaleSettings).

#include <boost/asio/io_context.hpp>
#include <memory>

#include "packd/common/result.hpp"
#include "packd/drivers/ascii_scale_codec.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/fulfillment/weighing/stable_weight.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

/// A scale made from its config section, and whether opening it worked. A scale that did not
/// open is still returned: serial scales keep trying on their reconnect timer.
struct OpenedScale {
    std::shared_ptr<drivers::Scale> scale;
    Status opened;
};

OpenedScale open_scale(boost::asio::io_context& io, const ScaleConfig& config);

/// The line format of a `type = "ascii"` scale.
Result<drivers::AsciiScaleFormat> ascii_format(const AsciiScaleConfig& config);

/// When a weight from this scale counts as stable.
fulfillment::StableWeightRules stable_rules(const ScaleConfig& config);

}  // namespace packd::host
