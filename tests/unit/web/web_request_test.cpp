// Request targets as the web UI's routes see them (firmware-host/web/src/web_request.cpp): what is taken
// apart, how it is decoded, and every way a target is refused before a route sees it.

#include "packd/web/web_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace packd::web {
namespace {

WebTarget parsed(std::string_view target) {
    auto r = parse_target(target);
    EXPECT_TRUE(r.ok()) << "refused " << target << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : WebTarget{};
}

std::string refusal(std::string_view target) {
    auto r = parse_target(target);
    EXPECT_FALSE(r.ok()) << "accepted " << target << " as " << (r.ok() ? r->path : "");
    return r.ok() ? std::string() : r.error().message;
}

TEST(WebRequest, SplitsThePathIntoSegments) {
    const WebTarget t = parsed("/api/orders/SO-1");
    EXPECT_EQ(t.path, "/api/orders/SO-1");
    EXPECT_EQ(t.segments, (std::vector<std::string>{"api", "orders", "SO-1"}));
    EXPECT_TRUE(t.query.empty());
}

TEST(WebRequest, RootHasNoSegments) {
    const WebTarget t = parsed("/");
    EXPECT_EQ(t.path, "/");
    EXPECT_TRUE(t.segments.empty());
    EXPECT_EQ(parsed("/?a=1").path, "/");
}

TEST(WebRequest, EmptySegmentsAndATrailingSlashAreDropped) {
    const WebTarget t = parsed("//station//pack1/");
    EXPECT_EQ(t.segments, (std::vector<std::string>{"station", "pack1"}));
    EXPECT_EQ(t.path, "/station/pack1");
}

TEST(WebRequest, PercentEscapesAreDecodedInSegments) {
    const WebTarget t = parsed("/api/orders/SO%2D1/caf%C3%A9%20noir");
    EXPECT_EQ(t.segments, (std::vector<std::string>{"api", "orders", "SO-1", "café noir"}));
    EXPECT_EQ(t.path, "/api/orders/SO-1/café noir");
}

TEST(WebRequest, PlusIsASpaceInTheQueryOnly) {
    const WebTarget t = parsed("/lookup/a+b?q=red+shoe&r=%2B1");
    EXPECT_EQ(t.segments, (std::vector<std::string>{"lookup", "a+b"}));
    EXPECT_EQ(t.query.at("q"), "red shoe");
    EXPECT_EQ(t.query.at("r"), "+1");
}

TEST(WebRequest, QueryParametersAreDecodedAndTheLastValueWins) {
    const WebTarget t = parsed("/api/orders?limit=5&state=open&limit=7&flag&&empty=&n%61me=v%41");
    EXPECT_EQ(t.query.at("limit"), "7");
    EXPECT_EQ(t.query.at("state"), "open");
    EXPECT_EQ(t.query.at("flag"), "");
    EXPECT_EQ(t.query.at("empty"), "");
    EXPECT_EQ(t.query.at("name"), "vA");
    EXPECT_EQ(t.query.size(), 5u);
}

TEST(WebRequest, AFragmentIsNotPartOfTheQuery) {
    const WebTarget t = parsed("/station/pack1?mode=pack#top");
    EXPECT_EQ(t.query.at("mode"), "pack");
    EXPECT_EQ(t.query.size(), 1u);
}

TEST(WebRequest, ATargetMustStartWithASlash) {
    EXPECT_NE(refusal("").find("'/'"), std::string::npos);
    EXPECT_NE(refusal("api/orders").find("'/'"), std::string::npos);
    EXPECT_NE(refusal("http://evil.example/api").find("'/'"), std::string::npos);
    refusal("*");
}

TEST(WebRequest, BadEscapesAreRefused) {
    refusal("/a%");
    refusal("/a%4");
    refusal("/a%4g");
    refusal("/a%zz/b");
    refusal("/a?q=%");
    refusal("/a?q=%4");
    refusal("/a?q%G1=1");
}

TEST(WebRequest, ControlBytesAreRefusedRawOrEncoded) {
    refusal(std::string_view("/a\0b", 4));
    refusal("/a%00b");
    refusal("/a%0Ab");
    refusal("/a%0d%0aSet-Cookie:x");
    refusal("/a%7F");
    refusal("/a?q=%00");
    refusal("/a?q=1%0A2");
    refusal("/a?%09=1");
    refusal("/a%C2%85");  // NEL, a C1 control
    refusal("/a?q=%C2%9B");
}

TEST(WebRequest, BytesThatAreNotUtf8OnceDecodedAreRefused) {
    refusal("/a%FF");
    refusal("/a%C3");         // a lead byte without its continuation
    refusal("/a%C0%AF");      // an overlong '/'
    refusal("/a%ED%A0%80");   // a UTF-16 surrogate
    refusal("/a?q=%E9t%E9");  // Latin-1
    refusal("/\xff");
}

TEST(WebRequest, DotSegmentsAreRefusedRawOrEncoded) {
    for (const char* target : {"/.", "/..", "/a/./b", "/a/../b", "/assets/..", "/%2e", "/%2e%2e",
                               "/a/%2E%2E/b", "/.%2e", "/%2e."}) {
        const std::string e = refusal(target);
        EXPECT_NE(e.find("\"..\""), std::string::npos) << target << ": " << e;
    }
    EXPECT_EQ(parsed("/a/.b/..c/...").segments, (std::vector<std::string>{"a", ".b", "..c", "..."}));
}

TEST(WebRequest, AnEncodedSlashInsideASegmentIsRefused) {
    refusal("/api/orders/a%2Fb");
    refusal("/api/orders/a%2fb");
    refusal("/%2F%2Fevil.example");
    EXPECT_EQ(parsed("/lookup?code=a%2Fb").query.at("code"), "a/b");
}

TEST(WebRequest, AtMostSixteenSegments) {
    std::string sixteen;
    for (int i = 0; i < 16; ++i) {
        sixteen += "/s" + std::to_string(i);
    }
    EXPECT_EQ(parsed(sixteen).segments.size(), 16u);
    EXPECT_NE(refusal(sixteen + "/s16").find("16 segments"), std::string::npos);
    EXPECT_EQ(parsed(sixteen + "//").segments.size(), 16u);
}

TEST(WebRequest, AtMostThirtyTwoParameters) {
    std::string query = "/a?";
    for (int i = 0; i < 32; ++i) {
        query += "p" + std::to_string(i) + "=1&";
    }
    EXPECT_EQ(parsed(query).query.size(), 32u);
    EXPECT_NE(refusal(query + "p32=1").find("32 query parameters"), std::string::npos);
    // Repeating one name still counts: the limit is on the work, not on the map.
    std::string repeated = "/a?";
    for (int i = 0; i < 33; ++i) {
        repeated += "x=1&";
    }
    refusal(repeated);
}

TEST(WebRequest, PercentDecode) {
    EXPECT_EQ(percent_decode("", false), "");
    EXPECT_EQ(percent_decode("abc", false), "abc");
    EXPECT_EQ(percent_decode("%41%62%2b", false), "Ab+");
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("%2B", true), "+");
    EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'))
        << "bytes are decoded; refusing is parse_target's";
    EXPECT_EQ(percent_decode("%e9", false), "\xe9");
    EXPECT_EQ(percent_decode("%", false), std::nullopt);
    EXPECT_EQ(percent_decode("%4", false), std::nullopt);
    EXPECT_EQ(percent_decode("ab%4", false), std::nullopt);
    EXPECT_EQ(percent_decode("%g0", false), std::nullopt);
    EXPECT_EQ(percent_decode("%0g", false), std::nullopt);
    EXPECT_EQ(percent_decode("%%41", false), std::nullopt);
    EXPECT_EQ(percent_decode("100%25", false), "100%");
}

TEST(WebRequest, CookieValue) {
    EXPECT_EQ(cookie_value("packd_token=abc", "packd_token"), "abc");
    EXPECT_EQ(cookie_value("a=1; packd_token=abc; b=2", "packd_token"), "abc");
    EXPECT_EQ(cookie_value("a=1;packd_token=abc", "packd_token"), "abc");
    EXPECT_EQ(cookie_value("a=1; b=2", "packd_token"), "");
    EXPECT_EQ(cookie_value("", "packd_token"), "");
    EXPECT_EQ(cookie_value("xpackd_token=abc; packd_token_old=d", "packd_token"), "")
        << "a name is matched whole, not as a prefix or suffix";
    EXPECT_EQ(cookie_value("packd_token", "packd_token"), "") << "a cookie without '=' has no value";
    EXPECT_EQ(cookie_value("packd_token=a=b", "packd_token"), "a=b");
    EXPECT_EQ(cookie_value("packd_token=first; packd_token=second", "packd_token"), "first");
}

}  // namespace
}  // namespace packd::web
