#pragma once
// packd's web UI server: HTTP/1.1 on the io_context (Boost.Beast), no thread of its own. It reads one
// request at a time per connection within size and time limits, checks the Host, the credentials and the
// CSRF token (web_access.hpp), and hands the request to the WebApp, which answers now or later; an answer
// may open a server-sent event stream instead, fed by the LiveFeed. Every answer carries a
// Content-Security-Policy and no CORS header.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/web/live_feed.hpp"
#include "packd/web/web_access.hpp"
#include "packd/web/web_request.hpp"

namespace packd::web {

struct WebResponse {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// Non-empty: open an event stream on this LiveFeed channel; `body` is its first events.
    std::string stream_channel;
};

/// An error answer: {"ok":false,"error":message}.
WebResponse error_response(unsigned status, const std::string& message);

using Respond = std::function<void(WebResponse)>;

/// What the server serves; called on the io_context.
class WebApp {
  public:
    virtual ~WebApp() = default;
    /// Answers `request` by calling `respond` exactly once, now or later on the io_context.
    virtual void handle(const WebRequest& request, Respond respond) = 0;
};

struct WebServerSettings {
    std::string address = "127.0.0.1";
    int port = 8080;  ///< 0: any free port (tests)
    int max_connections = 64;
};

class WebServer {
  public:
    WebServer(boost::asio::io_context& io, WebServerSettings settings, WebAccess access, WebApp& app);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    /// Binds and listens; the problem in an admin's words when the address cannot be had.
    Status open();
    void start();
    /// Stops accepting and closes every connection.
    void close();

    LiveFeed& feed() { return feed_; }
    /// The port bound (the chosen one when the settings asked for 0).
    int port() const;
    const WebAccess& access() const { return access_; }

    struct Shared;  ///< what sessions share with the server; outlives neither

  private:
    void accept();
    void beat();

    WebServerSettings settings_;
    WebAccess access_;
    LiveFeed feed_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer heartbeat_;
    std::shared_ptr<Shared> shared_;
};

}  // namespace packd::web
