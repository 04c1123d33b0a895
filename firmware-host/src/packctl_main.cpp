// packctl: the admin command for a running packd, over its local admin socket.

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "packd/common/text.hpp"
#include "packd/host/admin_client.hpp"
#include "packd/host/config.hpp"

namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: packctl [--socket PATH | --config PATH] [--json] COMMAND [ARGS]\n"
    "commands:\n"
    "  status                           daemon, broker, store and device state\n"
    "  loop [reset]                     the event loop's lag and its longest handler (reset: start again)\n"
    "  orders                           the latest orders\n"
    "  order ID                         one order: lines, reservations, shipments\n"
    "  stock [SKU]                      on hand, reserved and available, per location\n"
    "  adjust SKU LOCATION DELTA --reason adjust|receive|count|return|transfer [--lot L]\n"
    "         [--expiry YYYY-MM-DD] [--note TEXT]\n"
    "  verify                           check on hand against the ledger and other invariants\n"
    "  import stock FILE.csv [--mode receive|count]\n"
    "  import products FILE.csv\n"
    "  export stock [FILE.csv]          (to standard output without FILE)\n"
    "  location add CODE [--kind bin|receiving|packing|returns|quarantine]\n"
    "  ship ORDER [--carrier C] [--tracking NUMBER] [--weight GRAMS]\n"
    "  scale [NAME]                     live reading, state and stable weight of the scales\n"
    "  scale zero|tare NAME             zero or tare a scale\n"
    "  scan STATION DATA                scan DATA at STATION as its scanner would: what it means and what\n"
    "                                   the station does with it\n"
    "  station [NAME]                   pack stations: open order, items packed, scale, recent replies\n"
    "  scans [STATION]                  the last scan events of each station (or of one), oldest first\n"
    "  reprint ORDER [--kind shipping|return|pick_list]   print the order's label again\n"
    "  label pick-list ORDER... [--station NAME]          print the pick list of one order or a batch\n"
    "  label sscc ORDER [--count N] [--station NAME]      print N GS1 logistics (SSCC) labels\n"
    "  label preview ORDER [--kind K] [--out FILE]        the PNG preview of the order's latest label of\n"
    "                                                     kind K (shipping by default), to FILE\n"
    "  label preview --job ID [--out FILE]                the PNG preview of one print job\n"
    "  labels uncertain                                   labels that may have printed (packd stopped, or\n"
    "                                                     the printer fell silent, while they were sent)\n"
    "  label confirm JOB | label resend JOB               it printed | it did not: send it again\n"
    "options:\n"
    "  --socket PATH   admin socket (default /run/packd/packd.sock, or $PACKD_SOCKET)\n"
    "  --config PATH   read the admin socket path from this packd config\n"
    "  --json          print the daemon's answer as JSON\n";

std::string text(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        return "";
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

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
        std::cout << text(st, "station") << ": " << text(st, "state");
        if (!text(st, "order_id").empty()) {
            std::cout << " order " << text(st, "order_id");
        }
        std::cout << (st.value("weighing", false) ? " (waiting for the scale)" : "") << "\n";
        print_progress(st);
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

void print_orders(const json& orders) {
    if (orders.empty()) {
        std::cout << "no orders\n";
        return;
    }
    for (const auto& o : orders) {
        std::cout << text(o, "id") << "  " << text(o, "state") << "  " << text(o, "lines") << " lines  "
                  << text(o, "carrier") << " " << text(o, "service") << "  " << text(o, "created_at") << "\n";
    }
}

void print_stock(const json& levels) {
    for (const auto& l : levels) {
        std::cout << text(l, "sku") << "  " << text(l, "name") << "\n  on hand " << text(l, "on_hand")
                  << ", reserved " << text(l, "reserved") << ", available " << text(l, "available");
        if (l.value("reorder_point", int64_t{0}) > 0) {
            std::cout << " (reorder point " << text(l, "reorder_point") << ")";
        }
        std::cout << "\n";
        for (const auto& r : l.value("rows", json::array())) {
            std::cout << "    " << text(r, "location");
            if (!text(r, "lot").empty()) {
                std::cout << " lot " << text(r, "lot");
            }
            if (!text(r, "expiry").empty()) {
                std::cout << " exp " << text(r, "expiry");
            }
            std::cout << ": " << text(r, "on_hand") << "\n";
        }
    }
}

void print_order(const json& o) {
    std::cout << "order " << text(o, "id") << ": " << text(o, "state");
    if (!text(o, "hold_reason").empty()) {
        std::cout << " (" << text(o, "hold_reason") << ")";
    }
    std::cout << "\n  " << text(o, "carrier") << " " << text(o, "service") << ", received "
              << text(o, "created_at") << " (event " << text(o, "event_id") << ", " << text(o, "source")
              << ")\n";
    if (!text(o, "late_cancel_event").empty()) {
        std::cout << "  a cancel arrived after shipping (event " << text(o, "late_cancel_event")
                  << "): recorded, not applied\n";
    }
    for (const auto& l : o.value("lines", json::array())) {
        std::cout << "  line " << text(l, "sku") << " x " << text(l, "quantity") << "\n";
    }
    for (const auto& r : o.value("reserved", json::array())) {
        std::cout << "  reserved " << text(r, "sku") << " x " << text(r, "quantity") << "\n";
    }
    for (const auto& sh : o.value("shipments", json::array())) {
        std::cout << "  shipped " << text(sh, "carrier") << " " << text(sh, "tracking_number") << ", "
                  << text(sh, "weight_g") << " g\n";
    }
}

std::string operator_name() {
    for (const char* var : {"SUDO_USER", "USER", "LOGNAME"}) {
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
            return v;
        }
    }
    const passwd* pw = ::getpwuid(::getuid());
    return pw != nullptr ? pw->pw_name : "unknown";
}

