// Every refusal at start is found by `packd --check-config` first, with the file, line and key: each case
// below is a config (or what it names) that packd refuses to start with, walked through both the check and
// a real start, which must refuse it with the same problem line.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "packd_fixture.hpp"
#include "test_env.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

/// The config text with `line` added right after the `[section]` header.
std::string with_key(std::string config, const std::string& section, const std::string& line) {
    const std::string header = "[" + section + "]\n";
    const auto at = config.find(header);
    EXPECT_NE(at, std::string::npos) << section;
    config.insert(at + header.size(), line + "\n");
    return config;
}

/// `key = "..."` with a new value.
std::string with_value(std::string config, const std::string& key, const std::string& value) {
    const std::regex line("(^|\n)" + key + " = \"[^\"]*\"");
    return std::regex_replace(config, line, "$1" + key + " = \"" + value + "\"");
}

void make_store(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

struct Refusal {
    std::string name;
    std::string key;  ///< the key the problem names
    std::function<std::string(const TempDir&, std::string)> config;
};

std::vector<Refusal> refusals() {
    return {
        {"an SSCC range whose prefix is too short", "tracking.pallets.prefix",
         [](const TempDir&, std::string c) {
             return c +
                    "[tracking.pallets]\ncarrier = \"PALLET\"\nscheme = \"sscc\"\nprefix = \"123\"\n"
                    "first = 1\nlast = 1000\n";
         }},
        {"a 1Z range whose serials do not fit", "tracking.ups.last",
         [](const TempDir&, std::string c) {
             return c +
                    "[tracking.ups]\ncarrier = \"UPS\"\nscheme = \"ups_1z\"\nprefix = \"A1B2C303\"\n"
                    "first = 1\nlast = 99999999999\n";
         }},
        {"a password file that cannot be read", "broker.password_file",
         [](const TempDir& dir, std::string c) {
             return with_key(c, "broker",
                             "username = \"packd\"\npassword_file = \"" + dir.file("no-such-secret") + "\"");
         }},
        {"a CA file that cannot be read", "broker.ca_file",
         [](const TempDir& dir, std::string c) {
             return with_key(c, "broker", "tls = true\nca_file = \"" + dir.file("no-such-ca.pem") + "\"");
         }},
        {"a state folder that cannot be created", "daemon.state_dir",
         [](const TempDir& dir, std::string c) {
             write_file(dir.file("a-file"), "not a folder");
             return with_value(c, "state_dir", dir.file("a-file") + "/state");
         }},
        {"a store written by a newer packd", "daemon.state_dir",
         [](const TempDir& dir, std::string c) {
             std::filesystem::create_directories(dir.file("state"));
             make_store(dir.file("state/packd.db"), "CREATE TABLE t (x); PRAGMA user_version = 999;");
             return c;
         }},
        {"a store that is not a database", "daemon.state_dir",
         [](const TempDir& dir, std::string c) {
             std::filesystem::create_directories(dir.file("state"));
             write_file(dir.file("state/packd.db"), std::string(4096, 'x'));
             return c;
         }},
        {"a label templates folder without the templates", "labels.templates",
         [](const TempDir& dir, std::string c) {
             std::filesystem::create_directories(dir.file("no-templates"));
             return with_key(c, "labels", "templates = \"" + dir.file("no-templates") + "\"");
         }},
        {"an admin socket in a folder that cannot be created", "daemon.admin_socket",
         [](const TempDir& dir, std::string c) {
             write_file(dir.file("socket-file"), "not a folder");
             return with_value(c, "admin_socket", dir.file("socket-file") + "/packd.sock");
         }},
    };
}

TEST(StartRefusals, EveryRefusalAtStartIsFoundByTheCheckWithFileLineAndKey) {
    Broker broker;
    for (const auto& refusal : refusals()) {
        SCOPED_TRACE(refusal.name);
        TempDir dir;
        const std::string config = refusal.config(dir, daemon_config(dir, broker.port()));
        write_file(dir.file("packd.toml"), config);

        const auto check = run({packd_binary(), "--check-config", "--config", dir.file("packd.toml")}, 20s);
        EXPECT_EQ(check.code, 1) << check.output;
        std::smatch found;
        const std::regex problem(
            std::regex_replace(dir.file("packd.toml"), std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
            ":[0-9]+: " + std::regex_replace(refusal.key, std::regex(R"(\.)"), R"(\.)") + ": [^\n]*");
        ASSERT_TRUE(std::regex_search(check.output, found, problem))
            << "the check does not name the key with its line:\n"
            << check.output;
        const std::string line = found.str();

        Process packd({packd_binary(), "--config", dir.file("packd.toml")}, {}, dir.path().string());
        const auto code = packd.wait(20s);
        ASSERT_TRUE(code.has_value()) << "packd started with a config it should refuse:\n" << packd.output();
        EXPECT_EQ(*code, 1) << packd.output();
        EXPECT_NE(packd.output().find(line), std::string::npos)
            << "start refused with another message than the check's\n  check: " << line << "\n  start:\n"
            << packd.output();
    }
}

TEST(StartRefusals, AConfigTheCheckApprovesStarts) {
    Broker broker;
    TempDir dir;
    write_file(dir.file("packd.toml"),
               daemon_config(dir, broker.port()) +
                   "[tracking.pallets]\ncarrier = \"PALLET\"\nscheme = \"sscc\"\nprefix = \"00614141\"\n"
                   "first = 1\nlast = 1000\n");
    const auto check = run({packd_binary(), "--check-config", "--config", dir.file("packd.toml")}, 20s);
    ASSERT_EQ(check.code, 0) << check.output;
    auto packd = start_packd(dir);
    EXPECT_TRUE(packd->running());
    packd->signal(SIGTERM);
    EXPECT_EQ(packd->wait(20s), 0) << packd->output();
}

}  // namespace
}  // namespace packd::test
