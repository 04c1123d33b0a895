// [web]: where packd serves its station screens, device page and JSON API, and who may use them. A [web]
// section switches the UI on; it listens on loopback unless told otherwise, and any other address needs a
// credentials file (docs/web.md).

#include <arpa/inet.h>

#include "config_reader.hpp"

namespace packd::host::config_detail {
namespace {

std::string ip_address(const std::string& v) {
    unsigned char bytes[16];
    if (::inet_pton(AF_INET, v.c_str(), bytes) == 1 || ::inet_pton(AF_INET6, v.c_str(), bytes) == 1) {
        return {};
    }
    return "an IP address such as \"127.0.0.1\", \"0.0.0.0\" or \"::\"";
}

bool loopback(const std::string& v) {
    return v.rfind("127.", 0) == 0 || v == "::1";
}

}  // namespace

void read_web(const toml::table& root, WebConfig& web, Problems& problems) {
    const toml::table* table = section(root, "web", problems);
    TableReader r(table, "web", 1, problems);
    web.enabled = table != nullptr;
    r.text("address", web.address, false, ip_address);
    r.integer("port", web.port, 1, 65535);
    r.text("credentials_file", web.credentials_file, false, optional_absolute_path);
    r.integer("max_connections", web.max_connections, 4, 1024);
    r.finish();
    if (web.enabled && !loopback(web.address) && web.credentials_file.empty()) {
        problems.add(r.line(), "web.credentials_file",
                     "expected a credentials file (tokens or user:password lines, chmod 600) for a web UI "
                     "on " +
                         web.address + ", found none; or set address = \"127.0.0.1\"");
    }
}

}  // namespace packd::host::config_detail
