#include "packd/web/web_server.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"

namespace packd::web {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 64 * 1024;
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(10);
constexpr auto kHeartbeat = std::chrono::seconds(10);
/// An event stream further behind than this is dropped; the browser reconnects to a fresh snapshot.
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;
constexpr std::size_t kMaxQueuedFrames = 512;

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

template <class Fields>
void security_headers(Fields& h) {
    h.set("Content-Security-Policy", kContentSecurityPolicy);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
}

/// A header's value as a std::string ("" when absent).
template <class Request>
std::string header(const Request& req, http::field name) {
    const auto value = req[name];
    return std::string(value.data(), value.size());
}

}  // namespace

WebResponse error_response(unsigned status, const std::string& message) {
    WebResponse r;
    r.status = status;
    r.body = nlohmann::json{{"ok", false}, {"error", message}}.dump(-1, ' ', false,
                                                                    nlohmann::json::error_handler_t::replace);
    return r;
}

struct WebServer::Shared {
    WebAccess* access = nullptr;
    WebApp* app = nullptr;
    LiveFeed* feed = nullptr;
    int connections = 0;
    int max_connections = 64;
    bool open = true;
    /// How to close each open connection, by session number, for close().
    std::map<std::uint64_t, std::function<void()>> closers;
    std::uint64_t next_session = 0;
};

