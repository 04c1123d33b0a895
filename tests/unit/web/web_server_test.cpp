// packd's web server (firmware-host/web/src/web_server.cpp) on a real loopback socket: a WebServer on its
// own io_context thread, a small WebApp, and a synchronous Boost.Beast client in the test. What is checked
// is what a browser and an attacker see on the wire.

#include "packd/web/web_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "packd/common/text.hpp"

namespace packd::web {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;
using nlohmann::json;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr const char* kToken = "0123456789abcdef-kiosk";

boost::beast::string_view csrf_header() {
    return {kCsrfHeader.data(), kCsrfHeader.size()};
}

/// Answers every path with what it was asked; "/stream" opens an event stream on "devices", "/later"
/// answers from a later turn of the loop.
struct TestApp : WebApp {
    explicit TestApp(boost::asio::io_context& loop) : io(loop) {}
    void handle(const WebRequest& request, Respond respond) override {
        WebResponse r;
        r.body = json{{"ok", true},
                      {"method", request.method},
                      {"path", request.target.path},
                      {"query", request.target.query},
                      {"body", request.body}}
                     .dump();
        if (request.target.path == "/stream") {
            r.stream_channel = "devices";
            r.body = LiveFeed::frame("hello", json{{"n", 0}});
        }
        if (request.target.path == "/later") {
            boost::asio::post(io, [respond, r] { respond(r); });
            return;
        }
        respond(std::move(r));
    }
    boost::asio::io_context& io;
};

/// One connection from a browser that speaks HTTP/1.1 and nothing clever.
class Client {
  public:
    explicit Client(int port) : socket_(io_) {
        socket_.connect(
            tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    }
    void write(Request req) {
        req.prepare_payload();
        http::write(socket_, req);
    }
    void write_raw(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }
    Response read() {
        Response res;
        http::read(socket_, buffer_, res);
        return res;
    }
    /// An event stream's head; what follows it stays for next_event().
    http::response_header<> read_stream_head() {
        http::response_parser<http::empty_body> parser;
        http::read_header(socket_, buffer_, parser);
        return parser.get().base();
    }
    /// The next frame that is an event, past "retry:" lines and heartbeat comments.
    std::string next_event() {
        for (;;) {
            const std::string frame = read_until("\n\n");
            if (frame.rfind("event: ", 0) == 0 && frame.rfind("event: heartbeat\n", 0) != 0) {
                return frame;
            }
        }
    }
    /// True when the server closed the connection (after whatever it still sent).
    bool closed_by_server() {
        boost::beast::error_code ec;
        char chunk[4096];
        while (!ec) {
            socket_.read_some(boost::asio::buffer(chunk), ec);
        }
        return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
    }
    void close() { socket_.close(); }

  private:
    std::string read_until(std::string_view marker) {
        for (;;) {
            const auto data = buffer_.data();
            pending_.append(static_cast<const char*>(data.data()), data.size());
            buffer_.consume(data.size());
            if (const auto at = pending_.find(marker); at != std::string::npos) {
                std::string out = pending_.substr(0, at + marker.size());
                pending_.erase(0, at + marker.size());
                return out;
            }
            char chunk[4096];
            pending_.append(chunk, socket_.read_some(boost::asio::buffer(chunk)));
        }
    }

    boost::asio::io_context io_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::string pending_;
};

class WebServerTest : public ::testing::Test {
  protected:
    /// Runs `f` on the server's thread, as everything touching the server must, and returns its result.
    template <class F>
    auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(io_, [&task] { task(); });
        return result.get();
    }
    /// Polls `condition` on the server's thread until it holds or 10 s have passed.
    template <class F>
    bool eventually(F condition) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            if (on_io(condition)) {
                return true;
            }
            std::this_thread::yield();
        }
        return false;
    }

    void start(std::optional<WebCredentials> credentials = std::nullopt, int max_connections = 64) {
        server_ = std::make_unique<WebServer>(io_, WebServerSettings{"127.0.0.1", 0, max_connections},
                                              WebAccess(std::move(credentials), random_token()), app_);
        ASSERT_TRUE(server_->open().ok());
        server_->start();
        port_ = server_->port();
        ASSERT_GT(port_, 0);
        runner_ = std::thread([this] { io_.run(); });
    }
    void start_guarded() {
        auto credentials = parse_credentials(std::string(kToken) + "\nalice:s3cret\n");
        ASSERT_TRUE(credentials.ok());
        start(*credentials);
    }
    void TearDown() override {
        if (runner_.joinable()) {
            on_io([this] { server_->close(); });
            guard_.reset();
            runner_.join();  // returns once every connection has wound down
        }
    }

    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    Request request(http::verb verb, const std::string& target) const {
        Request req(verb, target, 11);
        req.set(http::field::host, host());
        return req;
    }
    Request post(const std::string& target, const std::string& body) const {
        Request req = request(http::verb::post, target);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        return req;
    }
    std::string csrf() const { return server_->access().csrf(); }
    Response fetch(Request req) {
        Client client(port_);
        client.write(std::move(req));
        return client.read();
    }
    Response get(const std::string& target) { return fetch(request(http::verb::get, target)); }

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_ =
        boost::asio::make_work_guard(io_);
    TestApp app_{io_};
    std::unique_ptr<WebServer> server_;
    std::thread runner_;
    int port_ = 0;
};

