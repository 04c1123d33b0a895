// packd: the edge fulfillment daemon. See README.md and docs/.

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "packd/common/log.hpp"
#include "packd/host/config.hpp"
#include "packd/host/daemon.hpp"

namespace {

constexpr const char* kUsage =
    "usage: packd [--config PATH] [--check-config] [--version]\n"
    "  --config PATH    config file (default /etc/packd/packd.toml)\n"
    "  --check-config   validate the config file, the label templates and what the config names (state\n"
    "                   folder, store, secret and TLS files, admin socket folder, merchant rules) and\n"
    "                   exit: 0 when packd would start with it, 1 otherwise\n"
    "  --version        print the version and exit\n";

}  // namespace

int main(int argc, char** argv) {
    // A printer or broker closing its socket must be an error value, not a killed process.
    std::signal(SIGPIPE, SIG_IGN);

    std::string config_path = "/etc/packd/packd.toml";
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (arg.rfind("--config=", 0) == 0) {
            config_path = arg.substr(9);
        } else if (arg == "--check-config") {
            check_only = true;
        } else if (arg == "--version") {
            std::cout << "packd " PACKD_VERSION "\n";
            return 0;
        } else if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else {
            std::cerr << "packd: unknown argument '" << arg << "'\n" << kUsage;
            return 2;
        }
    }

    auto config = packd::host::load_config(config_path);
    if (!config) {
        // One journal line per problem, each naming file, line and key.
        const std::string& all = config.error().message;
        for (size_t start = 0; start < all.size();) {
            size_t end = all.find('\n', start);
            if (end == std::string::npos) {
                end = all.size();
            }
            packd::log::error(all.substr(start, end - start));
            start = end + 1;
        }
        return 1;
    }
    if (const auto problems = packd::host::environment_problems(*config); !problems.empty()) {
        // What start would refuse, said before anything starts, by the check and by start alike.
        for (const auto& p : problems) {
            packd::log::error(p.to_string());
        }
        return 1;
    }
    if (check_only) {
        if (auto rules = packd::host::check_rules(*config); !rules) {
            packd::log::error(rules.error().message);
            return 1;
        }
        std::cout << config_path << ": config is valid\n";
        return 0;
    }
    try {
        packd::host::Daemon daemon(std::move(*config));
        return daemon.run();
    } catch (const std::exception& e) {
        packd::log::error(std::string("fatal: ") + e.what());
        return 1;
    }
}
