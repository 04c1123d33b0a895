#pragma once
// packctl's side of the admin socket: one request, one answer, with a time limit.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "packd/common/result.hpp"

namespace packd::host {

Result<nlohmann::json> admin_request(const std::string& socket_path, const nlohmann::json& request,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace packd::host
