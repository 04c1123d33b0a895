// What the pack station's files share: how weights and what is left are written for the operator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packd/fulfillment/stations/pack_station.hpp"

namespace packd::fulfillment::pack_text {

inline int64_t grams(const drivers::WeightReading& w) {
    // Half a gram and up rounds away from zero, as a scale's display does.
    return w.milligrams >= 0 ? (w.milligrams + 500) / 1000 : -((-w.milligrams + 500) / 1000);
}

inline std::string items_text(int64_t n) {
    return std::to_string(n) + (n == 1 ? " item" : " items");
}

inline std::string missing_text(const std::vector<PackProgress>& progress) {
    std::string out;
    for (const auto& p : progress) {
        if (p.packed < p.wanted) {
            out += (out.empty() ? "" : ", ") + p.sku + " x" + std::to_string(p.wanted - p.packed);
        }
    }
    return out;
}

inline bool complete(const std::vector<PackProgress>& progress) {
    for (const auto& p : progress) {
        if (p.packed < p.wanted) {
            return false;
        }
    }
    return true;
}

}  // namespace packd::fulfillment::pack_text
