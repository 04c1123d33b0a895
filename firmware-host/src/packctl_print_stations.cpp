// packctl: the stations as their screens show them, for `packctl station` and after `packctl scan`.

#include <iostream>

#include "packctl_print.hpp"

namespace packd::host::packctl::print {

using nlohmann::json;

void print_progress(const json& reply) {
    for (const auto& p : reply.value("progress", json::array())) {
        std::cout << "  " << text(p, "sku") << " " << text(p, "packed") << "/" << text(p, "wanted") << "\n";
    }
}

void print_stations(const json& stations) {
    if (stations.empty()) {
        std::cout << "no stations configured\n";
    }
    for (const auto& st : stations) {
        std::cout << text(st, "station") << " (" << text(st, "mode") << "): " << text(st, "state");
        if (!text(st, "order_id").empty()) {
            std::cout << " order " << text(st, "order_id");
        }
        if (!text(st, "task").empty()) {
            std::cout << " " << text(st, "task");
        }
        if (!text(st, "operator").empty()) {
            std::cout << " (operator " << text(st, "operator") << ")";
        }
        std::cout << (st.value("weighing", false) ? " (waiting for the scale)" : "") << "\n";
        print_progress(st);
        // The other modes' lines: what was scanned, against what was expected where the mode shows it.
        for (const auto& l : st.value("lines", json::array())) {
            std::cout << "  " << text(l, "sku") << " " << text(l, "quantity");
            if (l.contains("expected")) {
                std::cout << "/" << text(l, "expected");
            }
            for (const char* key : {"lot", "expiry", "condition"}) {
                if (!text(l, key).empty()) {
                    std::cout << " " << key << " " << text(l, key);
                }
            }
            std::cout << "\n";
        }
        if (!text(st, "next").empty()) {
            std::cout << "  next: " << text(st, "next") << "\n";
        }
        for (const auto& c : st.value("count_tasks", json::array())) {  // left by short picks
            std::cout << "  count " << text(c, "location") << ": " << text(c, "reason") << "\n";
        }
        if (st.contains("scale")) {
            const json& sc = st["scale"];
            std::cout << "  scale: ";
            if (sc.value("valid", false)) {
                std::cout << text(sc, "weight_g") << " g"
                          << (sc.value("stable", false) ? "" : " (in motion)");
            } else {
                std::cout << "invalid: " << text(sc, "reason");
            }
            std::cout << "\n";
        }
        for (const auto& r : st.value("recent", json::array())) {
            std::cout << "  " << (r.value("ok", false) ? "ok      " : "refused ") << text(r, "scan") << ": "
                      << text(r, "message") << "\n";
        }
    }
}

}  // namespace packd::host::packctl::print
