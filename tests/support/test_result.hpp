#pragma once
// The value of a Result a test needs, or a recorded failure naming the error and an empty value: a store
// read that fails then fails the test at the line that asked, instead of crashing it.

#include <gtest/gtest.h>

#include <utility>

#include "packd/common/result.hpp"

namespace packd::test {

template <class T>
T value_of(Result<T> result) {
    if (!result) {
        ADD_FAILURE() << result.error().message;
        return T{};
    }
    return std::move(result).value();
}

}  // namespace packd::test
