#include "packd/host/scale_commands.hpp"

#include "packd/common/text.hpp"

namespace packd::host {
namespace {

using nlohmann::json;

json reading_json(const drivers::WeightReading& r) {
    return {{"milligrams", r.milligrams}, {"stable", r.stable}, {"valid", r.valid}, {"reason", r.reason}};
}

}  // namespace

json ScaleCommands::describe(const std::string& name, fulfillment::WeightService& weights) const {
    const drivers::DeviceStatus status = weights.scale().status();
    json j{{"name", name}, {"state", drivers::to_string(status.state)}, {"detail", status.detail}};
    if (auto r = weights.last_reading()) {
        j["reading"] = reading_json(*r);
    }
    if (const auto& stable = weights.stable()) {
        j["stable_weight"] = reading_json(*stable);
    } else {
        j["not_stable_because"] = weights.why_not_stable();
    }
    return j;
}

std::optional<json> ScaleCommands::handle(const std::string& verb, const json& request) {
    if (verb != "scale" && verb != "scale_zero" && verb != "scale_tare") {
        return std::nullopt;
    }
    const auto name_it = request.find("name");
    const std::string name =
        name_it != request.end() && name_it->is_string() ? name_it->get<std::string>() : "";
    if (verb == "scale" && name.empty()) {
        json list = json::array();
        for (const auto& [n, w] : scales_) {
            list.push_back(describe(n, *w));
        }
        return json{{"ok", true}, {"scales", list}};
    }
    const auto it = scales_.find(name);
    if (it == scales_.end()) {
        std::string known;
        for (const auto& kv : scales_) {
            known += known.empty() ? "" : ", ";
            known += kv.first;
        }
        return json{{"ok", false},
                    {"error", "no scale named \"" + printable(name.substr(0, 64)) +
                                  "\" (configured: " + (known.empty() ? "none" : known) + ")"}};
    }
    if (verb == "scale") {
        return json{{"ok", true}, {"scales", json::array({describe(it->first, *it->second)})}};
    }
    drivers::Scale& scale = it->second->scale();
    const Status st = verb == "scale_zero" ? scale.zero() : scale.tare();
    if (!st) {
        return json{{"ok", false}, {"error", "scale " + it->first + ": " + st.error().message}};
    }
    return json{{"ok", true}, {"scale", it->first}, {"sent", verb == "scale_zero" ? "zero" : "tare"}};
}

}  // namespace packd::host
