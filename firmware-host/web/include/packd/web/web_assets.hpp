#pragma once
// The pages, scripts and styles of the web UI, compiled into packd from firmware-host/web/assets.

#include <optional>
#include <string_view>

namespace packd::web {

struct WebAsset {
    std::string_view content_type;
    std::string_view body;
};

/// The asset served at `path` ("/station.js"), or nothing.
std::optional<WebAsset> find_web_asset(std::string_view path);

}  // namespace packd::web
