#include "packd/host/web_ui.hpp"

#include <algorithm>
#include <cctype>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/web/web_assets.hpp"

namespace packd::host {

using nlohmann::json;
using web::WebRequest;
using web::WebResponse;

namespace {

constexpr auto kWeightInterval = std::chrono::milliseconds(50);

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

WebResponse json_response(const json& body, unsigned status = 200) {
    WebResponse r;
    r.status = status;
    r.body = dump(body);
    return r;
}

/// The query parameter, or "".
std::string param(const WebRequest& request, const std::string& name) {
    const auto it = request.target.query.find(name);
    return it == request.target.query.end() ? std::string() : it->second;
}

/// A JSON object body, or nothing (an empty body is an empty object).
std::optional<json> body_object(const WebRequest& request) {
    if (request.body.empty()) {
        return json::object();
    }
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return std::nullopt;
    }
    return body;
}

/// A command word a station's touch button sends: letters, digits, '-' and '_'.
bool is_command_word(const std::string& s) {
    return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

}  // namespace

WebUi::WebUi(boost::asio::io_context& io, const WebConfig& config, Parts parts)
    : io_(io), config_(config), parts_(std::move(parts)) {}

WebUi::~WebUi() {
    *alive_ = false;
    close();
}

Status WebUi::open() {
    std::optional<web::WebCredentials> credentials;
    if (!config_.credentials_file.empty()) {
        auto loaded = web::load_credentials(config_.credentials_file);
        if (!loaded) {
            return fail("web.credentials_file: " + loaded.error().message);
        }
        credentials = std::move(*loaded);
    }
    web::WebServerSettings settings{config_.address, config_.port, config_.max_connections};
    server_ = std::make_unique<web::WebServer>(io_, settings,
                                               web::WebAccess(credentials, web::random_token()), *this);
    return server_->open();
}

void WebUi::start() {
    server_->start();
}

void WebUi::close() {
    if (server_) {
        server_->close();
    }
}

bool WebUi::watched(const std::string& station) {
    return server_ && server_->feed().watchers("station/" + station) > 0;
}

std::optional<json> WebUi::screen_of(const std::string& station) {
    auto screen = parts_.station_screen(station);
    if (screen) {
        (*screen)["reply_number"] = replies_[station];
    }
    return screen;
}

void WebUi::push_station(const std::string& station) {
    auto screen = screen_of(station);
    if (!screen) {
        return;
    }
    // The tick and device changes ask for every followed station: a screen that shows the same as the
    // last frame gets nothing, so ten screens do not all redraw every two seconds.
    std::string same = dump(*screen);
    auto& last = last_screens_[station];
    if (same == last) {
        return;
    }
    last = std::move(same);
    (*screen)["sequence"] = ++sequence_;
    server_->feed().publish("station/" + station, "station", *screen);
}

void WebUi::station_changed(const std::string& station) {
    ++replies_[station];
    if (watched(station)) {
        push_station(station);
    }
}

void WebUi::weight_changed(const std::string& station) {
    if (!watched(station)) {
        return;
    }
    WeightPush& push = weight_pushes_[station];
    if (push.waiting) {
        return;  // the push that waits will carry this reading too
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - push.last >= kWeightInterval) {
        push.last = now;
        push_station(station);
        return;
    }
    if (!push.timer) {
        push.timer = std::make_unique<boost::asio::steady_timer>(io_);
    }
    push.waiting = true;
    push.timer->expires_at(push.last + kWeightInterval);
    push.timer->async_wait([this, station, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive) {
            return;
        }
        WeightPush& p = weight_pushes_[station];
        p.waiting = false;
        p.last = std::chrono::steady_clock::now();
        if (watched(station)) {
            push_station(station);
        }
    });
}

void WebUi::devices_changed() {
    if (!server_) {
        return;
    }
    for (const std::string& channel : server_->feed().channels()) {
        if (channel == "devices") {
            server_->feed().publish(channel, "devices", parts_.devices());
        } else if (channel.rfind("station/", 0) == 0) {
            push_station(channel.substr(8));
        }
    }
}

