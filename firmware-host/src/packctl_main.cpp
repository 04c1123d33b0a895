// packctl: the admin command for a running packd, over its local admin socket.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "packd/host/admin_client.hpp"
#include "packd/host/admin_verbs.hpp"
#include "packd/host/config.hpp"
#include "packd/host/packctl.hpp"

namespace packctl = packd::host::packctl;
using nlohmann::json;

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
            std::cout << packd::host::packctl_usage();
            return 0;
        } else if ((arg == "--reason" || arg == "--lot" || arg == "--expiry" || arg == "--note" ||
                    arg == "--mode" || arg == "--kind" || arg == "--carrier" || arg == "--tracking" ||
                    arg == "--weight" || arg == "--station" || arg == "--count" || arg == "--job" ||
                    arg == "--out" || arg == "--limit" || arg == "--sku" || arg == "--location") &&
                   i + 1 < argc) {
            options[arg.substr(2)] = argv[++i];
        } else if (arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9')) {
            std::cerr << "packctl: unknown option '" << arg << "'\n" << packd::host::packctl_usage();
            return 2;
        } else {
            words.push_back(arg);
        }
    }
    if (socket_path.empty()) {
        socket_path = "/run/packd/packd.sock";
    }
    packctl::Command command = packctl::build_request(words, options);
    if (!command.error.empty()) {
        if (command.error != "usage") {
            std::cerr << "packctl: " << command.error << "\n";
        } else {
            std::cerr << packd::host::packctl_usage();
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
        const auto error = a.find("error");
        std::cerr << "packctl: "
                  << (error != a.end() && error->is_string() ? error->get<std::string>() : a.dump()) << "\n";
        return 1;
    }
    if (as_json) {
        std::cout << a.dump(2) << "\n";
        return 0;
    }
    // Every verb packctl sends it can show (tests/unit/host/packctl_test.cpp holds it to that).
    return packctl::show_answer(command.request, a, command.output_file).value_or(0);
}
