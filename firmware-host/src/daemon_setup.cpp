#include "daemon_setup.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace packd::host {
namespace {

Result<std::string> read_secret(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail("broker.password_file " + path + ": cannot read: " + std::strerror(errno));
    }
    std::ostringstream s;
    s << in.rdbuf();
    std::string secret = s.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
        secret.pop_back();
    }
    return secret;
}

}  // namespace

Result<fulfillment::BrokerSettings> broker_settings(const BrokerConfig& b) {
    fulfillment::BrokerSettings broker;
    broker.host = b.host;
    broker.port = b.port;
    broker.client_id = b.client_id;
    broker.username = b.username;
    if (!b.password_file.empty()) {
        auto secret = read_secret(b.password_file);
        if (!secret) {
            return secret.error();
        }
        broker.password = *secret;
    }
    broker.tls = b.tls;
    broker.ca_file = b.ca_file;
    broker.cert_file = b.cert_file;
    broker.key_file = b.key_file;
    broker.keepalive_s = b.keepalive_s;
    broker.reconnect_min = std::chrono::milliseconds(b.reconnect_min_ms);
    broker.reconnect_max = std::chrono::milliseconds(b.reconnect_max_ms);
    broker.shared_group = b.shared_group;
    broker.max_payload_bytes = static_cast<size_t>(b.max_payload_bytes);
    return broker;
}

Result<std::vector<fulfillment::TrackingRange>> tracking_ranges(const Config& config) {
    std::vector<fulfillment::TrackingRange> ranges;
    for (const auto& [name, t] : config.tracking) {
        auto scheme = fulfillment::parse_tracking_scheme(t.scheme);
        if (!scheme) {
            return fail("tracking." + name + ": " + scheme.error().message);
        }
        ranges.push_back({t.carrier, *scheme, t.prefix, t.first, t.last, t.low_water});
    }
    return ranges;
}

Status check_state_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail("state directory " + dir + ": cannot create it: " + ec.message() + " (daemon.state_dir)");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        return fail("state directory " + dir + ": not writable: " + std::strerror(errno) +
                    " (fix its owner or set daemon.state_dir)");
    }
    return {};
}

fulfillment::Address ship_from(const SiteConfig& s) {
    return {s.name, s.company, s.street1, s.street2, s.city, s.region, s.postal_code, s.country};
}

}  // namespace packd::host
