// The real packd binary: config checks, start-up failures, signals, sd_notify, packctl.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

TEST(PackdCheckConfig, AcceptsTheShippedExample) {
    auto r = run({packd_binary(), "--check-config", "--config", source_dir() + "/config/packd.toml"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("config is valid"), std::string::npos) << r.output;
}

TEST(PackdCheckConfig, RejectsABadFileNamingFileLineAndKey) {
    TempDir dir;
    write_file(dir.file("packd.toml"), "[site]\nid = \"x\"\n[broker]\nport = \"high\"\nhots = \"a\"\n");
    auto r = run({packd_binary(), "--check-config", "--config", dir.file("packd.toml")});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find(dir.file("packd.toml") +
                            ":4: broker.port: expected an integer from 1 to 65535, found the "
                            "string \"high\""),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find(dir.file("packd.toml") + ":5: broker.hots: unknown key"), std::string::npos)
        << r.output;
}

/// A daemon config in `dir` whose label templates are copies of the shipped ones in dir/templates, free to
/// be broken by the test.
void write_config_with_own_templates(const TempDir& dir) {
    std::filesystem::create_directories(dir.file("templates"));
    for (const char* kind : {"shipping", "return", "pick_list", "sscc"}) {
        const std::string name = std::string(kind) + ".toml";
        write_file(dir.file("templates/" + name), read_file(source_dir() + "/config/labels/" + name));
    }
    std::string cfg = daemon_config(dir, free_port());
    const std::string labels = "[labels]\nprinter = \"desk\"\n";
    cfg.replace(cfg.find(labels), labels.size(), labels + "templates = \"" + dir.file("templates") + "\"\n");
    write_file(dir.file("packd.toml"), cfg);
}

TEST(PackdCheckConfig, ChecksTheLabelTemplatesToo) {
    TempDir dir;
    write_config_with_own_templates(dir);
    auto r = run({packd_binary(), "--check-config", "--config", dir.file("packd.toml")});
    EXPECT_EQ(r.code, 0) << r.output;

    write_file(dir.file("templates/sscc.toml"),
               "kind = \"sscc\"\n[[field]]\ntype = \"box\"\nx = 0.5\ny = 0\n"
               "width = 0.6\nheight = 0.1\n");
    r = run({packd_binary(), "--check-config", "--config", dir.file("packd.toml")});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find(dir.file("templates/sscc.toml") + ":2: field[1]: the field lies off the stock"),
              std::string::npos)
        << r.output;
}

TEST(PackdStartup, MissingConfigIsOneClearLine) {
    auto r = run({packd_binary(), "--config", "/nonexistent/packd.toml"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.output,
              "<3>/nonexistent/packd.toml: cannot read the config file: No such file or directory\n");
}

TEST(PackdStartup, UnusableStateDirectoryIsOneClearLine) {
    TempDir dir;
    write_file(dir.file("blocker"), "a file where a folder should be");
    std::string cfg = daemon_config(dir, free_port());
    const std::string good = "state_dir = \"" + dir.file("state") + "\"";
    cfg.replace(cfg.find(good), good.size(), "state_dir = \"" + dir.file("blocker/state") + "\"");
    write_file(dir.file("packd.toml"), cfg);
    auto r = run({packd_binary(), "--config", dir.file("packd.toml")}, 20s);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find(": daemon.state_dir: expected a state folder packd can create, found " +
                            dir.file("blocker") + ", which is not a folder"),
              std::string::npos)
        << r.output;
}

TEST(PackdStartup, CorruptDatabaseIsRefusedAndLeftAlone) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    std::filesystem::create_directories(dir.file("state"));
    write_file(dir.file("state/packd.db"), std::string(8192, '\x5a'));
    auto r = run({packd_binary(), "--config", dir.file("packd.toml")}, 20s);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find("not a database"), std::string::npos) << r.output;
    EXPECT_EQ(read_file(dir.file("state/packd.db")), std::string(8192, '\x5a'));
}