TEST_F(WebServerTest, GetIsAnsweredWithSecurityHeadersAndNoCors) {
    start();
    Request req = request(http::verb::get, "/api/orders/SO%2D1?limit=5");
    req.set(http::field::origin, "http://evil.example");
    const Response res = fetch(req);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::field::content_type], "application/json");
    const json body = json::parse(res.body());
    EXPECT_EQ(body["path"], "/api/orders/SO-1");
    EXPECT_EQ(body["query"]["limit"], "5");
    EXPECT_NE(res["Content-Security-Policy"].find("default-src 'none'"), boost::beast::string_view::npos);
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(res.find(http::field::access_control_allow_origin), res.end());
    EXPECT_EQ(res.find(http::field::access_control_allow_credentials), res.end());
}

TEST_F(WebServerTest, KeepAliveAnswersRequestsOneAfterAnother) {
    start();
    Client client(port_);
    client.write(request(http::verb::get, "/one"));
    EXPECT_EQ(json::parse(client.read().body())["path"], "/one");
    client.write(request(http::verb::get, "/later"));
    EXPECT_EQ(json::parse(client.read().body())["path"], "/later")
        << "an answer from a later turn of the loop";
}

TEST_F(WebServerTest, ALoopbackServerRefusesAHostThatIsNotLoopback) {
    start();
    Request req = request(http::verb::get, "/api/status");
    req.set(http::field::host, "rebound.evil.example:" + std::to_string(port_));
    EXPECT_EQ(fetch(req).result_int(), 403u);
    req.set(http::field::host, "localhost:" + std::to_string(port_));
    EXPECT_EQ(fetch(req).result_int(), 200u);
}

TEST_F(WebServerTest, CredentialsAreAskedForAndChecked) {
    start_guarded();
    const Response none = get("/api/status");
    EXPECT_EQ(none.result_int(), 401u);
    EXPECT_EQ(none[http::field::www_authenticate].substr(0, 6), "Basic ");

    Request bearer = request(http::verb::get, "/api/status");
    bearer.set(http::field::authorization, std::string("Bearer ") + kToken);
    bearer.set(http::field::host, "packing-box.local:8080");
    EXPECT_EQ(fetch(bearer).result_int(), 200u) << "with credentials, any Host";

    Request wrong = request(http::verb::get, "/api/status");
    wrong.set(http::field::authorization, "Bearer 0123456789abcdef-kiosK");
    EXPECT_EQ(fetch(wrong).result_int(), 401u);

    Request basic = request(http::verb::get, "/api/status");
    basic.set(http::field::authorization, "Basic " + base64_encode("alice:s3cret"));
    EXPECT_EQ(fetch(basic).result_int(), 200u);
    basic.set(http::field::authorization, "Basic " + base64_encode("alice:guess"));
    EXPECT_EQ(fetch(basic).result_int(), 401u);
}

TEST_F(WebServerTest, AKioskTokenInTheAddressBecomesACookie) {
    start_guarded();
    const Response login = get(std::string("/station/pack1?token=") + kToken + "&mode=pack");
    ASSERT_EQ(login.result_int(), 303u);
    const std::string location(login[http::field::location]);
    EXPECT_EQ(location, "/station/pack1?mode=pack");
    const std::string cookie(login[http::field::set_cookie]);
    EXPECT_EQ(cookie.rfind(std::string("packd_token=") + kToken + ";", 0), 0u) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;

    Request again = request(http::verb::get, location);
    again.set(http::field::cookie, cookie.substr(0, cookie.find(';')));
    const Response page = fetch(again);
    EXPECT_EQ(page.result_int(), 200u);
    EXPECT_EQ(json::parse(page.body())["path"], "/station/pack1");

    EXPECT_EQ(get("/station/pack1?token=not-a-token-of-packd").result_int(), 401u);
}

TEST_F(WebServerTest, TheKioskRedirectStaysOnThisServer) {
    start_guarded();
    // "/\evil.example" is, to a browser, the protocol-relative "//evil.example".
    const Response r = get(std::string("/%5Cevil.example/x%3Fy%20z?token=") + kToken);
    ASSERT_EQ(r.result_int(), 303u);
    EXPECT_EQ(r[http::field::location], "/%5Cevil.example/x%3Fy%20z");
}