bool read_whole(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

/// The request for a command line, or a usage error.
struct Command {
    json request;
    std::string error;
    std::string output_file;  ///< export stock FILE, label preview --out FILE
};

Command build_request(const std::vector<std::string>& w, const std::map<std::string, std::string>& opt) {
    const auto n = w.size();
    const auto option = [&](const char* key) {
        auto it = opt.find(key);
        return it == opt.end() ? std::string() : it->second;
    };
    Command c;
    const std::string& verb = n > 0 ? w[0] : std::string();
    if ((verb == "status" || verb == "orders" || verb == "verify") && n == 1) {
        c.request = {{"cmd", verb}};
    } else if (verb == "loop" && (n == 1 || (n == 2 && w[1] == "reset"))) {
        c.request = {{"cmd", "loop"}, {"reset", n == 2}};
    } else if (verb == "order" && n == 2) {
        c.request = {{"cmd", "order"}, {"id", w[1]}};
    } else if (verb == "stock" && n <= 2) {
        c.request = {{"cmd", "stock"}};
        if (n == 2) {
            c.request["sku"] = w[1];
        }
    } else if (verb == "adjust" && n == 4) {
        long long delta = 0;
        size_t used = 0;
        try {
            delta = std::stoll(w[3], &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != w[3].size() || w[3].empty()) {
            c.error = "DELTA must be a whole number such as 5 or -2, not '" + w[3] + "'";
            return c;
        }
        if (option("reason").empty()) {
            c.error =
                "adjust needs --reason (adjust, receive, count, return or transfer): the ledger records why";
            return c;
        }
        c.request = {{"cmd", "adjust"},
                     {"sku", w[1]},
                     {"location", w[2]},
                     {"delta", delta},
                     {"reason", option("reason")},
                     {"lot", option("lot")},
                     {"expiry", option("expiry")},
                     {"note", option("note")},
                     {"operator", operator_name()}};
    } else if (verb == "import" && n == 3 && (w[1] == "stock" || w[1] == "products")) {
        std::string csv;
        if (!read_whole(w[2], csv)) {
            c.error = "cannot read " + w[2];
            return c;
        }
        c.request = {
            {"cmd", "import_" + w[1]}, {"csv", csv}, {"reference", w[2]}, {"operator", operator_name()}};
        if (w[1] == "stock") {
            c.request["mode"] = option("mode").empty() ? "receive" : option("mode");
        }
    } else if (verb == "export" && (n == 2 || n == 3) && w[1] == "stock") {
        c.request = {{"cmd", "export_stock"}};
        c.output_file = n == 3 ? w[2] : "";
    } else if (verb == "station" && (n == 1 || n == 2)) {
        c.request = {{"cmd", "station"}, {"station", n == 2 ? w[1] : ""}};
    } else if (verb == "scans" && n <= 2) {
        c.request = {{"cmd", "scans"}};
        if (n == 2) {
            c.request["station"] = w[1];
        }
    } else if (verb == "scan" && n == 3) {
        c.request = {{"cmd", "scan"}, {"station", w[1]}, {"data", w[2]}};
    } else if (verb == "location" && n == 3 && w[1] == "add") {
        c.request = {{"cmd", "location_add"}, {"code", w[2]}, {"kind", option("kind")}};
    } else if (verb == "label" && n >= 3 && w[1] == "pick-list") {
        c.request = {{"cmd", "label_pick_list"},
                     {"orders", std::vector<std::string>(w.begin() + 2, w.end())},
                     {"station", option("station")}};
    } else if (verb == "label" && n == 3 && w[1] == "sscc") {
        c.request = {{"cmd", "label_sscc"}, {"order", w[2]}, {"station", option("station")}, {"count", 1}};
        if (!option("count").empty()) {
            try {
                c.request["count"] = std::stoi(option("count"));
            } catch (const std::exception&) {
                c.error = "--count must be a whole number";
            }
        }
    } else if (verb == "label" && n >= 2 && w[1] == "preview" &&
               (n == 3 || (n == 2 && !option("job").empty()))) {
        c.request = {{"cmd", "label_preview"}};
        if (n == 3) {
            c.request["order"] = w[2];
            c.request["kind"] = option("kind");
        } else {
            try {
                std::size_t used = 0;
                c.request["job"] = std::stoll(option("job"), &used);
                if (used != option("job").size()) {
                    c.error = "--job must be a print job number";
                }
            } catch (const std::exception&) {
                c.error = "--job must be a print job number";
            }
        }
        c.output_file = option("out");
    } else if (verb == "labels" && n == 2 && w[1] == "uncertain") {
        c.request = {{"cmd", "labels_uncertain"}};
    } else if (verb == "label" && n == 3 && (w[1] == "confirm" || w[1] == "resend")) {
        c.request = {{"cmd", "label_" + w[1]}, {"operator", operator_name()}};
        try {
            std::size_t used = 0;
            c.request["job"] = std::stoll(w[2], &used);
            if (used != w[2].size()) {
                c.error = "JOB must be a print job number";
            }
        } catch (const std::exception&) {
            c.error = "JOB must be a print job number";
        }
    } else if (verb == "reprint" && n == 2) {
        c.request = {
            {"cmd", "reprint"}, {"order", w[1]}, {"kind", option("kind")}, {"operator", operator_name()}};
    } else if (verb == "ship" && n == 2) {
        c.request = {{"cmd", "ship"},
                     {"id", w[1]},
                     {"carrier", option("carrier")},
                     {"tracking_number", option("tracking")},
                     {"operator", operator_name()}};
        if (!option("weight").empty()) {
            try {
                c.request["weight_g"] = std::stoll(option("weight"));
            } catch (const std::exception&) {
                c.error = "--weight must be grams as a whole number";
            }
        }
    } else if (verb == "scale" && n == 3 && (w[1] == "zero" || w[1] == "tare")) {
        c.request = {{"cmd", "scale_" + w[1]}, {"name", w[2]}};
    } else if (verb == "scale" && n <= 2) {
        c.request = {{"cmd", "scale"}};
        if (n == 2) {
            c.request["name"] = w[1];
        }
    } else {
        c.error = "usage";
    }
    return c;
}

/// Prints the answer for people; returns the exit code.
int print_answer(const json& request, const json& a, const std::string& output_file) {
    const std::string cmd = request.value("cmd", "");
    if (cmd == "status") {
        print_status(a["status"]);
    } else if (cmd == "loop") {
        print_loop(a["loop"]);
    } else if (cmd == "orders") {
        print_orders(a["orders"]);
    } else if (cmd == "order") {
        print_order(a["order"]);
    } else if (cmd == "stock") {
        print_stock(a["stock"]);
    } else if (cmd == "adjust") {
        std::cout << "recorded movement " << text(a, "movement_id") << "\n";
        print_stock(json::array({a["stock"]}));
    } else if (cmd == "verify") {
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
    } else if (cmd == "import_stock" || cmd == "import_products") {
        std::cout << "imported " << text(a, "rows") << " rows";
        if (cmd == "import_stock") {
            std::cout << " (" << text(a, "units") << " units, " << text(a, "movements") << " movements)";
        }
        std::cout << "\n";
    } else if (cmd == "export_stock") {
        const std::string csv = a.value("csv", "");
        if (output_file.empty()) {
            std::cout << csv;
        } else {
            std::ofstream out(output_file, std::ios::binary | std::ios::trunc);
            out << csv;
            if (!out) {
                std::cerr << "packctl: cannot write " << output_file << "\n";
                return 1;
            }
        }
    } else if (cmd == "location_add") {
        std::cout << "location added\n";
    } else if (cmd == "scan") {
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
    } else if (cmd == "station") {
        print_stations(a["stations"]);
    } else if (cmd == "scans") {
        const json scans = a.value("scans", json::object());
        for (const auto& [station, events] : scans.items()) {
            for (const auto& e : events) {
                std::cout << station << " " << text(e, "device") << " "
                          << (e.value("valid", false) ? text(e, "kind") + " " + text(e, "code")
                                                      : "invalid: " + text(e, "reason"))
                          << "\n";
            }
        }
    } else if (cmd == "ship") {
        std::cout << "shipped (shipment " << text(a, "shipment_id") << ")\n";
    } else if (cmd == "scale") {
        print_scales(a["scales"]);
    } else if (cmd == "scale_zero" || cmd == "scale_tare") {
        std::cout << text(a, "sent") << " sent to scale " << text(a, "scale") << "\n";
    } else if (cmd == "label_pick_list" || cmd == "label_sscc") {
        std::cout << a["jobs"].size() << " label" << (a["jobs"].size() == 1 ? "" : "s")
                  << " queued on printer " << text(a, "printer");
        if (a.contains("ssccs")) {
            for (const auto& sscc : a["ssccs"]) {
                std::cout << "\n  SSCC " << sscc.get<std::string>();
            }
        }
        std::cout << "\n";
    } else if (cmd == "label_preview") {
        auto png = packd::base64_decode(a.value("png_base64", ""));
        if (!png) {
            std::cerr << "packctl: the preview did not arrive whole: " << png.error().message << "\n";
            return 1;
        }
        // Named after the job, as the file printer names its files, unless --out says otherwise.
        const std::string file = !output_file.empty() ? output_file
                                                      : text(a, "order") + "-" + text(a, "kind") + "-" +
                                                            text(a, "job") + "-preview.png";
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << *png;
        if (!out) {
            std::cerr << "packctl: cannot write " << file << "\n";
            return 1;
        }
        std::cout << "preview of job " << text(a, "job") << " (" << text(a, "kind") << " label of order "
                  << text(a, "order") << ", printer " << text(a, "printer") << ") written to " << file
                  << "\n";
    } else if (cmd == "labels_uncertain") {
        const json jobs = a.value("jobs", json::array());
        if (jobs.empty()) {
            std::cout << "no label is waiting for anyone to say whether it printed\n";
        }
        for (const auto& j : jobs) {
            std::cout << "job " << text(j, "job") << "  " << text(j, "kind") << " label of order "
                      << text(j, "order") << "  printer " << text(j, "printer") << "  sent "
                      << text(j, "sent_at") << "\n    " << text(j, "reason") << "\n";
        }
    } else if (cmd == "label_confirm" || cmd == "label_resend") {
        std::cout << "job " << text(a, "job") << " (" << text(a, "kind") << " label of order "
                  << text(a, "order") << ") "
                  << (cmd == "label_confirm" ? "marked printed"
                                             : "queued again on printer " + text(a, "printer"))
                  << "\n";
    } else if (cmd == "reprint") {
        std::cout << "reprint queued: job " << text(a, "job_id") << " on printer " << text(a, "printer")
                  << "\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string socket_path;
    if (const char* env = std::getenv("PACKD_SOCKET")) {
        socket_path = env;
    }
    bool as_json = false;
    std::vector<std::string> words;
    std::map<std::string, std::string> options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--socket" && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (arg == "--config" && i + 1 < argc) {
            auto cfg = packd::host::load_config(argv[++i]);
            if (!cfg) {
                std::cerr << "packctl: " << cfg.error().message << "\n";
                return 1;
            }
            socket_path = cfg->daemon.admin_socket;
        } else if (arg == "--json") {
            as_json = true;
        } else if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if ((arg == "--reason" || arg == "--lot" || arg == "--expiry" || arg == "--note" ||
                    arg == "--mode" || arg == "--kind" || arg == "--carrier" || arg == "--tracking" ||
                    arg == "--weight" || arg == "--station" || arg == "--count" || arg == "--job" ||
                    arg == "--out") &&
                   i + 1 < argc) {
            options[arg.substr(2)] = argv[++i];
        } else if (arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9')) {
            std::cerr << "packctl: unknown option '" << arg << "'\n" << kUsage;
            return 2;
        } else {
            words.push_back(arg);
        }
    }
    if (socket_path.empty()) {
        socket_path = "/run/packd/packd.sock";
    }
    Command command = build_request(words, options);
    if (!command.error.empty()) {
        if (command.error != "usage") {
            std::cerr << "packctl: " << command.error << "\n";
        } else {
            std::cerr << kUsage;
        }
        return 2;
    }
    auto answer = packd::host::admin_request(socket_path, command.request, std::chrono::seconds(120));
    if (!answer) {
        std::cerr << "packctl: " << answer.error().message << "\n";
        return 1;
    }
    const json& a = *answer;
    if (!a.value("ok", false)) {
        std::cerr << "packctl: " << text(a, "error") << "\n";
        return 1;
    }
    if (as_json) {
        std::cout << a.dump(2) << "\n";
        return 0;
    }
    return print_answer(command.request, a, command.output_file);
}