namespace {

/// One browser connection: requests one after another, or, once it asked for one, an event stream.
class Session : public LiveFeed::Subscriber, public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket socket, std::shared_ptr<WebServer::Shared> shared)
        : stream_(std::move(socket)),
          shared_(std::move(shared)),
          write_deadline_(stream_.get_executor()),
          number_(shared_->next_session++) {
        ++shared_->connections;
    }
    ~Session() override {
        --shared_->connections;
        shared_->closers.erase(number_);
    }

    void start() {
        shared_->closers[number_] = [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->shut();
            }
        };
        if (shared_->connections > shared_->max_connections) {
            refuse_busy();
            return;
        }
        read();
    }

    void send(std::shared_ptr<const std::string> frame) override {
        if (closed_) {
            return;
        }
        queued_bytes_ += frame->size();
        queue_.push_back(std::move(frame));
        if (queued_bytes_ > kMaxQueuedBytes || queue_.size() > kMaxQueuedFrames) {
            log::warning("web: an event stream fell behind; closed it (the screen reconnects)");
            shut();
            return;
        }
        write_next();
    }

  private:
    void refuse_busy() {
        WebResponse r = error_response(503, "too many connections to packd's web UI");
        r.headers.emplace_back("Retry-After", "2");
        answer(std::move(r), 11, false);
    }

    void read() {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(kBodyLimit);
        stream_.expires_after(kRequestTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == boost::asio::error::operation_aborted || ec == boost::asio::error::connection_reset) {
            shut();
            return;
        }
        if (ec == http::error::body_limit) {
            answer(error_response(413, "request body larger than 64 KiB"), 11, false);
            return;
        }
        if (ec == http::error::header_limit) {
            answer(error_response(431, "request headers larger than 8 KiB"), 11, false);
            return;
        }
        if (ec) {
            answer(error_response(400, "not an HTTP request packd can read: " + ec.message()), 11, false);
            return;
        }
        handle(parser_->release());
    }

    void handle(http::request<http::string_body> req) {
        if (!shared_->open) {
            shut();
            return;
        }
        const unsigned version = req.version();
        const bool keep = req.keep_alive();
        const std::string host = header(req, http::field::host);
        const WebAccess& access = *shared_->access;
        if (!access.host_allowed(host)) {
            answer(error_response(403, "this web UI answers to localhost only (see [web] address)"), version,
                   false);
            return;
        }
        auto target = parse_target(std::string_view(req.target().data(), req.target().size()));
        if (!target) {
            answer(error_response(400, target.error().message), version, false);
            return;
        }
        const bool post = req.method() == http::verb::post;
        if (req.method() != http::verb::get && !post) {
            WebResponse r = error_response(405, "only GET and POST are answered here");
            r.headers.emplace_back("Allow", "GET, POST");
            answer(std::move(r), version, keep);
            return;
        }
        if (access.needs_credentials()) {
            if (auto token = target->query.find("token"); !post && token != target->query.end()) {
                kiosk_login(*target, token->second, version);
                return;
            }
            const std::string cookies = header(req, http::field::cookie);
            if (!access.authenticated(header(req, http::field::authorization), cookies)) {
                WebResponse r =
                    error_response(401, "packd's web UI needs a token or a user and password here");
                r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"packd\", charset=\"UTF-8\"");
                answer(std::move(r), version, keep);
                return;
            }
        }
        const std::string csrf(req[beast::string_view(kCsrfHeader.data(), kCsrfHeader.size())]);
        if (post && !access.csrf_ok(csrf, header(req, http::field::origin), host)) {
            answer(error_response(403, "the CSRF token is missing or stale: reload the page"), version, keep);
            return;
        }
        WebRequest request;
        request.method = post ? "POST" : "GET";
        request.target = std::move(*target);
        request.body = std::move(req.body());
        request.content_type = std::string(req[http::field::content_type]);
        auto self = shared_from_this();
        shared_->app->handle(
            request, [self, version, keep](WebResponse r) { self->answer(std::move(r), version, keep); });
    }

    /// A kiosk's first visit: the token from the URL into a cookie, and the same page without it.
    void kiosk_login(const WebTarget& target, const std::string& token, unsigned version) {
        if (!shared_->access->token_valid(token)) {
            answer(error_response(401, "the token in the address is not one of packd's"), version, false);
            return;
        }
        WebResponse r;
        r.status = 303;
        r.content_type = "text/plain";
        // The segments were decoded: escape them again, or "/%5Cevil.example" would send the browser to
        // "/\evil.example", which it reads as "//evil.example", another site.
        std::string location;
        for (const std::string& s : target.segments) {
            location += "/" + path_escaped(s);
        }
        std::string query;
        for (const auto& [name, value] : target.query) {
            if (name != "token" && is_safe_word(name) && is_safe_word(value)) {
                query += (query.empty() ? "?" : "&") + name + "=" + value;
            }
        }
        r.headers.emplace_back("Location", (location.empty() ? "/" : location) + query);
        r.headers.emplace_back("Set-Cookie", std::string(kTokenCookie) + "=" + token +
                                                 "; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000");
        answer(std::move(r), version, false);
    }

    /// A decoded segment as it may stand in a path: RFC 3986's pchar kept, every other byte %XX.
    static std::string path_escaped(const std::string& segment) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        static constexpr std::string_view kKept = "-._~!$&'()*+,;=:@";
        std::string out;
        for (const char c : segment) {
            const auto byte = static_cast<unsigned char>(c);
            if (std::isalnum(byte) != 0 || kKept.find(c) != std::string_view::npos) {
                out += c;
            } else {
                out += '%';
                out += kHex[byte >> 4];
                out += kHex[byte & 15];
            }
        }
        return out;
    }

    /// Letters, digits, '-', '_' and '.': what a kiosk URL's other parameters are.
    static bool is_safe_word(const std::string& s) {
        return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    }

    void answer(WebResponse r, unsigned version, bool keep) {
        if (!r.stream_channel.empty()) {
            open_stream(std::move(r));
            return;
        }
        auto res =
            std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
        res->set(http::field::server, "packd");
        res->set(http::field::content_type, r.content_type);
        res->set(http::field::cache_control, "no-store");
        security_headers(*res);
        for (const auto& [name, value] : r.headers) {
            res->set(name, value);
        }
        res->body() = std::move(r.body);
        res->keep_alive(keep);
        res->prepare_payload();
        stream_.expires_after(kWriteTimeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive() || !self->shared_->open) {
                self->shut();
                return;
            }
            self->read();
        });
    }

    void open_stream(WebResponse r) {
        stream_.expires_never();
        http::response<http::empty_body> head(http::status::ok, 11);
        head.set(http::field::server, "packd");
        head.set(http::field::content_type, "text/event-stream; charset=utf-8");
        head.set(http::field::cache_control, "no-store");
        security_headers(head);
        std::ostringstream text;
        text << head.base();
        // The first frames tell the browser to come back a second after the stream ends.
        send(std::make_shared<const std::string>(text.str() + "retry: 1000\n\n" + r.body));
        if (closed_) {
            return;
        }
        shared_->feed->add(r.stream_channel, weak_from_this());
        watch_for_close();
    }

    /// A stream's browser sends nothing more; a read that ends means it went away.
    void watch_for_close() {
        auto self = shared_from_this();
        stream_.socket().async_wait(tcp::socket::wait_read, [self](beast::error_code ec) {
            if (ec) {
                self->shut();
                return;
            }
            char byte = 0;
            beast::error_code read_ec;
            const std::size_t n = self->stream_.socket().read_some(boost::asio::buffer(&byte, 1), read_ec);
            if (read_ec || n == 0) {
                self->shut();
                return;
            }
            self->watch_for_close();
        });
    }

    void write_next() {
        if (writing_ || queue_.empty() || closed_) {
            return;
        }
        writing_ = true;
        auto frame = queue_.front();
        write_deadline_.expires_after(kWriteTimeout);
        write_deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
            if (auto self = weak.lock(); self && !ec) {
                log::warning("web: an event stream took longer than 10 s to take a frame; closed it");
                self->shut();
            }
        });
        boost::asio::async_write(stream_.socket(), boost::asio::buffer(*frame),
                                 [self = shared_from_this(), frame](beast::error_code ec, std::size_t) {
                                     self->write_deadline_.cancel();
                                     self->writing_ = false;
                                     // Closed while this write was done but not yet reported (a burst
                                     // that overflowed the queue, or close()): the queue is already empty.
                                     if (ec || self->closed_) {
                                         self->shut();
                                         return;
                                     }
                                     self->queued_bytes_ -= frame->size();
                                     self->queue_.pop_front();
                                     self->write_next();
                                 });
    }

    void shut() {
        if (closed_) {
            return;
        }
        closed_ = true;
        queue_.clear();
        queued_bytes_ = 0;
        write_deadline_.cancel();
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    std::shared_ptr<WebServer::Shared> shared_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    boost::asio::steady_timer write_deadline_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closed_ = false;
    std::uint64_t number_;
};

}  // namespace

