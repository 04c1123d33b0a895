// [rules]: where the merchant's rules files are, the ship-today cut-off, how long runs are traced and the
// sandbox's limits.

#include "config_reader.hpp"

namespace packd::host::config_detail {
namespace {

std::string clock_time(const std::string& v) {
    const bool shape = v.size() == 5 && v[2] == ':' && std::isdigit(static_cast<unsigned char>(v[0])) &&
                       std::isdigit(static_cast<unsigned char>(v[1])) &&
                       std::isdigit(static_cast<unsigned char>(v[3])) &&
                       std::isdigit(static_cast<unsigned char>(v[4]));
    if (v.empty() || (shape && std::stoi(v.substr(0, 2)) < 24 && std::stoi(v.substr(3, 2)) < 60)) {
        return {};
    }
    return "a time of day \"HH:MM\"";
}

}  // namespace

void read_rules(const toml::table& root, RulesConfig& rules, Problems& problems) {
    TableReader r(section(root, "rules", problems), "rules", 1, problems);
    r.text("dir", rules.dir, false, optional_absolute_path);
    r.text("cutoff", rules.cutoff, false, clock_time);
    r.integer("keep_days", rules.keep_days, 1, 366);
    r.integer("keep_runs", rules.keep_runs, 100, 10'000'000);
    r.integer("instructions", rules.instructions, 10'000, 10'000'000);
    r.integer("memory_kb", rules.memory_kb, 1024, 1024 * 1024);
    r.finish();
}

}  // namespace packd::host::config_detail
