#pragma once
// Helpers for tests that run real parts: temporary folders, child processes (the real packd
// binary), a private mosquitto broker on a free loopback port, free ports.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace packd::test {

/// A fresh folder under /tmp, removed with everything in it at scope exit.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

/// A TCP port on 127.0.0.1 that nobody listened on a moment ago.
int free_port();
/// True once something accepts TCP connections on 127.0.0.1:port.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

/// A child process with its stderr and stdout captured to files and no other descriptor of ours; killed at
/// scope exit.
class Process {
  public:
    Process(std::vector<std::string> argv, std::map<std::string, std::string> extra_env = {},
            const std::string& capture_dir = "");
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signo) const;
    /// Waits for the exit; the exit code, or 128+signal, or nothing on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    std::string output() const;  ///< stdout and stderr so far
    /// Waits until the output contains `text`.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const;

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string log_path_;
    bool own_dir_ = false;
};

/// Runs a command to completion; returns exit code and combined output.
struct RunResult {
    int code = -1;
    std::string output;
};
RunResult run(const std::vector<std::string>& argv,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// A private mosquitto on a free loopback port, stopped at scope exit.
class Broker {
  public:
    /// `extra_config` is appended to the generated mosquitto.conf.
    explicit Broker(const std::string& extra_config = "", int port = 0);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;
    int port() const { return port_; }
    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
    void stop();
    void start();

  private:
    TempDir dir_;
    std::string extra_;
    int port_;
    std::optional<Process> process_;
};

std::string packd_binary();
std::string packctl_binary();
std::string source_dir();

}  // namespace packd::test
