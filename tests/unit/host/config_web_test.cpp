// The [web] section (firmware-host/src/config_web.cpp) and the start-time check of its credentials file
// (config_environment.cpp), on real files in a temporary folder.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "packd/host/config.hpp"
#include "test_env.hpp"

namespace packd::host {
namespace {

const std::string kSite = "[site]\nid = \"t1\"\n";

Config parsed(const std::string& text) {
    auto r = parse_config(text, "/etc/packd/packd.toml");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Config{};
}

std::string error_of(const std::string& text) {
    auto r = parse_config(text, "/etc/packd/packd.toml");
    EXPECT_FALSE(r.ok()) << "config was accepted but should not be:\n" << text;
    return r.ok() ? std::string() : r.error().message;
}

TEST(ConfigWeb, WithoutAWebSectionTheUiIsOff) {
    const Config c = parsed(kSite);
    EXPECT_FALSE(c.web.enabled);
}

TEST(ConfigWeb, AWebSectionAloneServesOnLoopback) {
    const Config c = parsed(kSite + "[web]\n");
    EXPECT_TRUE(c.web.enabled);
    EXPECT_EQ(c.web.address, "127.0.0.1");
    EXPECT_EQ(c.web.port, 8080);
    EXPECT_EQ(c.web.credentials_file, "");
    EXPECT_EQ(c.web.max_connections, 64);
}

TEST(ConfigWeb, EveryKeyIsRead) {
    const Config c =
        parsed(kSite +
               "[web]\naddress = \"0.0.0.0\"\nport = 8443\ncredentials_file = \"/etc/packd/web.creds\"\n"
               "max_connections = 16\n");
    EXPECT_EQ(c.web.address, "0.0.0.0");
    EXPECT_EQ(c.web.port, 8443);
    EXPECT_EQ(c.web.credentials_file, "/etc/packd/web.creds");
    EXPECT_EQ(c.web.max_connections, 16);
    EXPECT_TRUE(parsed(kSite + "[web]\naddress = \"::1\"\n").web.enabled);
    EXPECT_TRUE(parsed(kSite + "[web]\naddress = \"127.0.0.2\"\n").web.enabled);
}

TEST(ConfigWeb, AnAddressBeyondLoopbackNeedsACredentialsFile) {
    for (const char* address : {"0.0.0.0", "::", "192.168.1.20"}) {
        const std::string e = error_of(kSite + "[web]\naddress = \"" + address + "\"\n");
        EXPECT_NE(e.find("/etc/packd/packd.toml:3: web.credentials_file: expected a credentials file"),
                  std::string::npos)
            << e;
        EXPECT_NE(e.find(address), std::string::npos) << e;
    }
}

TEST(ConfigWeb, ABadAddressIsRefused) {
    for (const char* address : {"localhost", "example.com", "300.1.1.1", "127.0.0.1:8080", ""}) {
        const std::string e = error_of(kSite + "[web]\naddress = \"" + address + "\"\n");
        EXPECT_NE(e.find(":4: web.address: expected"), std::string::npos) << address << ": " << e;
    }
    const std::string e = error_of(kSite + "[web]\naddress = 8080\n");
    EXPECT_NE(e.find("web.address: expected a string"), std::string::npos) << e;
}

TEST(ConfigWeb, PortAndConnectionsOutOfRangeAreRefused) {
    std::string e = error_of(kSite + "[web]\nport = 0\n");
    EXPECT_NE(e.find(":4: web.port: expected an integer from 1 to 65535, found 0"), std::string::npos) << e;
    e = error_of(kSite + "[web]\nport = 65536\n");
    EXPECT_NE(e.find("web.port: expected an integer from 1 to 65535, found 65536"), std::string::npos) << e;
    e = error_of(kSite + "[web]\nmax_connections = 2000\n");
    EXPECT_NE(e.find("web.max_connections: expected an integer from 4 to 1024"), std::string::npos) << e;
}

TEST(ConfigWeb, AnUnknownKeyIsNamed) {
    const std::string e = error_of(kSite + "[web]\nport = 8080\npasword_file = \"/etc/x\"\n");
    EXPECT_NE(e.find("/etc/packd/packd.toml:5: web.pasword_file: unknown key"), std::string::npos) << e;
}

TEST(ConfigWeb, TheCredentialsFileIsAnAbsolutePath) {
    const std::string e = error_of(kSite + "[web]\ncredentials_file = \"web.creds\"\n");
    EXPECT_NE(e.find("web.credentials_file: expected an absolute path"), std::string::npos) << e;
}

class ConfigWebEnvironment : public ::testing::Test {
  protected:
    /// A config whose state and socket live in the temporary folder, with `credentials` as the web's file.
    Config config_with(const std::string& credentials) {
        return parsed(kSite + "[daemon]\nstate_dir = \"" + dir_.file("state") + "\"\nadmin_socket = \"" +
                      dir_.file("run/packd.sock") +
                      "\"\n[web]\naddress = \"0.0.0.0\"\ncredentials_file = \"" + credentials + "\"\n");
    }
    std::string credentials_file(mode_t mode, const std::string& text = "0123456789abcdef-kiosk\n") {
        const std::string path = dir_.file("web.creds");
        test::write_file(path, text);
        EXPECT_EQ(::chmod(path.c_str(), mode), 0);
        return path;
    }
    static std::vector<ConfigProblem> web_problems(const Config& config) {
        std::vector<ConfigProblem> problems = environment_problems(config);
        problems.erase(std::remove_if(problems.begin(), problems.end(),
                                      [](const ConfigProblem& p) { return p.key != "web.credentials_file"; }),
                       problems.end());
        return problems;
    }
    test::TempDir dir_;
};

TEST_F(ConfigWebEnvironment, AFileOnlyPackdReadsPasses) {
    const Config config = config_with(credentials_file(0600));
    EXPECT_TRUE(web_problems(config).empty());
}

TEST_F(ConfigWebEnvironment, AFileOthersMayReadIsAProblemOnItsKey) {
    const std::string path = credentials_file(0644);
    const std::vector<ConfigProblem> problems = web_problems(config_with(path));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line, 8) << "the line of credentials_file";
    const std::string text = problems[0].to_string();
    EXPECT_EQ(text.rfind("/etc/packd/packd.toml:8: web.credentials_file: ", 0), 0u) << text;
    EXPECT_NE(text.find(path), std::string::npos) << text;
    EXPECT_NE(text.find("chmod 600"), std::string::npos) << text;
}

TEST_F(ConfigWebEnvironment, AMissingOrUnreadableFileIsAProblem) {
    std::vector<ConfigProblem> problems = web_problems(config_with(dir_.file("nothing-here")));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("No such file"), std::string::npos) << problems[0].message;

    problems = web_problems(config_with(credentials_file(0600, "short\n")));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].message.find("line 1: a token needs at least 16 characters"), std::string::npos)
        << problems[0].message;
}

}  // namespace
}  // namespace packd::host