void WebUi::handle(const WebRequest& request, web::Respond respond) {
    const auto& s = request.target.segments;
    if (!s.empty() && s[0] == "api") {
        api(request, respond);
    } else if (!s.empty() && s[0] == "events") {
        stream(request, respond);
    } else {
        page(request, respond);
    }
}

void WebUi::page(const WebRequest& request, web::Respond& respond) {
    const auto& s = request.target.segments;
    if (request.method != "GET") {
        respond(web::error_response(405, "pages are read with GET"));
        return;
    }
    std::string asset;
    if (s.empty()) {
        asset = "/index.html";
    } else if (s.size() == 2 && s[0] == "station") {
        asset = "/station.html";
    } else if (s.size() == 1 && (s[0] == "devices" || s[0] == "lookup")) {
        asset = "/" + s[0] + ".html";
    } else if (s.size() == 2 && s[0] == "assets") {
        asset = "/" + s[1];
    }
    const auto found = asset.empty() ? std::nullopt : web::find_web_asset(asset);
    if (!found) {
        respond(web::error_response(404, "no such page: " + printable(request.target.path.substr(0, 128))));
        return;
    }
    WebResponse r;
    r.content_type = std::string(found->content_type);
    r.body = std::string(found->body);
    respond(std::move(r));
}

void WebUi::stream(const WebRequest& request, web::Respond& respond) {
    const auto& s = request.target.segments;
    WebResponse r;
    if (s.size() == 2 && s[1] == "devices") {
        r.stream_channel = "devices";
        r.body = web::LiveFeed::frame("devices", parts_.devices());
    } else if (s.size() == 3 && s[1] == "station") {
        auto screen = screen_of(s[2]);
        if (!screen) {
            respond(web::error_response(404, "no station \"" + printable(s[2].substr(0, 64)) + "\""));
            return;
        }
        (*screen)["sequence"] = ++sequence_;
        r.stream_channel = "station/" + s[2];
        r.body = web::LiveFeed::frame("station", *screen);
    } else {
        respond(web::error_response(404, "no such event stream"));
        return;
    }
    respond(std::move(r));
}

WebResponse WebUi::verb(const json& request, unsigned refused) {
    const json answer = parts_.run_verb(request);
    return json_response(answer, answer.value("ok", false) ? 200 : refused);
}

void WebUi::label_png(const std::string& file, web::Respond& respond) {
    int64_t job = 0;
    const std::string digits = file.size() > 4 ? file.substr(0, file.size() - 4) : "";
    if (file.size() <= 4 || file.substr(file.size() - 4) != ".png" || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        respond(web::error_response(404, "a label preview is /api/labels/JOB.png"));
        return;
    }
    job = std::stoll(digits);
    parts_.preview(job, [respond](Result<std::string> png) {
        if (!png) {
            respond(web::error_response(404, png.error().message));
            return;
        }
        WebResponse r;
        r.content_type = "image/png";
        r.body = std::move(*png);
        respond(std::move(r));
    });
}

