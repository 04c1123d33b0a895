#include "fast_path_printer.hpp"

#include <array>
#include <boost/asio/write.hpp>

namespace packd::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// ~HS: string 1 (communication settings, paper out, pause, label length, formats in buffer, ...), string 2
// (function settings, head up, ribbon out, ...), string 3 (password, static RAM); all healthy, nothing
// buffered. The same fields as tests/support/zpl_printer_emulator.cpp answers.
constexpr std::string_view kHealthyHs =
    "\x02"
    "030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02"
    "000,0,0,0,0,2,6,0,00000000,1,000\x03\r\n\x02"
    "1234,0\x03\r\n";
constexpr std::string_view kHealthyHqes =
    "\x02\r\nPRINTER STATUS\r\n   ERRORS:         0 00000000 00000000\r\n"
    "   WARNINGS:       0 00000000 00000000\r\n\x03\r\n";

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

/// ^FH_ field data: _XX is the byte 0xXX (ZPL II Programming Guide, ^FH).
std::string unhex(std::string_view data) {
    std::string out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '_' && i + 2 < data.size() && hex_digit(data[i + 1]) >= 0 &&
            hex_digit(data[i + 2]) >= 0) {
            out += static_cast<char>(hex_digit(data[i + 1]) * 16 + hex_digit(data[i + 2]));
            i += 2;
        } else {
            out += data[i];
        }
    }
    return out;
}

bool is_bench_order_id(std::string_view text) {
    if (text.size() != 13 || text.front() != '7') {
        return false;
    }
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string order_id_in_format(std::string_view format) {
    std::size_t pos = 0;
    while ((pos = format.find("^FD", pos)) != std::string_view::npos) {
        pos += 3;
        const std::size_t end = format.find('^', pos);
        const std::string data = unhex(format.substr(pos, end == std::string_view::npos ? end : end - pos));
        if (is_bench_order_id(data)) {
            return data;
        }
    }
    return {};
}

struct BenchPrinter::Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::array<char, 65536> chunk{};
    std::string pending;  // bytes not yet understood
};

BenchPrinter::BenchPrinter() : work_(io_.get_executor()), acceptor_(io_) {
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
}

BenchPrinter::~BenchPrinter() {
    io_.stop();
    thread_.join();
}

void BenchPrinter::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec) {
            return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        {
            std::lock_guard lock(mutex_);
            ++connections_;
        }
        serve(std::make_shared<Connection>(std::move(socket)));
        accept();
    });
}

void BenchPrinter::serve(const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(asio::buffer(c->chunk),
                              [this, c](const boost::system::error_code& ec, std::size_t n) {
                                  if (!ec) {
                                      take(c, n, Clock::now());
                                  }
                              });
}

void BenchPrinter::take(const std::shared_ptr<Connection>& c, std::size_t n, Clock::time_point at) {
    std::string reply;
    std::string& p = c->pending;
    p.append(c->chunk.data(), n);
    std::size_t pos = 0;
    std::vector<Label> arrived;
    while (pos < p.size()) {
        const std::size_t command = p.find_first_of("^~", pos);
        if (command == std::string::npos) {
            pos = p.size();  // white space and noise between formats
            break;
        }
        pos = command;
        if (p.size() - pos < 3) {
            break;
        }
        const std::string_view head(p.data() + pos, 3);
        if (head == "~HQ") {
            if (p.size() - pos < 5) {
                break;
            }
            if (p.compare(pos, 5, "~HQES") == 0) {
                reply += kHealthyHqes;
            }
            pos += 5;
        } else if (head == "~HS") {
            reply += kHealthyHs;
            pos += 3;
            std::lock_guard lock(mutex_);
            ++status_queries_;
        } else if (head == "^XA") {
            const std::size_t end = p.find("^XZ", pos + 3);
            if (end == std::string::npos) {
                break;  // the rest of the format is still on its way
            }
            const std::string_view format(p.data() + pos, end + 3 - pos);
            arrived.push_back({order_id_in_format(format), at});
            {
                std::lock_guard lock(mutex_);
                if (first_format_.empty()) {
                    first_format_ = format;
                }
            }
            pos = end + 3;
        } else {
            pos += 1;
        }
    }
    p.erase(0, pos);
    if (!arrived.empty()) {
        std::lock_guard lock(mutex_);
        labels_.insert(labels_.end(), arrived.begin(), arrived.end());
    }
    if (reply.empty()) {
        serve(c);
        return;
    }
    auto data = std::make_shared<std::string>(std::move(reply));
    asio::async_write(c->socket, asio::buffer(*data),
                      [this, c, data](const boost::system::error_code& ec, std::size_t) {
                          if (!ec) {
                              serve(c);
                          }
                      });
}

std::size_t BenchPrinter::count() const {
    std::lock_guard lock(mutex_);
    return labels_.size();
}

std::vector<BenchPrinter::Label> BenchPrinter::labels(std::size_t from) const {
    std::lock_guard lock(mutex_);
    if (from >= labels_.size()) {
        return {};
    }
    return {labels_.begin() + static_cast<std::ptrdiff_t>(from), labels_.end()};
}

int BenchPrinter::status_queries() const {
    std::lock_guard lock(mutex_);
    return status_queries_;
}

int BenchPrinter::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::string BenchPrinter::first_format() const {
    std::lock_guard lock(mutex_);
    return first_format_;
}

}  // namespace packd::bench
