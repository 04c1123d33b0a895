#include "zpl_printer_emulator.hpp"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <future>
#include <thread>

namespace packd::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ZplPrinterEmulator::Connection {
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::array<char, 4096> chunk{};
    std::string pending;  // bytes not yet understood
};

ZplPrinterEmulator::ZplPrinterEmulator(int port) : work_(io_.get_executor()), acceptor_(io_) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
}

ZplPrinterEmulator::~ZplPrinterEmulator() {
    io_.stop();
    thread_.join();
}

void ZplPrinterEmulator::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec) {
            return;  // closed by set_online(false)
        }
        auto c = std::make_shared<Connection>(std::move(socket));
        connections_.push_back(c);
        {
            std::lock_guard lock(mutex_);
            ++accepted_;
        }
        serve(c);
        accept();
    });
}

void ZplPrinterEmulator::serve(const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(asio::buffer(c->chunk),
                              [this, c](const boost::system::error_code& ec, std::size_t n) {
                                  if (ec) {
                                      return;
                                  }
                                  take(c, n);
                              });
}

void ZplPrinterEmulator::take(const std::shared_ptr<Connection>& c, std::size_t n) {
    std::string reply;
    bool close = false;
    {
        std::lock_guard lock(mutex_);
        c->pending.append(c->chunk.data(), n);
        if (const std::size_t start = c->pending.find("^XA");
            close_armed_ && start != std::string::npos && c->pending.size() - start >= close_after_) {
            close_armed_ = false;
            close = true;  // the half-received format is lost, as on a real printer
        }
        while (!close) {
            std::string& p = c->pending;
            const std::size_t command = p.find_first_of("^~");
            if (command == std::string::npos) {
                p.clear();  // white space and noise between formats
                break;
            }
            p.erase(0, command);
            if (p.size() < 3) {
                break;
            }
            if (p.compare(0, 3, "~HQ") == 0) {
                if (p.size() < 5) {
                    break;
                }
                if (p.compare(0, 5, "~HQES") == 0) {
                    ++hqes_queries_;
                    if (answer_ == Answer::status) {
                        reply += hqes_answer();
                    } else if (answer_ == Answer::garbage) {
                        reply += "HELLO FROM A SERIAL BRIDGE\r\n";
                    }
                }
                p.erase(0, 5);
            } else if (p.compare(0, 3, "~HS") == 0) {
                ++status_queries_;
                p.erase(0, 3);
                const bool hides =
                    fault_ == Fault::paper_out || fault_ == Fault::ribbon_out || fault_ == Fault::head_open;
                if (hs_silent_in_fault_ && hides) {
                    // no answer at all
                } else if (answer_ == Answer::status) {
                    reply += status_answer();
                } else if (answer_ == Answer::garbage) {
                    reply += "HELLO FROM A SERIAL BRIDGE\r\n";
                }
            } else if (p.compare(0, 3, "~JA") == 0) {
                buffer_.clear();
                p.erase(0, 3);
            } else if (p.compare(0, 3, "^XA") == 0) {
                const std::size_t end = p.find("^XZ", 3);
                if (end == std::string::npos) {
                    break;  // the rest of the format is still on its way
                }
                buffer_.push_back(p.substr(0, end + 3));
                p.erase(0, end + 3);
                ++formats_received_;
                if (next_fault_ != Fault::none) {
                    if (formats_before_fault_ > 0) {
                        --formats_before_fault_;
                    } else {
                        fault_ = next_fault_;
                        next_fault_ = Fault::none;
                    }
                }
                if (fault_ == Fault::none) {
                    print_buffered();
                }
                if (silence_armed_) {
                    silence_armed_ = false;
                    answer_ = Answer::silent;  // the status queries after this format go unanswered
                }
            } else {
                p.erase(0, 1);
            }
        }
    }
    if (close) {
        boost::system::error_code ignored;
        c->socket.close(ignored);
        return;
    }
    if (reply.empty()) {
        serve(c);
        return;
    }
    auto data = std::make_shared<std::string>(std::move(reply));
    auto write = [this, c, data] {
        asio::async_write(c->socket, asio::buffer(*data),
                          [this, c, data](const boost::system::error_code& ec, std::size_t) {
                              if (!ec) {
                                  serve(c);
                              }
                          });
    };
    std::chrono::milliseconds delay{};
    {
        std::lock_guard lock(mutex_);
        delay = answer_delay_;
    }
    if (delay.count() == 0) {
        write();
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io_, delay);
    timer->async_wait([timer, write](const boost::system::error_code&) { write(); });
}