void WebUi::api(const WebRequest& request, web::Respond& respond) {
    const auto& s = request.target.segments;
    const bool get = request.method == "GET";
    const std::size_t n = s.size();
    const auto name = [&](std::size_t i) { return n > i ? s[i] : std::string(); };
    if (get && n == 2 && s[1] == "session") {
        respond(json_response({{"ok", true},
                               {"csrf", server_->access().csrf()},
                               {"authenticated", server_->access().needs_credentials()}}));
        return;
    }
    if (get && n == 2 && s[1] == "devices") {
        respond(json_response({{"ok", true}, {"devices", parts_.devices()}}));
        return;
    }
    if (get && n == 3 && s[1] == "stations") {
        const auto screen = screen_of(s[2]);
        respond(screen ? json_response({{"ok", true}, {"station", *screen}})
                       : web::error_response(404, "no station \"" + printable(s[2].substr(0, 64)) + "\""));
        return;
    }
    if (get && n == 3 && s[1] == "labels" && s[2] != "uncertain") {
        label_png(s[2], respond);
        return;
    }
    if (!get) {
        const auto body = body_object(request);
        if (!body) {
            respond(web::error_response(400, "the request body is not a JSON object"));
            return;
        }
        if (n == 4 && s[1] == "stations" && s[3] == "command") {
            const std::string word = body->value("word", "");
            if (!is_command_word(word)) {
                respond(web::error_response(400, "a command is a word of letters, digits, '-' and '_'"));
                return;
            }
            respond(verb({{"cmd", "scan"}, {"station", s[2]}, {"data", word}}));
        } else if (n == 4 && s[1] == "scales" && (s[3] == "zero" || s[3] == "tare")) {
            respond(verb({{"cmd", "scale_" + s[3]}, {"name", s[2]}}));
        } else if (n == 4 && s[1] == "printers" && s[3] == "test") {
            respond(verb({{"cmd", "label_test"}, {"printer", s[2]}}));
        } else if (n == 4 && s[1] == "orders" && s[3] == "release") {
            respond(verb({{"cmd", "release"}, {"order", s[2]}, {"operator", "web"}}));
        } else if (n == 4 && s[1] == "orders" && s[3] == "reprint") {
            respond(verb({{"cmd", "reprint"},
                          {"order", s[2]},
                          {"kind", body->value("kind", "")},
                          {"operator", "web"}}));
        } else {
            respond(web::error_response(
                404, "no such API call: POST " + printable(request.target.path.substr(0, 128))));
        }
        return;
    }
    json q;
    unsigned refused = 400;
    const std::string what = name(1);
    if (n == 2 && (what == "status" || what == "orders" || what == "rules" || what == "loop")) {
        q = {{"cmd", what}};
    } else if (n == 2 && what == "stations") {
        q = {{"cmd", "station"}, {"station", ""}};
    } else if (n == 2 && what == "scans") {
        q = {{"cmd", "scans"}};
        if (const std::string station = param(request, "station"); !station.empty()) {
            q["station"] = station;
        }
    } else if (n == 3 && what == "orders") {
        q = {{"cmd", "order"}, {"id", s[2]}};
        refused = 404;
    } else if (n == 2 && what == "stock") {
        q = {{"cmd", "stock"}};
        for (const char* key : {"sku", "location"}) {
            if (const std::string v = param(request, key); !v.empty()) {
                q[key] = v;
            }
        }
    } else if (n == 2 && what == "find") {
        q = {{"cmd", "find"}, {"query", param(request, "q")}};
    } else if (n == 2 && what == "movements") {
        q = {{"cmd", "movements"}};
        for (const char* key : {"sku", "location"}) {
            if (const std::string v = param(request, key); !v.empty()) {
                q[key] = v;
            }
        }
        if (const std::string limit = param(request, "limit"); !limit.empty()) {
            if (limit.size() > 6 || !std::all_of(limit.begin(), limit.end(), ::isdigit)) {
                respond(web::error_response(400, "limit is a number"));
                return;
            }
            q["limit"] = std::stoi(limit);
        }
    } else if ((n == 2 || n == 3) && what == "scales") {
        q = {{"cmd", "scale"}};
        if (n == 3) {
            q["name"] = s[2];
            refused = 404;
        }
    } else if (n == 3 && what == "labels" && s[2] == "uncertain") {
        q = {{"cmd", "labels_uncertain"}};
    } else if (n == 3 && what == "rules" && s[2] == "log") {
        q = {{"cmd", "rules_log"}, {"rule", param(request, "rule")}};
    } else {
        respond(web::error_response(
            404, "no such API call: GET " + printable(request.target.path.substr(0, 128))));
        return;
    }
    respond(verb(q, refused));
}

}  // namespace packd::host
