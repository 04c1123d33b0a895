// JSON written from data that came from outside: bytes that are not UTF-8 become U+FFFD instead of throwing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace packd {

inline std::string json_text(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace packd