std::string ZplPrinterEmulator::status_answer() const {
    const auto flag = [](bool on) { return on ? "1" : "0"; };
    const std::string formats = std::to_string(1000 + buffer_.size()).substr(1);  // eee: three digits
    return std::string("\x02") + "030," + flag(fault_ == Fault::paper_out) + "," +
           flag(fault_ == Fault::paused) + ",1218," + formats + ",0,0,0,000,0,0,0\x03\r\n" + "\x02" +
           "000,0," + flag(fault_ == Fault::head_open) + "," + flag(fault_ == Fault::ribbon_out) +
           ",0,2,6,0,00000000,1,000\x03\r\n" + "\x02" + "1234,0\x03\r\n";
}

std::string ZplPrinterEmulator::hqes_answer() const {
    // Error flags group 1 as the guide's ~HQ "Error Flags" table numbers them.
    unsigned bits = 0;
    switch (fault_) {
        case Fault::paper_out:
            bits = 0x1;
            break;
        case Fault::ribbon_out:
            bits = 0x2;
            break;
        case Fault::head_open:
            bits = 0x4;
            break;
        case Fault::cutter:
            bits = 0x8;
            break;
        case Fault::none:
        case Fault::paused:  // packd reads paused from ~HS only
            break;
    }
    char errors[32];
    std::snprintf(errors, sizeof errors, "%u 00000000 %08X", bits != 0 ? 1U : 0U, bits);
    return std::string("\x02\r\nPRINTER STATUS\r\n   ERRORS:         ") + errors +
           "\r\n   WARNINGS:       0 00000000 00000000\r\n\x03\r\n";
}

void ZplPrinterEmulator::print_buffered() {
    while (!buffer_.empty()) {
        printed_.push_back(std::move(buffer_.front()));
        buffer_.pop_front();
    }
}

void ZplPrinterEmulator::set_fault(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = fault;
    if (fault_ == Fault::none) {
        print_buffered();
    }
}

void ZplPrinterEmulator::fault_on_next_format(Fault fault) {
    fault_after_formats(0, fault);
}

void ZplPrinterEmulator::fault_after_formats(std::size_t formats, Fault fault) {
    std::lock_guard lock(mutex_);
    next_fault_ = fault;
    formats_before_fault_ = formats;
}

void ZplPrinterEmulator::set_answer_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    answer_delay_ = delay;
}

std::size_t ZplPrinterEmulator::formats_received() const {
    std::lock_guard lock(mutex_);
    return formats_received_;
}

int ZplPrinterEmulator::connections() const {
    std::lock_guard lock(mutex_);
    return accepted_;
}

void ZplPrinterEmulator::set_answer(Answer answer) {
    std::lock_guard lock(mutex_);
    answer_ = answer;
    silence_armed_ = false;
}

void ZplPrinterEmulator::silent_after_next_format() {
    std::lock_guard lock(mutex_);
    silence_armed_ = true;
}

void ZplPrinterEmulator::close_mid_job_after(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    close_after_ = bytes;
    close_armed_ = true;
}

bool ZplPrinterEmulator::bind_port() {
    boost::system::error_code ec;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_));
    acceptor_.close(ec);
    acceptor_.open(endpoint.protocol(), ec);
    acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    return !ec;
}

void ZplPrinterEmulator::set_online(bool online) {
    std::promise<void> done;
    asio::dispatch(io_, [&] {
        boost::system::error_code ignored;
        if (!online && listening_) {
            acceptor_.close(ignored);
            for (auto& weak : connections_) {
                if (auto c = weak.lock()) {
                    c->socket.close(ignored);
                }
            }
            connections_.clear();
            // The port stays bound, not listening (a connection is refused, as by a host whose printer is
            // off): a closed port could be handed out meanwhile as the local end of some outgoing connection,
            // and the printer could not come back on it.
            reserved_ = bind_port();
            listening_ = false;
        } else if (online && !listening_) {
            // Without the reservation the port may be taken for a moment by someone's outgoing connection.
            for (int attempt = 0; !reserved_ && attempt < 250; ++attempt) {
                reserved_ = bind_port();
                if (!reserved_) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            }
            boost::system::error_code ec;
            if (reserved_) {
                acceptor_.listen(asio::socket_base::max_listen_connections, ec);
            }
            if (reserved_ && !ec) {
                listening_ = true;
                accept();
            }
        }
        done.set_value();
    });
    done.get_future().wait();
}

std::vector<std::string> ZplPrinterEmulator::printed() const {
    std::lock_guard lock(mutex_);
    return printed_;
}

std::size_t ZplPrinterEmulator::buffered() const {
    std::lock_guard lock(mutex_);
    return buffer_.size();
}

int ZplPrinterEmulator::hqes_queries() const {
    std::lock_guard lock(mutex_);
    return hqes_queries_;
}

void ZplPrinterEmulator::set_hs_silent_in_fault(bool silent) {
    std::lock_guard lock(mutex_);
    hs_silent_in_fault_ = silent;
}

int ZplPrinterEmulator::status_queries() const {
    std::lock_guard lock(mutex_);
    return status_queries_;
}

}  // namespace packd::test
