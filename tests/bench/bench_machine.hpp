#pragma once
// What the benchmark programs share besides their table: the clock, percentiles, the facts about the
// machine and its disk they print, and what they read of a process from /proc.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace packd::bench {

using Clock = std::chrono::steady_clock;

inline double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Nearest-rank percentile of samples (any unit); 0 when there are none.
double percentile(std::vector<double> samples, double p);
double max_of(const std::vector<double>& samples);

std::string cpu_model();
std::string kernel();
std::string load_average();
/// The file system type and device of the mount that holds `folder`, and its statfs magic.
std::string filesystem_of(const std::filesystem::path& folder);

/// User plus system CPU time of a process in milliseconds (/proc/PID/stat, utime and stime).
double process_cpu_ms(pid_t pid);

/// VmRSS and VmHWM of a process in kB (/proc/PID/status); nothing once it is gone.
struct Memory {
    long rss_kb = 0;
    long hwm_kb = 0;
};
std::optional<Memory> process_memory(pid_t pid);

}  // namespace packd::bench
