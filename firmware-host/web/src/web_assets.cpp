#include "packd/web/web_assets.hpp"

#include "web_assets_table.hpp"

namespace packd::web {

std::optional<WebAsset> find_web_asset(std::string_view path) {
    for (const assets::Asset& a : assets::table()) {
        if (a.path == path) {
            return WebAsset{a.content_type, a.body};
        }
    }
    return std::nullopt;
}

}  // namespace packd::web