TEST(PackdStartup, SecondPackdOnTheSameAdminSocketIsRefused) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto first = start_packd(dir);
    TempDir other;
    std::string cfg = daemon_config(other, free_port());
    const std::string sock = "admin_socket = \"" + other.file("packd.sock") + "\"";
    cfg.replace(cfg.find(sock), sock.size(), "admin_socket = \"" + dir.file("packd.sock") + "\"");
    write_file(other.file("packd.toml"), cfg);
    auto r = run({packd_binary(), "--config", other.file("packd.toml")}, 20s);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find("another packd is running there"), std::string::npos) << r.output;
    EXPECT_TRUE(first->running()) << "the first packd must be unaffected";
}

TEST(PackdStartup, StaleAdminSocketFromACrashIsReplaced) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    {
        auto p = start_packd(dir);
        p->signal(SIGKILL);
        p->wait(10s);
    }
    ASSERT_TRUE(std::filesystem::exists(dir.file("packd.sock")));
    auto again = start_packd(dir);
    EXPECT_TRUE(again->running()) << again->output();
    EXPECT_EQ(packctl(dir, {"status"}).code, 0);
}

/// Collects sd_notify datagrams the way systemd's NOTIFY_SOCKET does.
class NotifyListener {
  public:
    explicit NotifyListener(const std::string& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
            throw std::runtime_error("bind notify socket");
        }
        timeval tv{0, 100000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    ~NotifyListener() { ::close(fd_); }

    /// Reads datagrams until one contains `text` or the time is up.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
            if (n > 0) {
                std::string msg(buf, static_cast<size_t>(n));
                all_ += msg + "\n--\n";
                if (msg.find(text) != std::string::npos) {
                    return true;
                }
            }
        }
        return false;
    }
    const std::string& all() const { return all_; }

  private:
    std::string path_;
    int fd_ = -1;
    std::string all_;
};

TEST(PackdSystemd, NotifiesReadyWatchdogStatusAndStopping) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    NotifyListener notify(dir.file("notify.sock"));
    // 400 ms watchdog: packd must ping at least every 200 ms from its event loop.
    Process p({packd_binary(), "--config", dir.file("packd.toml")},
              {{"NOTIFY_SOCKET", dir.file("notify.sock")}, {"WATCHDOG_USEC", "400000"}}, dir.path().string());
    ASSERT_TRUE(notify.wait_for("READY=1", 20s)) << notify.all() << p.output();
    EXPECT_NE(notify.all().find("STATUS="), std::string::npos) << notify.all();
    EXPECT_NE(notify.all().find("labels queued"), std::string::npos) << notify.all();
    int pings = 0;
    for (int i = 0; i < 3; ++i) {
        pings += notify.wait_for("WATCHDOG=1", 5s) ? 1 : 0;
    }
    EXPECT_EQ(pings, 3) << notify.all();
    p.signal(SIGTERM);
    EXPECT_TRUE(notify.wait_for("STOPPING=1", 10s)) << notify.all();
    EXPECT_EQ(p.wait(20s), 0) << p.output();
}

TEST(PackdSignals, SigtermStopsCleanlyWithExitZero) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto p = start_packd(dir);
    ASSERT_TRUE(p->wait_for_output("connected to broker", 20s)) << p->output();
    p->signal(SIGTERM);
    auto code = p->wait(20s);
    ASSERT_TRUE(code.has_value()) << "packd did not stop on SIGTERM:\n" << p->output();
    EXPECT_EQ(*code, 0) << p->output();
    EXPECT_NE(p->output().find("received SIGTERM, stopping"), std::string::npos);
    EXPECT_NE(p->output().find("stopped"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.file("packd.sock"))) << "the admin socket must be removed";
}

TEST(PackdSignals, SigintStopsToo) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);
    p->signal(SIGINT);
    EXPECT_EQ(p->wait(20s), 0) << p->output();
}

