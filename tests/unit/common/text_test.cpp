#include <gtest/gtest.h>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"

namespace packd {
namespace {

TEST(Text, Utf8Validation) {
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("Müller Łódź 東京 \xF0\x9F\x93\xA6"));
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong slash
    EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated three-byte form
    EXPECT_FALSE(is_valid_utf8("a\x80z"));            // lone continuation byte
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // U+D800, a UTF-16 surrogate
    EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // U+DFFF
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong three-byte slash
    EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // overlong four-byte slash
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000, past the last code point
    EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));       // U+D7FF, just below the surrogates
    EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));       // U+E000, just above them
    EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));       // U+0800, the first three-byte code point
    EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));   // U+10000
    EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
}

TEST(Text, PrintableKeepsUtf8AndReplacesControlsAndBrokenBytes) {
    EXPECT_EQ(printable("Müller 東京"), "Müller 東京");
    EXPECT_EQ(printable("a\x01"
                        "b\x7f\nc"),
              "a?b??c");
    EXPECT_EQ(printable("x\xff\xfey"), "x??y");
    EXPECT_EQ(printable("\xC2\x85 next line"), "? next line");  // U+0085 is a C1 control
    EXPECT_EQ(printable("cut \xE6\x9D"), "cut ??");
    EXPECT_TRUE(is_valid_utf8(printable("\xF0\x9F\x93")));
    EXPECT_EQ(printable("a\xED\xA0\x80z"), "a???z");  // a surrogate is no character to show
    EXPECT_EQ(printable("\xED\x9F\xBF"), "\xED\x9F\xBF");
}

TEST(Text, Base64MatchesRfc4648Vectors) {
    // RFC 4648 section 10 test vectors.
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string("\xff\x00\x80", 3)), "/wCA");
}

TEST(Text, Base64DecodesRfc4648VectorsAndRefusesBadText) {
    for (const std::string& plain : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                             std::string("\xff\x00\x80", 3)}) {
        auto back = base64_decode(base64_encode(plain));
        ASSERT_TRUE(back) << plain << ": " << back.error().message;
        EXPECT_EQ(*back, plain);
    }
    auto wrapped = base64_decode("Zm9v\r\nYmFy\n");
    ASSERT_TRUE(wrapped);
    EXPECT_EQ(*wrapped, "foobar");
    for (const char* bad : {"Zm9", "Zm9v!", "Z===", "Zg==Zm8=", "Zg=a", "Zm 9v", "=Zm9"}) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
}

TEST(Log, LevelsParse) {
    log::Level l = log::Level::info;
    EXPECT_TRUE(log::parse_level("debug", l));
    EXPECT_EQ(l, log::Level::debug);
    EXPECT_FALSE(log::parse_level("verbose", l));
    EXPECT_EQ(l, log::Level::debug);
}

}  // namespace
}  // namespace packd
