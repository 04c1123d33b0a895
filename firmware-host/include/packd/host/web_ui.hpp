#pragma once
// packd's web UI (docs/web.md): the station screens, the device page and the lookup page, the JSON API under
// /api/ and the live event streams the screens follow. Each API route is answered by the admin verb packctl
// sends for the same question, through the same router, so the socket and the API share one implementation
// of each query. Runs on the io_context like everything else; a label preview is drawn on the previews'
// own thread and answered when it is ready.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "packd/common/result.hpp"
#include "packd/host/admin_router.hpp"
#include "packd/host/config.hpp"
#include "packd/web/web_server.hpp"

namespace packd::host {

class WebUi : public web::WebApp {
  public:
    /// What the UI asks the rest of packd; each runs on the io_context.
    struct Parts {
        /// An admin verb through the router, its follow-ups done: what packctl would get.
        std::function<nlohmann::json(const nlohmann::json& request)> run_verb;
        /// One station's screen (WebUi::station_screen's shape), or nothing for an unknown station.
        std::function<std::optional<nlohmann::json>(const std::string& station)> station_screen;
        /// The device page: every device, the broker link, queues, version and uptime.
        std::function<nlohmann::json()> devices;
        /// The PNG preview of print job `job`, handed to `done` on the io_context.
        std::function<void(int64_t job, std::function<void(Result<std::string> png)> done)> preview;
    };

    WebUi(boost::asio::io_context& io, const WebConfig& config, Parts parts);
    ~WebUi() override;
    WebUi(const WebUi&) = delete;
    WebUi& operator=(const WebUi&) = delete;

    /// Reads the credentials file (off loopback) and binds; the problem in an admin's words.
    Status open();
    void start();
    void close();
    int port() const { return server_ ? server_->port() : 0; }

    /// A station's screen changed: its open screens get the new snapshot.
    void station_changed(const std::string& station);
    /// A new reading of a scale a station weighs on: its screens get it, at most every 50 ms.
    void weight_changed(const std::string& station);
    /// A device or a queue changed: the device pages and the stations' screens get a new snapshot.
    void devices_changed();
    /// True when a screen follows the station (a snapshot is worth building).
    bool watched(const std::string& station);

    void handle(const web::WebRequest& request, web::Respond respond) override;

  private:
    void api(const web::WebRequest& request, web::Respond& respond);
    void page(const web::WebRequest& request, web::Respond& respond);
    void stream(const web::WebRequest& request, web::Respond& respond);
    void label_png(const std::string& file, web::Respond& respond);
    /// The verb's answer as the API's: 200 when ok, else `refused` with the same body.
    web::WebResponse verb(const nlohmann::json& request, unsigned refused = 400);
    /// The station's screen with its reply number, as a stream, a push and the API send it.
    std::optional<nlohmann::json> screen_of(const std::string& station);
    void push_station(const std::string& station);

    boost::asio::io_context& io_;
    WebConfig config_;
    Parts parts_;
    std::unique_ptr<web::WebServer> server_;
    /// Per station: when its last weight event went, and the timer of one waiting to go.
    struct WeightPush {
        std::chrono::steady_clock::time_point last{};
        std::unique_ptr<boost::asio::steady_timer> timer;
        bool waiting = false;
    };
    std::map<std::string, WeightPush> weight_pushes_;
    std::uint64_t sequence_ = 0;
    /// Replies per station since start: a screen sounds its beep when the number grows.
    std::map<std::string, std::uint64_t> replies_;
    /// The last frame each station's screens got, without its sequence number.
    std::map<std::string, std::string> last_screens_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::host