TEST_F(WebServerTest, PostNeedsTheCsrfTokenAndItsOwnOrigin) {
    start();
    EXPECT_EQ(fetch(post("/api/verb", "{}")).result_int(), 403u);

    Request with = post("/api/verb", R"({"cmd":"status"})");
    with.set(csrf_header(), csrf());
    const Response ok = fetch(with);
    EXPECT_EQ(ok.result_int(), 200u);
    EXPECT_EQ(json::parse(ok.body())["body"], R"({"cmd":"status"})");

    with.set(http::field::origin, "http://" + host());
    EXPECT_EQ(fetch(with).result_int(), 200u);
    with.set(http::field::origin, "http://evil.example");
    EXPECT_EQ(fetch(with).result_int(), 403u);

    Request stale = post("/api/verb", "{}");
    stale.set(csrf_header(), random_token());
    EXPECT_EQ(fetch(stale).result_int(), 403u);
}

TEST_F(WebServerTest, OnlyGetAndPostAreAnswered) {
    start();
    for (const http::verb verb :
         {http::verb::put, http::verb::delete_, http::verb::options, http::verb::patch}) {
        const Response r = fetch(request(verb, "/api/orders/SO-1"));
        EXPECT_EQ(r.result_int(), 405u) << verb;
        EXPECT_EQ(r[http::field::allow], "GET, POST");
    }
}

TEST_F(WebServerTest, OversizedAndGarbledRequestsAreRefused) {
    start();
    Request big_header = request(http::verb::get, "/");
    big_header.set("X-Fill", std::string(9000, 'a'));
    EXPECT_EQ(fetch(big_header).result_int(), 431u);

    Request fits = post("/api/verb", std::string(64 * 1024, ' '));
    fits.set(csrf_header(), csrf());
    EXPECT_EQ(fetch(fits).result_int(), 200u);
    Request big_body = post("/api/verb", std::string(64 * 1024 + 1, ' '));
    big_body.set(csrf_header(), csrf());
    EXPECT_EQ(fetch(big_body).result_int(), 413u);

    Client garbage(port_);
    garbage.write_raw("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.read().result_int(), 400u);

    EXPECT_EQ(get("/a/../etc/passwd").result_int(), 400u);
}

TEST_F(WebServerTest, AnEventStreamDeliversWhatIsPublishedUntilTheBrowserLeaves) {
    start();
    Client client(port_);
    client.write(request(http::verb::get, "/stream"));
    const http::response_header<> head = client.read_stream_head();
    EXPECT_EQ(head.result_int(), 200u);
    EXPECT_EQ(head[http::field::content_type].substr(0, 17), "text/event-stream");
    EXPECT_NE(head["Content-Security-Policy"], "");
    EXPECT_EQ(client.next_event(), LiveFeed::frame("hello", json{{"n", 0}}));
    EXPECT_EQ(on_io([this] { return server_->feed().watchers("devices"); }), 1u);

    EXPECT_TRUE(on_io([this] { return server_->feed().publish("devices", "update", json{{"n", 1}}); }));
    EXPECT_EQ(client.next_event(), LiveFeed::frame("update", json{{"n", 1}}));

    client.close();
    EXPECT_TRUE(eventually([this] { return server_->feed().watchers("devices") == 0; }));
}

TEST_F(WebServerTest, AStreamThatFallsBehindInOneBurstIsClosed) {
    start();
    Client client(port_);
    client.write(request(http::verb::get, "/stream"));
    client.read_stream_head();
    client.next_event();
    // More frames in one turn of the loop than a stream may queue: the stream closes, the server goes on.
    on_io([this] {
        for (int i = 0; i < 600; ++i) {
            server_->feed().publish("devices", "update", json{{"n", i}});
        }
        return 0;
    });
    EXPECT_TRUE(client.closed_by_server());
    EXPECT_TRUE(eventually([this] { return server_->feed().watchers("devices") == 0; }));
    EXPECT_EQ(get("/after").result_int(), 200u);
}

TEST_F(WebServerTest, CloseEndsOpenStreams) {
    start();
    Client client(port_);
    client.write(request(http::verb::get, "/stream"));
    client.read_stream_head();
    client.next_event();
    on_io([this] {
        server_->feed().publish("devices", "update", json{{"n", 1}});
        server_->close();
        return 0;
    });
    EXPECT_TRUE(client.closed_by_server());
}

TEST_F(WebServerTest, ConnectionsBeyondTheLimitAreTurnedAway) {
    start(std::nullopt, 2);
    Client first(port_);
    Client second(port_);
    Client third(port_);  // accepted after the first two, in the order they connected
    const Response busy = third.read();
    EXPECT_EQ(busy.result_int(), 503u);
    EXPECT_EQ(busy[http::field::retry_after], "2");

    first.close();
    bool answered = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!answered && std::chrono::steady_clock::now() < deadline) {
        const Response r = get("/");
        ASSERT_TRUE(r.result_int() == 200u || r.result_int() == 503u) << r.result_int();
        answered = r.result_int() == 200u;
    }
    EXPECT_TRUE(answered) << "a closed connection frees its place";
}

}  // namespace
}  // namespace packd::web
