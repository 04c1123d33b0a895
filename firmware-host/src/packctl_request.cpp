// packctl: a command line turned into the request packd's admin socket takes.

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "packd/common/text.hpp"
#include "packd/host/packctl.hpp"

namespace packd::host::packctl {
namespace {

using nlohmann::json;

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

}  // namespace

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
    } else if (verb == "release" && n == 2) {
        c.request = {{"cmd", "release"}, {"order", w[1]}, {"operator", operator_name()}};
    } else if (verb == "rules" && n == 1) {
        c.request = {{"cmd", "rules"}};
    } else if (verb == "rules" && n >= 2 && n <= 3 && w[1] == "log") {
        c.request = {{"cmd", "rules_log"}, {"rule", n == 3 ? w[2] : ""}};
        if (!option("limit").empty()) {
            try {
                c.request["limit"] = std::stoi(option("limit"));
            } catch (const std::exception&) {
                c.error = "--limit must be a whole number";
            }
        }
    } else if (verb == "rules" && n == 4 && w[1] == "test") {
        std::string text;
        c.request = {{"cmd", "rules_test"}, {"rule", w[2]}};
        if (!read_whole(w[3], text)) {
            c.error = "cannot read the event file " + w[3];
        } else {
            // An empty file (or /dev/null) is an event without fields; the daemon says what it lacks.
            json event = text.empty() ? json::object() : json::parse(text, nullptr, false);
            if (event.is_discarded()) {
                c.error = w[3] + " is not JSON";
            } else {
                c.request["event"] = event;
            }
        }
    } else if (verb == "order" && n == 2) {
        c.request = {{"cmd", "order"}, {"id", w[1]}};
    } else if (verb == "stock" && n <= 2) {
        c.request = {{"cmd", "stock"}};
        if (n == 2) {
            c.request["sku"] = w[1];
        }
        if (!option("location").empty()) {
            c.request["location"] = option("location");
        }
    } else if (verb == "find" && n >= 2) {
        // The words as one text, so a product name or a code with a blank needs no quotes.
        std::string text = w[1];
        for (size_t i = 2; i < n; ++i) {
            text += " " + w[i];
        }
        if (!is_valid_utf8(text)) {
            c.error = "the text to find is not UTF-8";
            return c;
        }
        c.request = {{"cmd", "find"}, {"query", text}};
    } else if (verb == "movements" && n == 1) {
        c.request = {{"cmd", "movements"}};
        for (const char* key : {"sku", "location"}) {
            if (!option(key).empty()) {
                c.request[key] = option(key);
            }
        }
        if (!option("limit").empty()) {
            std::size_t used = 0;
            try {
                c.request["limit"] = std::stoll(option("limit"), &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != option("limit").size()) {
                c.error = "--limit must be a whole number from 1 to 500";
            }
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
    } else if (verb == "label" && n == 3 && w[1] == "test") {
        c.request = {{"cmd", "label_test"}, {"printer", w[2]}};
    } else if (verb == "label" && n == 3 && w[1] == "commands") {
        c.request = {{"cmd", "label_commands"}, {"station", w[2]}};
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

}  // namespace packd::host::packctl
