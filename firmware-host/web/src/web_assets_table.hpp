#pragma once
// The table the build generates from assets/ (embed_assets.cmake); private to packd_web.

#include <string_view>
#include <vector>

namespace packd::web::assets {

struct Asset {
    std::string_view path;  ///< "/station.js"
    std::string_view content_type;
    std::string_view body;
};

const std::vector<Asset>& table();

}  // namespace packd::web::assets
