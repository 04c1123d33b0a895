// [site], [daemon] and [broker]: what this box is, where it keeps its state, and the broker it talks to.

#include "config_reader.hpp"

namespace packd::host::config_detail {

void read_site(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "site", problems), "site", 1, problems);
    auto& s = cfg.site;
    r.text("id", s.id, true, [](const std::string& v) {
        return is_name(v) ? "" : "a site id of letters, digits, '-' and '_' (it becomes part of MQTT topics)";
    });
    r.text("name", s.name, false);
    r.text("company", s.company, false);
    r.text("street1", s.street1, false);
    r.text("street2", s.street2, false);
    r.text("city", s.city, false);
    r.text("region", s.region, false);
    r.text("postal_code", s.postal_code, false);
    r.text("country", s.country, false);
    r.finish();
}

void read_daemon(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "daemon", problems), "daemon", 1, problems);
    auto& d = cfg.daemon;
    r.text("state_dir", d.state_dir, false, absolute_path);
    r.text("admin_socket", d.admin_socket, false, [](const std::string& v) {
        if (!absolute_path(v).empty()) {
            return std::string("an absolute path");
        }
        // sockaddr_un holds 108 bytes including the terminating zero.
        return v.size() < 108 ? std::string() : std::string("a path shorter than 108 bytes");
    });
    r.text("admin_group", d.admin_group, false);
    r.text("log_level", d.log_level, false, [](const std::string& v) {
        return one_of(v, {"error", "warning", "notice", "info", "debug"});
    });
    r.finish();
}

void read_broker(const toml::table& root, Config& cfg, Problems& problems) {
    TableReader r(section(root, "broker", problems), "broker", 1, problems);
    auto& b = cfg.broker;
    r.text("host", b.host, false);
    r.integer("port", b.port, 1, 65535);
    r.text("client_id", b.client_id, false,
           [](const std::string& v) { return v.size() <= 128 ? "" : "a client id of at most 128 bytes"; });
    r.text("topic_prefix", b.topic_prefix, false, [](const std::string& v) {
        return is_topic_prefix(v) ? ""
                                  : "a topic prefix without '+', '#', empty levels or a leading/trailing '/'";
    });
    r.text("username", b.username, false);
    r.text("password_file", b.password_file, false, optional_absolute_path);
    r.boolean("tls", b.tls);
    r.text("ca_file", b.ca_file, false, optional_absolute_path);
    r.text("cert_file", b.cert_file, false, optional_absolute_path);
    r.text("key_file", b.key_file, false, optional_absolute_path);
    r.integer("keepalive_s", b.keepalive_s, 5, 3600);
    r.integer("max_payload_bytes", b.max_payload_bytes, 1024, 64 * 1024 * 1024);
    r.integer("reconnect_min_ms", b.reconnect_min_ms, 100, 600000);
    r.integer("reconnect_max_ms", b.reconnect_max_ms, 100, 3600000);
    r.text("shared_group", b.shared_group, false, [](const std::string& v) {
        return v.empty() || is_name(v) ? "" : "a group name of letters, digits, '-' and '_'";
    });
    if (b.reconnect_max_ms < b.reconnect_min_ms) {
        problems.add(r.line(), "broker.reconnect_max_ms",
                     "expected a value at least reconnect_min_ms (" + std::to_string(b.reconnect_min_ms) +
                         "), found " + std::to_string(b.reconnect_max_ms));
    }
    if (b.host.empty()) {
        problems.add(r.line(), "broker.host", "expected a host name or address, found \"\"");
    }
    if (b.cert_file.empty() != b.key_file.empty()) {
        problems.add(r.line(), "broker.cert_file",
                     "expected cert_file and key_file together, found only one of them");
    }
    if (!b.tls && (!b.ca_file.empty() || !b.cert_file.empty())) {
        problems.add(r.line(), "broker.tls",
                     "expected tls = true when ca_file or cert_file is set, found false");
    }
    r.finish();
}

}  // namespace packd::host::config_detail
