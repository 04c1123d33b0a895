// Who may use the web UI (firmware-host/web/src/web_access.cpp): the credentials file, read from real files
// with real modes; the Host check that keeps a loopback UI from DNS rebinding; bearer, basic and cookie
// credentials; the CSRF check; the secrets' helpers.

#include "packd/web/web_access.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "packd/common/text.hpp"
#include "test_env.hpp"

namespace packd::web {
namespace {

constexpr const char* kToken = "0123456789abcdef-kiosk";
constexpr const char* kCsrf = "csrf-token-of-this-process-0123456789";

std::string refusal(std::string_view text) {
    auto r = parse_credentials(text);
    EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
    return r.ok() ? std::string() : r.error().message;
}

WebAccess guarded() {
    auto credentials = parse_credentials(std::string(kToken) + "\nalice:s3cret pass\nbob:hunter2\n");
    EXPECT_TRUE(credentials.ok());
    return WebAccess(credentials.ok() ? std::optional<WebCredentials>(*credentials) : std::nullopt, kCsrf);
}

std::string basic(std::string_view user_and_password) {
    return "Basic " + base64_encode(user_and_password);
}

TEST(WebAccess, ParsesTokensAndUsers) {
    auto r = parse_credentials(
        "# kiosks\n"
        "0123456789abcdef\n"
        "\n"
        "  a-much-longer-token-for-the-packing-screen  \n"
        "# people\n"
        "alice:s3cret pass\n"
        "bob:pa:ss\n");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->tokens,
              (std::vector<std::string>{"0123456789abcdef", "a-much-longer-token-for-the-packing-screen"}));
    ASSERT_EQ(r->users.size(), 2u);
    EXPECT_EQ(r->users[0].name, "alice");
    EXPECT_EQ(r->users[0].password, "s3cret pass");
    EXPECT_EQ(r->users[1].name, "bob");
    EXPECT_EQ(r->users[1].password, "pa:ss") << "the first ':' ends the user";
}

TEST(WebAccess, CrlfLinesAndNoFinalLineBreak) {
    auto r = parse_credentials("# written on Windows\r\n0123456789abcdef\r\n\r\nalice:pw\r\ncarol:x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->tokens, (std::vector<std::string>{"0123456789abcdef"}));
    ASSERT_EQ(r->users.size(), 2u);
    EXPECT_EQ(r->users[0].password, "pw") << "the '\\r' is not part of the password";
    EXPECT_EQ(r->users[1].name, "carol");
}

TEST(WebAccess, RefusalsNameTheLine) {
    EXPECT_NE(refusal("0123456789abcdef\n# ok\n0123456789abcde\n").find("line 3: a token needs at least 16"),
              std::string::npos);
    EXPECT_NE(refusal("alice:\n").find("line 1: expected user:password"), std::string::npos);
    EXPECT_NE(refusal("\n:pw\n").find("line 2: expected user:password"), std::string::npos);
    EXPECT_NE(refusal("alice:a\nbob:b\nalice:c\n").find("line 3: the user \"alice\" a second time"),
              std::string::npos);
    EXPECT_NE(refusal("alice:a\nbob:b\x01x\n").find("line 2: a control character"), std::string::npos);
    EXPECT_NE(refusal("alice:a\nbob:b\tx\n").find("line 2: a control character"), std::string::npos);
    EXPECT_NE(refusal("alice:a\nbob:b\x7fx\n").find("line 2: a control character"), std::string::npos);
    const std::string latin1 = refusal("alice:a\n# ok\nbob:caf\xe9\n");
    EXPECT_NE(latin1.find("line 3"), std::string::npos) << latin1;
    EXPECT_NE(latin1.find("UTF-8"), std::string::npos) << latin1;
    EXPECT_NE(refusal("alice:a\n\xc3(\n").find("line 2"), std::string::npos);
}

TEST(WebAccess, AFileWithoutCredentialsIsRefused) {
    EXPECT_NE(refusal("").find("no token and no user:password"), std::string::npos);
    EXPECT_NE(refusal("\n\r\n   \n").find("no token"), std::string::npos);
    EXPECT_NE(refusal("# only a comment\n").find("no token"), std::string::npos);
}

class WebCredentialsFile : public ::testing::Test {
  protected:
    std::string write(const std::string& name, const std::string& text, mode_t mode) {
        const std::string path = dir_.file(name);
        test::write_file(path, text);
        EXPECT_EQ(::chmod(path.c_str(), mode), 0);
        return path;
    }
    test::TempDir dir_;
};

TEST_F(WebCredentialsFile, ReadsAFileOnlyItsOwnerMayRead) {
    auto r = load_credentials(write("web.creds", "0123456789abcdef\nalice:pw\n", 0600));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->tokens.size(), 1u);
    EXPECT_EQ(r->users.size(), 1u);
    EXPECT_TRUE(load_credentials(write("ro.creds", "0123456789abcdef\n", 0400)).ok());
}

TEST_F(WebCredentialsFile, RefusesAFileOthersMayRead) {
    for (const mode_t mode : std::initializer_list<mode_t>{0640, 0644, 0604, 0660, 0620}) {
        const std::string path = write("web.creds", "0123456789abcdef\n", mode);
        auto r = load_credentials(path);
        ASSERT_FALSE(r.ok()) << std::oct << mode;
        EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos) << r.error().message;
    }
}

