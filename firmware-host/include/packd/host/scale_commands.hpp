#pragma once
// The admin verbs for scales: "scale" (live reading, status, stable weight), "scale_zero" and
// "scale_tare" (`packctl scale [NAME]`, `packctl scale zero|tare NAME`).

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "packd/drivers/scale.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"

namespace packd::host {

class ScaleCommands {
  public:
    using WeightServices = std::map<std::string, std::shared_ptr<fulfillment::WeightService>>;

    explicit ScaleCommands(const WeightServices& scales) : scales_(scales) {}

    /// The answer when `verb` is a scale verb, nothing otherwise.
    std::optional<nlohmann::json> handle(const std::string& verb, const nlohmann::json& request);

  private:
    nlohmann::json describe(const std::string& name, fulfillment::WeightService& weights) const;

    const WeightServices& scales_;
};

}  // namespace packd::host
