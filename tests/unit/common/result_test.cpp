#include "packd/common/result.hpp"

#include <gtest/gtest.h>

namespace packd {
namespace {

TEST(ErrorCodes, EveryCodeHasANameThatReadsBack) {
    for (const ErrorCode code :
         {ErrorCode::failed, ErrorCode::invalid, ErrorCode::not_found, ErrorCode::refused,
          ErrorCode::unavailable, ErrorCode::timed_out, ErrorCode::storage}) {
        const auto back = error_code_named(error_code_name(code));
        ASSERT_TRUE(back) << error_code_name(code);
        EXPECT_EQ(*back, code);
    }
    EXPECT_FALSE(error_code_named("no barcode"));
    EXPECT_FALSE(error_code_named(""));
}

TEST(ErrorCodes, AFailureWithoutACodeIsFailed) {
    const Status plain = fail("the printer is offline");
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().code, ErrorCode::failed);
    const Result<int> coded = fail("no such order", ErrorCode::not_found);
    ASSERT_FALSE(coded);
    EXPECT_EQ(coded.error().code, ErrorCode::not_found);
    EXPECT_EQ(coded.error().message, "no such order");
}

}  // namespace
}  // namespace packd