TEST_F(WebCredentialsFile, RefusesWhatIsNotAFileItCanUse) {
    auto missing = load_credentials(dir_.file("nothing-here"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;

    auto folder = load_credentials(dir_.path().string());
    ASSERT_FALSE(folder.ok());
    EXPECT_NE(folder.error().message.find("not a regular file"), std::string::npos) << folder.error().message;

    const std::string line = "0123456789abcdef0123456789abcdef\n";
    std::string fits;
    while (fits.size() + line.size() <= 64 * 1024) {
        fits += line;
    }
    fits.append(64 * 1024 - fits.size(), '#');
    ASSERT_EQ(fits.size(), 64u * 1024u);
    EXPECT_TRUE(load_credentials(write("fits.creds", fits, 0600)).ok());
    auto large = load_credentials(write("big.creds", fits + "\n", 0600));
    ASSERT_FALSE(large.ok());
    EXPECT_NE(large.error().message.find("64 KiB"), std::string::npos) << large.error().message;

    const std::string bad = write("bad.creds", "alice:a\nshort\n", 0600);
    auto parse = load_credentials(bad);
    ASSERT_FALSE(parse.ok());
    EXPECT_NE(parse.error().message.find(bad + ": line 2: a token needs"), std::string::npos)
        << parse.error().message;
}

TEST(WebAccess, LoopbackHosts) {
    for (const char* host : {"localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:80", "127.9.9.9",
                             "127.255.255.255:65535", "[::1]", "[::1]:8080", "localhost:"}) {
        EXPECT_TRUE(is_loopback_host(host)) << host;
    }
    for (const char* host : {"127.0.0.1.evil.com",
                             "127.0.0.1.evil.com:80",
                             "128.0.0.1",
                             "evil.com",
                             "evil.com:8080",
                             "[::2]",
                             "[::2]:80",
                             "[::1]x",
                             "[::1",
                             "",
                             "127.0.0",
                             "127.0.0.",
                             "127..0.1",
                             "127.0.0.1234",
                             "localhost.evil.com",
                             "evil-localhost",
                             "0.0.0.0",
                             "10.0.0.1:8080",
                             "[::ffff:127.0.0.1]",
                             "localhost:evil.com",
                             "127.0.0.1:evil.com",
                             "[::1]:evil",
                             "localhost:8080x",
                             "localhost:1234567"}) {
        EXPECT_FALSE(is_loopback_host(host)) << host;
    }
}

TEST(WebAccess, WithoutCredentialsOnlyLoopbackHostsAreLetIn) {
    const WebAccess open(std::nullopt, kCsrf);
    EXPECT_FALSE(open.needs_credentials());
    EXPECT_TRUE(open.host_allowed("127.0.0.1:8080"));
    EXPECT_TRUE(open.host_allowed("localhost"));
    EXPECT_FALSE(open.host_allowed("rebound.evil.example:8080"));
    EXPECT_FALSE(open.host_allowed("192.168.1.20:8080"));
    EXPECT_FALSE(open.host_allowed(""));
    EXPECT_TRUE(open.authenticated("", ""));
}

TEST(WebAccess, WithCredentialsAnyHostButOnlyWithProof) {
    const WebAccess access = guarded();
    EXPECT_TRUE(access.needs_credentials());
    EXPECT_TRUE(access.host_allowed("192.168.1.20:8080"));
    EXPECT_FALSE(access.authenticated("", ""));
    EXPECT_FALSE(access.authenticated("", "other=1"));
}

TEST(WebAccess, BearerToken) {
    const WebAccess access = guarded();
    EXPECT_TRUE(access.authenticated(std::string("Bearer ") + kToken, ""));
    EXPECT_TRUE(access.authenticated(std::string("bearer ") + kToken, ""))
        << "the scheme is case-insensitive";
    EXPECT_TRUE(access.authenticated(std::string("Bearer  ") + kToken + " ", ""));
    EXPECT_FALSE(access.authenticated(std::string("Bearer ") + kToken + "x", ""));
    EXPECT_FALSE(access.authenticated("Bearer 0123456789abcdef-kiosK", ""));
    EXPECT_FALSE(access.authenticated("Bearer ", ""));
    EXPECT_FALSE(access.authenticated(std::string("Bearer") + kToken, ""));
    EXPECT_FALSE(access.authenticated("Bearer alice:s3cret pass", "")) << "a user is not a token";
    EXPECT_TRUE(access.token_valid(kToken));
    EXPECT_FALSE(access.token_valid(""));
}

TEST(WebAccess, BasicCredentials) {
    const WebAccess access = guarded();
    EXPECT_TRUE(access.authenticated(basic("alice:s3cret pass"), ""));
    EXPECT_TRUE(access.authenticated("basic " + base64_encode("bob:hunter2"), ""));
    EXPECT_FALSE(access.authenticated(basic("alice:hunter2"), "")) << "another user's password";
    EXPECT_FALSE(access.authenticated(basic("alice:s3cret"), ""));
    EXPECT_FALSE(access.authenticated(basic("alice:"), ""));
    EXPECT_FALSE(access.authenticated(basic("mallory:s3cret pass"), "")) << "an unknown user";
    EXPECT_FALSE(access.authenticated(basic("alice"), "")) << "no ':'";
    EXPECT_FALSE(access.authenticated(basic(std::string(":") + kToken), ""));
    EXPECT_FALSE(access.authenticated("Basic not*base64!", ""));
    EXPECT_FALSE(access.authenticated("Basic YWxpY2U6czNjcmV0IHBhc3M", "")) << "padding missing";
    EXPECT_FALSE(access.authenticated("Basic ", ""));
}

TEST(WebAccess, TokenCookie) {
    const WebAccess access = guarded();
    EXPECT_TRUE(access.authenticated("", std::string("packd_token=") + kToken));
    EXPECT_TRUE(access.authenticated("", std::string("theme=dark; packd_token=") + kToken + "; x=1"));
    EXPECT_FALSE(access.authenticated("", "packd_token=wrong-token-0123456789"));
    EXPECT_FALSE(access.authenticated("", "packd_token="));
    EXPECT_FALSE(access.authenticated("", std::string("other_token=") + kToken));
    EXPECT_FALSE(access.authenticated("", "packd_token=alice:s3cret pass"));
}

TEST(WebAccess, CsrfTokenAndOrigin) {
    const WebAccess access = guarded();
    EXPECT_EQ(access.csrf(), kCsrf);
    EXPECT_TRUE(access.csrf_ok(kCsrf, "", "box.local:8080")) << "a same-origin fetch may send no Origin";
    EXPECT_TRUE(access.csrf_ok(kCsrf, "http://box.local:8080", "box.local:8080"));
    EXPECT_TRUE(access.csrf_ok(kCsrf, "https://box.local:8080", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok(kCsrf, "http://evil.example", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok(kCsrf, "http://box.local:8081", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok(kCsrf, "http://box.local", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok(kCsrf, "null", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok("wrong", "", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok(std::string(kCsrf) + "x", "", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok("", "", "box.local:8080"));
    EXPECT_FALSE(access.csrf_ok("", "http://box.local:8080", "box.local:8080"));
    const WebAccess open(std::nullopt, kCsrf);
    EXPECT_FALSE(open.csrf_ok("", "", "127.0.0.1:8080")) << "loopback needs the CSRF token too";
    EXPECT_TRUE(open.csrf_ok(kCsrf, "http://127.0.0.1:8080", "127.0.0.1:8080"));
}

TEST(WebAccess, AnEmptyCsrfTokenNeverMatches) {
    const WebAccess access(std::nullopt, "");
    EXPECT_FALSE(access.csrf_ok("", "", "127.0.0.1:8080"));
}

TEST(WebAccess, SameSecret) {
    EXPECT_TRUE(same_secret("", ""));
    EXPECT_TRUE(same_secret("abc", "abc"));
    EXPECT_FALSE(same_secret("abc", "abd"));
    EXPECT_FALSE(same_secret("abc", "ab"));
    EXPECT_FALSE(same_secret("ab", "abc"));
    EXPECT_FALSE(same_secret("", "a"));
    EXPECT_FALSE(same_secret(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST(WebAccess, RandomToken) {
    const std::string a = random_token();
    const std::string b = random_token();
    EXPECT_EQ(a.size(), 64u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    EXPECT_NE(a, b);
}

}  // namespace
}  // namespace packd::web