TEST(PackdSignals, SighupReloadsDevicesAndRefusesABadConfig) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);

    // A good new config: one more printer.
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port(),
                                                     "[printers.spare]\ntype = \"file\"\ndirectory = \"" +
                                                         dir.file("spare") + "\"\n"));
    p->signal(SIGHUP);
    ASSERT_TRUE(p->wait_for_output("config reloaded", 10s)) << p->output();
    EXPECT_NE(
        p->output().find("changes to [site], [daemon], [broker] and [web] take effect at the next restart"),
        std::string::npos)
        << "the broker port changed and must be reported as needing a restart";
    auto status = packctl(dir, {"status"});
    EXPECT_EQ(status.code, 0) << status.output;
    EXPECT_NE(status.output.find("printer  spare: ready"), std::string::npos) << status.output;

    // A broken config: refused, the running one stays.
    write_file(dir.file("packd.toml"), "[site]\nid = \"it\"\n[printers.x]\ntype = \"laser\"\n");
    p->signal(SIGHUP);
    ASSERT_TRUE(p->wait_for_output("reload refused", 10s)) << p->output();
    EXPECT_NE(p->output().find("printers.x.type: expected one of \"file\" \"tcp\" \"usb\", found \"laser\""),
              std::string::npos)
        << p->output();
    EXPECT_TRUE(p->running());
    status = packctl(dir, {"status"});
    EXPECT_EQ(status.code, 0) << status.output;
    EXPECT_NE(status.output.find("printer  spare: ready"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("printer  desk: ready"), std::string::npos) << status.output;
}

TEST(PackdSignals, SighupReloadsLabelTemplatesAndKeepsThemWhenOneIsBroken) {
    TempDir dir;
    write_config_with_own_templates(dir);
    auto p = start_packd(dir);
    EXPECT_NE(p->output().find("label templates loaded from " + dir.file("templates")), std::string::npos)
        << p->output();

    // A merchant's mistake: the reload names file, line and key, and the templates in use stay.
    write_file(dir.file("templates/return.toml"), read_file(dir.file("templates/return.toml")) +
                                                      "\n[[field]]\ntype = \"text\"\nx = 0\ny = 0\n"
                                                      "text = \"{customer}\"\n");
    p->signal(SIGHUP);
    ASSERT_TRUE(p->wait_for_output("the label templates in use stay", 10s)) << p->output();
    EXPECT_NE(p->output().find(dir.file("templates/return.toml") + ":"), std::string::npos) << p->output();
    EXPECT_NE(p->output().find("text: unknown data field \"customer\" for a return label"), std::string::npos)
        << p->output();
    ASSERT_TRUE(p->wait_for_output("config reloaded", 10s)) << p->output();
    EXPECT_TRUE(p->running());
}

TEST(Packctl, StatusShowsDaemonBrokerAndDevices) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);
    auto r = packctl(dir, {"status"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("packd " PACKD_VERSION), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("broker:   not connected to 127.0.0.1"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("printer  desk: ready"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("scale    bench: ready"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("scanner  gun: ready"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("station  pack1: printer desk, scale bench, scanner gun"), std::string::npos)
        << r.output;

    // The sim scale's reading shows up.
    write_file(dir.file("scale.fifo"), "1250\n");
    std::string out;
    for (int i = 0; i < 100 && out.find("[1250 g]") == std::string::npos; ++i) {
        out = packctl(dir, {"status"}).output;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_NE(out.find("scale    bench: ready - simulated, fed from " + dir.file("scale.fifo") + " [1250 g]"),
              std::string::npos)
        << out;
}

TEST(Packctl, AdminSocketIsGroupOnly) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);
    auto perms = std::filesystem::status(dir.file("packd.sock")).permissions();
    EXPECT_EQ(perms & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::group_write);
}

TEST(Packctl, ClearErrorWhenPackdIsNotRunning) {
    TempDir dir;
    auto r = packctl(dir, {"status"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.output.find("cannot connect to packd at " + dir.file("packd.sock")), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("is packd running?"), std::string::npos) << r.output;
}

TEST(Packctl, GarbageOnTheAdminSocketGetsAnErrorAndPackdKeepsRunning) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto p = start_packd(dir);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, dir.file("packd.sock").c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    const std::string junk = "\x01\x02 not json {\n";
    ASSERT_EQ(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), static_cast<ssize_t>(junk.size()));
    char buf[512];
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    ::close(fd);
    ASSERT_GT(n, 0);
    EXPECT_NE(std::string(buf, static_cast<size_t>(n)).find("request is not a JSON object"),
              std::string::npos);
    EXPECT_TRUE(p->running());
    EXPECT_EQ(packctl(dir, {"status"}).code, 0);
}

}  // namespace
}  // namespace packd::test
