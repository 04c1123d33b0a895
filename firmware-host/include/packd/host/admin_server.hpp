#pragma once
// The admin socket packctl talks to: a local UNIX stream socket, mode 0660, group packd.
// Protocol: one JSON object per line each way ({"cmd":"status"} -> {"ok":true,...}).

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "packd/common/result.hpp"

namespace packd::host {

class AdminServer {
  public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;

    AdminServer(boost::asio::io_context& io, std::string path, std::string group);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    /// Binds the socket. Refuses when another packd answers on it; removes a stale one.
    Status open();
    void start(Handler handler);
    /// Stops accepting; connections in progress finish their request.
    void close();
    const std::string& path() const { return path_; }

  private:
    class Session;
    void accept();

    boost::asio::io_context& io_;
    std::string path_;
    std::string group_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    Handler handler_;
    bool bound_ = false;
};

}  // namespace packd::host