WebServer::WebServer(boost::asio::io_context& io, WebServerSettings settings, WebAccess access, WebApp& app)
    : settings_(std::move(settings)),
      access_(std::move(access)),
      acceptor_(io),
      heartbeat_(io),
      shared_(std::make_shared<Shared>()) {
    shared_->access = &access_;
    shared_->app = &app;
    shared_->feed = &feed_;
    shared_->max_connections = settings_.max_connections;
}

WebServer::~WebServer() {
    close();
}

Status WebServer::open() {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(settings_.address, ec);
    if (ec) {
        return fail("web.address: \"" + printable(settings_.address) + "\" is not an IP address");
    }
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(settings_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor_.listen(64, ec);
    }
    if (ec) {
        return fail("web UI on " + settings_.address + ":" + std::to_string(settings_.port) + ": " +
                    ec.message() + " (another program on that port? set [web] port)");
    }
    return {};
}

int WebServer::port() const {
    boost::system::error_code ec;
    const auto endpoint = acceptor_.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

void WebServer::start() {
    accept();
    beat();
}

void WebServer::beat() {
    heartbeat_.expires_after(kHeartbeat);
    heartbeat_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        feed_.heartbeat();
        beat();
    });
}

void WebServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) {
            return;
        }
        if (!ec) {
            std::make_shared<Session>(std::move(socket), shared_)->start();
        } else {
            log::warning("web: accept: " + ec.message());
        }
        accept();
    });
}

void WebServer::close() {
    shared_->open = false;
    heartbeat_.cancel();
    boost::system::error_code ec;
    if (acceptor_.is_open()) {
        acceptor_.close(ec);
    }
    // Closing a connection can end its session, which leaves the map: close from a copy.
    auto closers = shared_->closers;
    for (auto& [number, shut] : closers) {
        shut();
    }
}

}  // namespace packd::web
