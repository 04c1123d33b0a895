// packctl: packd's answers shown for people, one function per verb (or verbs shown alike).

#include <fstream>
#include <iostream>
#include <map>

#include "packctl_print.hpp"
#include "packd/common/text.hpp"
#include "packd/host/packctl.hpp"

namespace packd::host::packctl {
namespace {

using nlohmann::json;
using print::print_order;
using print::print_orders;
using print::print_progress;
using print::print_rules;
using print::print_stations;
using print::print_stock;
using print::text;

/// "1250" for whole grams, "12.5" otherwise: what a packer reads off the scale display.
std::string grams(int64_t milligrams) {
    std::string out = std::to_string(milligrams / 1000);
    if (milligrams < 0 && milligrams > -1000) {
        out = "-0";
    }
    int64_t rest = milligrams % 1000;
    if (rest != 0) {
        std::string frac = std::to_string(rest < 0 ? -rest : rest);
        frac = std::string(3 - frac.size(), '0') + frac;
        while (!frac.empty() && frac.back() == '0') {
            frac.pop_back();
        }
        out += "." + frac;
    }
    return out;
}

void print_status(const json& s) {
    std::cout << "packd " << text(s, "version") << " (pid " << text(s, "pid") << "), site " << text(s, "site")
              << ", up " << text(s, "uptime_s") << " s\n";
    std::cout << "  " << text(s, "summary") << "\n";
    std::cout << "broker:   " << text(s["broker"], "state") << "\n";
    if (s.contains("intake")) {
        const auto& in = s["intake"];
        std::cout << "intake:   " << text(in, "stored") << " stored, " << text(in, "applied") << " applied, "
                  << text(in, "duplicates") << " duplicates, " << text(in, "rejected") << " rejected in "
                  << text(in, "batches") << " batches (largest " << text(in, "largest_batch") << ")\n";
    }
    if (s.contains("loop")) {
        std::cout << "loop:     lag max " << text(s["loop"], "lag_max_ms") << " ms, longest handler "
                  << text(s["loop"], "longest_handler") << " " << text(s["loop"], "longest_handler_ms")
                  << " ms\n";
    }
    if (s.contains("store")) {
        const auto& st = s["store"];
        std::cout << "store:    " << text(st, "path") << ": " << text(st, "orders") << " orders ("
                  << text(st, "orders_open") << " open), " << text(st, "labels_queued") << " labels queued, "
                  << text(st, "outbox") << " messages to send\n";
        if (st.value("labels_uncertain", 0) > 0) {
            std::cout << "ATTENTION: " << text(st, "labels_uncertain")
                      << " label(s) may have printed: packctl labels uncertain\n";
        }
    }
    for (const auto& p : s.value("printers", json::array())) {
        std::cout << "printer  " << text(p, "name") << ": " << text(p, "state") << " - " << text(p, "detail");
        if (!text(p, "last_error").empty()) {
            std::cout << " (last error: " << text(p, "last_error") << ")";
        }
        std::cout << "\n";
    }
    for (const auto& sc : s.value("scales", json::array())) {
        std::cout << "scale    " << text(sc, "name") << ": " << text(sc, "state") << " - "
                  << text(sc, "detail");
        if (sc.contains("reading")) {
            const auto& r = sc["reading"];
            if (r.value("valid", false)) {
                std::cout << " [" << grams(r.value("milligrams", int64_t{0})) << " g"
                          << (r.value("stable", false) ? "" : ", in motion") << "]";
            } else {
                std::cout << " [invalid: " << text(r, "reason") << "]";
            }
        }
        std::cout << "\n";
    }
    for (const auto& sc : s.value("scanners", json::array())) {
        std::cout << "scanner  " << text(sc, "name") << ": " << text(sc, "state") << " - "
                  << text(sc, "detail") << "\n";
    }
    for (const auto& st : s.value("stations", json::array())) {
        std::cout << "station  " << text(st, "name") << ": printer " << text(st, "printer") << ", scale "
                  << text(st, "scale") << ", scanner " << text(st, "scanner") << "\n";
    }
}

void print_loop(const json& l) {
    std::cout << "loop lag: max " << text(l, "lag_max_ms") << " ms, p99 " << text(l, "lag_p99_ms")
              << " ms, p50 " << text(l, "lag_p50_ms") << " ms over " << text(l, "samples") << " samples\n";
    std::cout << "longest handler: "
              << (text(l, "longest_handler").empty() ? "none" : text(l, "longest_handler")) << " "
              << text(l, "longest_handler_ms") << " ms; " << text(l, "over_budget")
              << " over the budget of 5 ms\n";
}

void print_scales(const json& scales) {
    if (scales.empty()) {
        std::cout << "no scales configured\n";
    }
    for (const auto& sc : scales) {
        std::cout << text(sc, "name") << ": " << text(sc, "state") << " - " << text(sc, "detail") << "\n";
        if (!sc.contains("reading")) {
            std::cout << "  reading: none yet\n";
        } else if (const auto& r = sc["reading"]; r.value("valid", false)) {
            std::cout << "  reading: " << grams(r.value("milligrams", int64_t{0})) << " g"
                      << (r.value("stable", false) ? "" : " (in motion)") << "\n";
        } else {
            std::cout << "  reading: invalid: " << text(r, "reason") << "\n";
        }
        if (sc.contains("stable_weight")) {
            std::cout << "  stable:  " << grams(sc["stable_weight"].value("milligrams", int64_t{0}))
                      << " g\n";
        } else {
            std::cout << "  stable:  no (" << text(sc, "not_stable_because") << ")\n";
        }
    }
}

/// What a show function knows besides the answer.
struct Shown {
    std::string_view cmd;
    const std::string& output_file;
};

int show_status(const json& a, const Shown&) {
    print_status(a["status"]);
    return 0;
}

int show_loop(const json& a, const Shown&) {
    print_loop(a["loop"]);
    return 0;
}

int show_orders(const json& a, const Shown&) {
    print_orders(a["orders"]);
    return 0;
}

int show_order(const json& a, const Shown&) {
    print_order(a["order"]);
    return 0;
}

int show_stock(const json& a, const Shown&) {
    // `stock --location` answers with the location and its rows; `stock [SKU]` with levels.
    if (a.contains("location")) {
        print::print_location_stock(a);
    } else {
        print_stock(a["stock"]);
    }
    return 0;
}

int show_find(const json& a, const Shown&) {
    return print::print_found(a);
}

int show_movements(const json& a, const Shown&) {
    print::print_movements(a.value("movements", json::array()));
    return 0;
}

int show_adjust(const json& a, const Shown&) {
    std::cout << "recorded movement " << text(a, "movement_id") << "\n";
    print_stock(json::array({a["stock"]}));
    return 0;
}

int show_verify(const json& a, const Shown&) {
    std::cout << text(a, "skus") << " SKUs, " << text(a, "stock_rows") << " stock rows, "
              << text(a, "movements") << " movements\n";
    const auto& problems = a["problems"];
    if (problems.empty()) {
        std::cout << "on hand matches the ledger; all invariants hold\n";
        return 0;
    }
    for (const auto& p : problems) {
        std::cout << "PROBLEM: " << p.get<std::string>() << "\n";
    }
    return 1;
}

int show_import_stock(const json& a, const Shown& x) {
    std::cout << "imported " << text(a, "rows") << " rows";
    if (x.cmd == "import_stock") {
        std::cout << " (" << text(a, "units") << " units, " << text(a, "movements") << " movements)";
    }
    std::cout << "\n";
    return 0;
}

int show_export_stock(const json& a, const Shown& x) {
    const std::string csv = a.value("csv", "");
    if (x.output_file.empty()) {
        std::cout << csv;
    } else {
        std::ofstream out(x.output_file, std::ios::binary | std::ios::trunc);
        out << csv;
        if (!out) {
            std::cerr << "packctl: cannot write " << x.output_file << "\n";
            return 1;
        }
    }
    return 0;
}

int show_location_add(const json&, const Shown&) {
    std::cout << "location added\n";
    return 0;
}

int show_scan(const json& a, const Shown&) {
    const json& scan = a.value("scan", json::object());
    if (!scan.value("valid", false)) {
        std::cout << "invalid scan: " << text(scan, "reason") << "\n";
    } else {
        std::cout << text(scan, "kind") << " " << text(scan, "code");
        if (scan.contains("sku")) {
            std::cout << " (SKU " << text(scan, "sku") << ", pack of " << text(scan, "pack_qty") << ")";
        }
        if (scan.contains("note")) {
            std::cout << ": " << text(scan, "note");
        }
        std::cout << "\n";
        for (const char* field :
             {"lot", "serial", "expiry", "best_before", "production_date", "net_weight_mg"}) {
            if (scan.contains(field)) {
                std::cout << "  " << field << ": " << text(scan, field) << "\n";
            }
        }
    }
    // A station's answer is what the packer sees, and decides the exit status: an invalid code can
    // still be an order number the station opens.
    if (const json reply = scan.value("station_reply", json()); reply.is_object()) {
        std::cout << "station: " << text(reply, "message") << "\n";
        print_progress(reply);
        return reply.value("ok", false) ? 0 : 1;
    }
    if (!scan.value("valid", false)) {
        return 1;
    }
    return 0;
}

int show_station(const json& a, const Shown&) {
    print_stations(a["stations"]);
    return 0;
}

int show_scans(const json& a, const Shown&) {
    const json scans = a.value("scans", json::object());
    for (const auto& [station, events] : scans.items()) {
        for (const auto& e : events) {
            std::cout << station << " " << text(e, "device") << " "
                      << (e.value("valid", false) ? text(e, "kind") + " " + text(e, "code")
                                                  : "invalid: " + text(e, "reason"))
                      << "\n";
        }
    }
    return 0;
}

int show_ship(const json& a, const Shown&) {
    std::cout << "shipped (shipment " << text(a, "shipment_id") << ")\n";
    return 0;
}

int show_scale(const json& a, const Shown&) {
    print_scales(a["scales"]);
    return 0;
}

int show_scale_zero(const json& a, const Shown&) {
    std::cout << text(a, "sent") << " sent to scale " << text(a, "scale") << "\n";
    return 0;
}

int show_label_pick_list(const json& a, const Shown&) {
    std::cout << a["jobs"].size() << " label" << (a["jobs"].size() == 1 ? "" : "s") << " queued on printer "
              << text(a, "printer");
    if (a.contains("ssccs")) {
        for (const auto& sscc : a["ssccs"]) {
            std::cout << "\n  SSCC " << sscc.get<std::string>();
        }
    }
    std::cout << "\n";
    return 0;
}

int show_label_preview(const json& a, const Shown& x) {
    auto png = packd::base64_decode(a.value("png_base64", ""));
    if (!png) {
        std::cerr << "packctl: the preview did not arrive whole: " << png.error().message << "\n";
        return 1;
    }
    // Named after the job, as the file printer names its files, unless --out says otherwise.
    const std::string file = !x.output_file.empty() ? x.output_file
                                                    : text(a, "order") + "-" + text(a, "kind") + "-" +
                                                          text(a, "job") + "-preview.png";
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << *png;
    if (!out) {
        std::cerr << "packctl: cannot write " << file << "\n";
        return 1;
    }
    std::cout << "preview of job " << text(a, "job") << " (" << text(a, "kind") << " label of order "
              << text(a, "order") << ", printer " << text(a, "printer") << ") written to " << file << "\n";
    return 0;
}

int show_labels_uncertain(const json& a, const Shown&) {
    const json jobs = a.value("jobs", json::array());
    if (jobs.empty()) {
        std::cout << "no label is waiting for anyone to say whether it printed\n";
    }
    for (const auto& j : jobs) {
        std::cout << "job " << text(j, "job") << "  " << text(j, "kind") << " label of order "
                  << text(j, "order") << "  printer " << text(j, "printer") << "  sent " << text(j, "sent_at")
                  << "\n    " << text(j, "reason") << "\n";
    }
    return 0;
}

int show_label_confirm(const json& a, const Shown& x) {
    std::cout << "job " << text(a, "job") << " (" << text(a, "kind") << " label of order " << text(a, "order")
              << ") "
              << (x.cmd == "label_confirm" ? "marked printed"
                                           : "queued again on printer " + text(a, "printer"))
              << "\n";
    return 0;
}

int show_reprint(const json& a, const Shown&) {
    std::cout << "reprint queued: job " << text(a, "job_id") << " on printer " << text(a, "printer") << "\n";
    return 0;
}

int show_release(const json& a, const Shown&) {
    std::cout << "order " << text(a, "order") << " " << text(a, "state")
              << (text(a, "reason").empty() ? "" : ": " + text(a, "reason"))
              << (text(a, "printer").empty() ? "" : " (label on " + text(a, "printer") + ")") << "\n";
    return 0;
}

int show_rules(const json& a, const Shown&) {
    print::print_rules(a.value("rules", json::array()));
    return 0;
}

int show_rules_log(const json& a, const Shown&) {
    print::print_rule_runs(a.value("runs", json::array()));
    return 0;
}

int show_rules_test(const json& a, const Shown&) {
    return print::print_rule_test(a.value("test", json::object()));
}

using Show = int (*)(const json& answer, const Shown& how);

// One entry per verb of admin_verbs.cpp that packctl sends.
const std::map<std::string_view, Show>& shows_by_verb() {
    static const std::map<std::string_view, Show> table = {
        {"status", show_status},
        {"loop", show_loop},
        {"orders", show_orders},
        {"order", show_order},
        {"stock", show_stock},
        {"find", show_find},
        {"movements", show_movements},
        {"adjust", show_adjust},
        {"verify", show_verify},
        {"import_stock", show_import_stock},
        {"import_products", show_import_stock},
        {"export_stock", show_export_stock},
        {"location_add", show_location_add},
        {"scan", show_scan},
        {"station", show_station},
        {"scans", show_scans},
        {"ship", show_ship},
        {"scale", show_scale},
        {"scale_zero", show_scale_zero},
        {"scale_tare", show_scale_zero},
        {"label_pick_list", show_label_pick_list},
        {"label_sscc", show_label_pick_list},
        {"label_commands", show_label_pick_list},
        {"label_test", show_label_pick_list},
        {"label_preview", show_label_preview},
        {"labels_uncertain", show_labels_uncertain},
        {"label_confirm", show_label_confirm},
        {"label_resend", show_label_confirm},
        {"reprint", show_reprint},
        {"release", show_release},
        {"rules", show_rules},
        {"rules_log", show_rules_log},
        {"rules_test", show_rules_test},
    };
    return table;
}

}  // namespace

std::optional<int> show_answer(const json& request, const json& answer, const std::string& output_file) {
    const std::string cmd = request.value("cmd", "");
    const auto it = shows_by_verb().find(cmd);
    if (it == shows_by_verb().end()) {
        return std::nullopt;
    }
    return it->second(answer, Shown{cmd, output_file});
}

bool shows(std::string_view cmd) {
    return shows_by_verb().count(cmd) > 0;
}

}  // namespace packd::host::packctl
