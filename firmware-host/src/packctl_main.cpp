// packctl: the admin command for a running packd, over its local admin socket.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "packd/host/admin_client.hpp"
#include "packd/host/config.hpp"

namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: packctl [--socket PATH | --config PATH] [--json] COMMAND\n"
    "commands:\n"
    "  status    daemon, broker, store and device state\n"
    "  orders    the latest orders\n"
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
    if (s.contains("store")) {
        const auto& st = s["store"];
        std::cout << "store:    " << text(st, "path") << ": " << text(st, "orders") << " orders ("
                  << text(st, "orders_open") << " open), " << text(st, "labels_queued") << " labels queued, "
                  << text(st, "outbox") << " messages to send\n";
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

}  // namespace

int main(int argc, char** argv) {
    std::string socket_path;
    if (const char* env = std::getenv("PACKD_SOCKET")) {
        socket_path = env;
    }
    bool as_json = false;
    std::vector<std::string> words;
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
        } else if (!arg.empty() && arg[0] == '-') {
            std::cerr << "packctl: unknown option '" << arg << "'\n" << kUsage;
            return 2;
        } else {
            words.push_back(arg);
        }
    }
    if (socket_path.empty()) {
        socket_path = "/run/packd/packd.sock";
    }
    if (words.size() != 1 || (words[0] != "status" && words[0] != "orders")) {
        std::cerr << kUsage;
        return 2;
    }
    auto answer = packd::host::admin_request(socket_path, {{"cmd", words[0]}});
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
    } else if (words[0] == "status") {
        print_status(a["status"]);
    } else {
        print_orders(a["orders"]);
    }
    return 0;
}
