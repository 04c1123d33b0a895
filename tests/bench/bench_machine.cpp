#include "bench_machine.hpp"

#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace packd::bench {

double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) {
        return 0;
    }
    std::sort(samples.begin(), samples.end());
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
    rank = std::clamp<size_t>(rank, 1, samples.size());
    return samples[rank - 1];
}

double max_of(const std::vector<double>& samples) {
    return samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end());
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::string fallback;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : std::string();
        if (key == "model name") {
            return value;
        }
        if ((key == "Model" || key == "Hardware" || key == "cpu model") && fallback.empty()) {
            fallback = value;  // ARM boards name the board or SoC here
        }
    }
    return fallback.empty() ? "unknown" : fallback;
}

std::string kernel() {
    struct utsname u {};
    if (::uname(&u) != 0) {
        return "unknown";
    }
    return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

std::string filesystem_of(const std::filesystem::path& folder) {
    // The mount that holds the folder is the longest mount point that prefixes its real path.
    std::error_code ec;
    const std::string real = std::filesystem::canonical(folder, ec).string();
    std::ifstream mounts("/proc/self/mounts");
    std::string device, point, type, rest;
    std::string best_point, best_device, best_type;
    while (mounts >> device >> point >> type && std::getline(mounts, rest)) {
        const bool prefix = real.compare(0, point.size(), point) == 0 &&
                            (point == "/" || real.size() == point.size() || real[point.size()] == '/');
        if (prefix && point.size() >= best_point.size()) {
            best_point = point;
            best_device = device;
            best_type = type;
        }
    }
    std::string out =
        best_type.empty() ? "unknown" : best_type + " (" + best_device + " on " + best_point + ")";
    struct statfs fs {};
    if (::statfs(folder.c_str(), &fs) == 0) {
        char magic[32];
        std::snprintf(magic, sizeof magic, "0x%lx", static_cast<unsigned long>(fs.f_type));
        out += ", statfs type " + std::string(magic);
    }
    return out;
}

double process_cpu_ms(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos || paren + 2 > text.size()) {
        return 0;
    }
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14 || i == 15) {  // utime, stime (proc(5))
            ticks += std::stod(field);
        }
    }
    return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<Memory> process_memory(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) {
        return std::nullopt;
    }
    Memory m;
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            in >> m.rss_kb;
        } else if (key == "VmHWM:") {
            in >> m.hwm_kb;
        }
        std::string rest;
        std::getline(in, rest);
    }
    return m;
}

}  // namespace packd::bench
