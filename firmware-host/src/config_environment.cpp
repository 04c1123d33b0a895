// What a config names outside itself, checked the same way by `packd --check-config` and by packd's start,
// so that a config the check approves is one packd starts with. Nothing here creates or changes anything.

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "packd/fulfillment/labels/label_template.hpp"
#include "packd/fulfillment/store/schema.hpp"
#include "packd/host/config.hpp"
#include "packd/host/label_commands.hpp"
#include "packd/web/web_access.hpp"

namespace packd::host {
namespace {

namespace fs = std::filesystem;

class Checks {
  public:
    explicit Checks(const Config& config) : config_(config) {}

    void add(const std::string& key, std::string message) {
        problems_.push_back({config_.path, config_.line_of(key), key, std::move(message)});
    }

    /// A file packd reads at start: it must exist and be readable by whoever runs this check.
    void readable(const std::string& key, const std::string& path) {
        if (path.empty()) {
            return;
        }
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            add(key, "expected a readable file, found " + path + ": " + std::strerror(errno));
        }
    }

    /// A folder packd writes in. One it creates when missing (`created`) needs its nearest existing
    /// parent to be a writable folder; otherwise the folder itself must exist and be writable.
    void writable_folder(const std::string& key, const fs::path& folder, const std::string& what,
                         bool created) {
        std::error_code ec;
        fs::path existing = folder;
        while (created && !existing.empty() && !fs::exists(existing, ec)) {
            existing = existing.parent_path();
        }
        if (!created && !fs::exists(existing, ec)) {
            add(key, "expected " + what + ", found no folder " + folder.string() +
                         " (create it, or let systemd "
                         "create it: RuntimeDirectory=, systemd/packd.tmpfiles)");
            return;
        }
        if (existing.empty()) {
            add(key,
                "expected " + what + " packd can create, found no existing folder above " + folder.string());
            return;
        }
        if (!fs::is_directory(existing, ec)) {
            add(key, "expected " + what + " packd can create, found " + existing.string() +
                         ", which is not a folder");
            return;
        }
        if (::access(existing.c_str(), W_OK | X_OK) != 0) {
            add(key, "expected " + what + " packd can write, found " + existing.string() +
                         " not writable: " + std::strerror(errno) + " (fix its owner or choose another)");
        }
    }

    /// An existing store must be a database of a schema this packd knows; it is opened read-only.
    void store(const fs::path& file) {
        std::error_code ec;
        if (!fs::exists(file, ec)) {
            return;  // a new box: packd creates it
        }
        sqlite3* db = nullptr;
        const int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        std::string problem;
        if (rc != SQLITE_OK) {
            problem = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        } else {
            sqlite3_stmt* st = nullptr;
            if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK ||
                sqlite3_step(st) != SQLITE_ROW) {
                problem = std::string("not a packd store: ") + sqlite3_errmsg(db);
            } else if (const int version = sqlite3_column_int(st, 0); version > fulfillment::kSchemaVersion) {
                problem = "schema version " + std::to_string(version) +
                          ", written by a newer packd (this one knows up to " +
                          std::to_string(fulfillment::kSchemaVersion) +
                          "); install that packd version again or restore a backup";
            }
            sqlite3_finalize(st);
        }
        sqlite3_close(db);
        if (!problem.empty()) {
            add("daemon.state_dir",
                "expected a store packd can open, found " + file.string() + ": " + problem);
        }
    }

    std::vector<ConfigProblem> take() { return std::move(problems_); }

  private:
    const Config& config_;
    std::vector<ConfigProblem> problems_;
};

}  // namespace

std::vector<ConfigProblem> environment_problems(const Config& config) {
    Checks checks(config);
    const fs::path state(config.daemon.state_dir);
    checks.writable_folder("daemon.state_dir", state, "a state folder", true);
    checks.store(state / "packd.db");
    checks.writable_folder("daemon.admin_socket", fs::path(config.daemon.admin_socket).parent_path(),
                           "a folder for the admin socket", true);
    checks.readable("broker.password_file", config.broker.password_file);
    if (config.broker.tls) {
        checks.readable("broker.ca_file", config.broker.ca_file);
        checks.readable("broker.cert_file", config.broker.cert_file);
        checks.readable("broker.key_file", config.broker.key_file);
    }
    if (config.web.enabled && !config.web.credentials_file.empty()) {
        if (auto credentials = web::load_credentials(config.web.credentials_file); !credentials) {
            checks.add("web.credentials_file", credentials.error().message);
        }
    }
    // The label templates are part of what a start (and a reload) refuses.
    if (auto loaded = fulfillment::load_label_templates(label_templates_dir(config.devices.labels));
        !loaded) {
        checks.add("labels.templates", "label templates: " + loaded.error().message);
    }
    return checks.take();
}

}  // namespace packd::host
