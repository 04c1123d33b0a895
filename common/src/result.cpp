#include "packd/common/result.hpp"

#include <array>

namespace packd {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 7> kNames{{
    {ErrorCode::failed, "failed"},
    {ErrorCode::invalid, "invalid"},
    {ErrorCode::not_found, "not_found"},
    {ErrorCode::refused, "refused"},
    {ErrorCode::unavailable, "unavailable"},
    {ErrorCode::timed_out, "timed_out"},
    {ErrorCode::storage, "storage"},
}};

}  // namespace

std::string_view error_code_name(ErrorCode code) {
    for (const auto& [c, name] : kNames) {
        if (c == code) {
            return name;
        }
    }
    return "failed";
}

std::optional<ErrorCode> error_code_named(std::string_view name) {
    for (const auto& [c, n] : kNames) {
        if (n == name) {
            return c;
        }
    }
    return std::nullopt;
}

}  // namespace packd
