#include "test_env.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace packd::test {

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "packd-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) {
        throw std::runtime_error("cannot write " + path);
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        throw std::runtime_error("bind to a free port failed");
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
        ::close(fd);
        if (ok) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> extra_env,
                 const std::string& capture_dir) {
    std::string dir = capture_dir;
    if (dir.empty()) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "packd-proc-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir = tmpl;
        own_dir_ = true;
    }
    static int counter = 0;
    log_path_ = dir + "/proc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".log";

    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) {
            env[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
    }
    // The test's own systemd variables must not leak into the child unless a test sets them.
    env.erase("NOTIFY_SOCKET");
    env.erase("WATCHDOG_USEC");
    env.erase("WATCHDOG_PID");
    for (auto& [k, v] : extra_env) {
        env[k] = v;
    }
    std::vector<std::string> env_strings;
    for (auto& [k, v] : env) {
        env_strings.push_back(k + "=" + v);
    }
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<char*> args;
    for (auto& a : argv) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    // Nothing of the test's own but standard input and output: an inherited socket outlives its owner in the
    // child (a printer emulator switched off would go on taking connections in a broker started meanwhile).
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGHUP);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = ::posix_spawnp(&pid_, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        throw std::runtime_error("cannot start " + argv[0]);
    }
}

Process::~Process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    if (own_dir_) {
        std::error_code ec;
        std::filesystem::remove_all(std::filesystem::path(log_path_).parent_path(), ec);
    }
}

void Process::signal(int signo) const {
    ::kill(pid_, signo);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    if (status_) {
        return status_;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool Process::running() {
    return !wait(std::chrono::milliseconds(0)).has_value();
}

std::string Process::output() const {
    return read_file(log_path_);
}

bool Process::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (output().find(text) != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return output().find(text) != std::string::npos;
}

RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    Process p(argv);
    auto code = p.wait(timeout);
    RunResult r;
    r.code = code.value_or(-1);
    r.output = p.output();
    return r;
}

Broker::Broker(const std::string& extra_config, int port) : extra_(extra_config), port_(port) {
    if (port_ == 0) {
        port_ = free_port();
    }
    start();
}

Broker::~Broker() {
    stop();
}

void Broker::start() {
    const std::string conf = dir_.file("mosquitto.conf");
    // mosquitto drops queued QoS 1 messages beyond max_queued_messages (default 1000) for a
    // client that falls behind; tests raise it like our shipped broker configs do.
    // Run as whoever runs the tests: as root mosquitto would otherwise switch to its own user,
    // which cannot write to our private folder.
    const passwd* me = ::getpwuid(::getuid());
    std::string text = "user " + std::string(me != nullptr ? me->pw_name : "root") + "\n" + "listener " +
                       std::to_string(port_) + " 127.0.0.1\nallow_anonymous true\n" +
                       "persistence true\npersistence_location " + dir_.path().string() + "/\n" +
                       "max_queued_messages 100000\nmax_inflight_messages 1000\nset_tcp_nodelay "
                       "true\nlog_dest stderr\nlog_type "
                       "error\nlog_type warning\n" +
                       extra_;
    write_file(conf, text);
    process_.emplace(std::vector<std::string>{"mosquitto", "-c", conf}, std::map<std::string, std::string>{},
                     dir_.path().string());
    if (!wait_for_port(port_, std::chrono::seconds(10))) {
        throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ": " +
                                 process_->output());
    }
}

void Broker::stop() {
    if (process_) {
        process_->signal(SIGTERM);
        if (!process_->wait(std::chrono::seconds(10))) {
            process_->signal(SIGKILL);
            process_->wait(std::chrono::seconds(5));
        }
        process_.reset();
    }
}

std::string packd_binary() {
    return PACKD_BINARY;
}
std::string packctl_binary() {
    return PACKCTL_BINARY;
}
std::string source_dir() {
    return PACKD_SOURCE_DIR;
}

}  // namespace packd::test
