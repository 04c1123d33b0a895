#include "packd/host/admin_server.hpp"

#include <filesystem>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

#include "packd/common/log.hpp"

namespace packd::host {

using boost::asio::local::stream_protocol;

namespace {
// Stock and catalogue imports travel as one request.
constexpr size_t kMaxRequest = 32 * 1024 * 1024;
}  // namespace

/// One packctl connection: reads request lines and answers each.
class AdminServer::Session : public std::enable_shared_from_this<Session> {
  public:
    Session(stream_protocol::socket socket, Handler& handler)
        : socket_(std::move(socket)), handler_(handler), buffer_(kMaxRequest) {}

    void read() {
        auto self = shared_from_this();
        boost::asio::async_read_until(
            socket_, buffer_, '\n', [self](const boost::system::error_code& ec, size_t n) {
                if (ec == boost::asio::error::not_found) {
                    self->reply({{"ok", false}, {"error", "request longer than 32 MiB"}}, false);
                    return;
                }
                if (ec) {
                    return;  // packctl went away
                }
                std::string line(
                    boost::asio::buffers_begin(self->buffer_.data()),
                    boost::asio::buffers_begin(self->buffer_.data()) + static_cast<std::ptrdiff_t>(n));
                self->buffer_.consume(n);
                nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
                if (request.is_discarded() || !request.is_object()) {
                    self->reply({{"ok", false}, {"error", "request is not a JSON object"}}, true);
                    return;
                }
                nlohmann::json response;
                try {
                    response = self->handler_(request);
                } catch (const std::exception& e) {
                    response = {{"ok", false}, {"error", std::string("internal error: ") + e.what()}};
                }
                self->reply(response, true);
            });
    }

  private:
    void reply(const nlohmann::json& response, bool keep_reading) {
        auto out = std::make_shared<std::string>(
            response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        auto self = shared_from_this();
        boost::asio::async_write(socket_, boost::asio::buffer(*out),
                                 [self, out, keep_reading](const boost::system::error_code& ec, size_t) {
                                     if (!ec && keep_reading) {
                                         self->read();
                                     }
                                 });
    }

    stream_protocol::socket socket_;
    Handler& handler_;
    boost::asio::streambuf buffer_;
};

AdminServer::AdminServer(boost::asio::io_context& io, std::string path, std::string group)
    : io_(io), path_(std::move(path)), group_(std::move(group)), acceptor_(io) {}

AdminServer::~AdminServer() {
    close();
}

Status AdminServer::open() {
    // Its folder is made if missing (outside systemd, which makes /run/packd with RuntimeDirectory=).
    std::error_code made;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), made);
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return fail("admin socket " + path_ +
                        ": exists and is not a socket; remove it or set daemon.admin_socket");
        }
        stream_protocol::socket probe(io_);
        boost::system::error_code ec;
        probe.connect(stream_protocol::endpoint(path_), ec);
        if (!ec) {
            return fail("admin socket " + path_ + ": another packd is running there (stop it first)");
        }
        ::unlink(path_.c_str());  // left behind by a packd that did not shut down
    }
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    if (!ec) {
        // The socket appears with the umask's mode; tighten it before anyone can connect.
        const mode_t old = ::umask(0117);
        acceptor_.bind(stream_protocol::endpoint(path_), ec);
        ::umask(old);
    }
    if (!ec) {
        acceptor_.listen(16, ec);
    }
    if (ec) {
        return fail("admin socket " + path_ + ": " + ec.message());
    }
    bound_ = true;
    if (::chmod(path_.c_str(), 0660) != 0) {
        return fail("admin socket " + path_ + ": chmod: " + std::strerror(errno));
    }
    if (!group_.empty()) {
        struct group* g = ::getgrnam(group_.c_str());
        if (g == nullptr) {
            return fail("admin socket " + path_ + ": group '" + group_ +
                        "' does not exist (daemon.admin_group)");
        }
        if (::chown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
            return fail("admin socket " + path_ + ": cannot give it to group '" + group_ +
                        "': " + std::strerror(errno));
        }
    }
    return {};
}

void AdminServer::start(Handler handler) {
    handler_ = std::move(handler);
    accept();
}

void AdminServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, stream_protocol::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) {
            return;
        }
        if (!ec) {
            std::make_shared<Session>(std::move(socket), handler_)->read();
        } else {
            log::warning("admin socket: accept: " + ec.message());
        }
        accept();
    });
}

void AdminServer::close() {
    boost::system::error_code ec;
    if (acceptor_.is_open()) {
        acceptor_.close(ec);
    }
    if (bound_) {
        ::unlink(path_.c_str());
        bound_ = false;
    }
}

}  // namespace packd::host
