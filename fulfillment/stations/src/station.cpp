#include "packd/fulfillment/stations/station.hpp"

namespace packd::fulfillment {

using nlohmann::json;

json to_json(const StationReply& r) {
    json j = {{"ok", r.ok},
              {"mode", to_string(r.mode)},
              {"state", r.mode == StationMode::pack ? std::string(to_string(r.state)) : r.step},
              {"message", r.message},
              {"scan", r.scan}};
    if (r.mode == StationMode::pack) {
        json progress = json::array();
        for (const auto& p : r.progress) {
            progress.push_back({{"sku", p.sku}, {"wanted", p.wanted}, {"packed", p.packed}});
        }
        j["order_id"] = r.order_id;
        j["progress"] = progress;
    } else {
        json lines = json::array();
        for (const auto& l : r.lines) {
            json line = {{"sku", l.sku}, {"quantity", l.quantity}};
            if (l.expected) {
                line["expected"] = *l.expected;
            }
            for (auto [key, value] : {std::pair{"lot", &l.lot}, std::pair{"expiry", &l.expiry},
                                      std::pair{"condition", &l.condition}}) {
                if (!value->empty()) {
                    line[key] = *value;
                }
            }
            lines.push_back(line);
        }
        j["task"] = r.task;
        j["lines"] = lines;
        if (!r.order_id.empty()) {
            j["order_id"] = r.order_id;
        }
    }
    if (!r.next.empty()) {
        j["next"] = r.next;
    }
    if (r.weight_g) {
        j["weight_g"] = *r.weight_g;
    }
    if (r.shipment_id) {
        j["shipment_id"] = *r.shipment_id;
    }
    if (!r.reprint_printer.empty()) {
        j["reprint_printer"] = r.reprint_printer;
    }
    return j;
}

}  // namespace packd::fulfillment
