// Raw TCP to a ZPL printer: one connection per job; what is said on it is zpl_job.cpp.

#include "packd/drivers/tcp_zpl_printer.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace packd::drivers {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// Connects, then is the channel the checked job talks over. The job owns it once connected.
struct TcpZplPrinter::Exchange final : ZplChannel, std::enable_shared_from_this<TcpZplPrinter::Exchange> {
    Exchange(asio::io_context& io, std::string printer, TcpPrinterSettings settings,
             std::shared_ptr<DeviceStatus> status, std::string zpl, std::size_t formats,
             std::function<void(PrintOutcome)> done)
        : io_(io),
          printer_(std::move(printer)),
          settings_(std::move(settings)),
          status_(std::move(status)),
          zpl_(std::move(zpl)),
          formats_(formats),
          done_(std::move(done)),
          socket_(io),
          resolver_(io),
          connect_timer_(io) {}

    void run() {
        auto self = shared_from_this();
        connect_timer_.expires_after(settings_.connect_timeout);
        connect_timer_.async_wait([self](const boost::system::error_code& ec) {
            if (!ec) {
                self->unreachable("no connection within " +
                                  std::to_string(self->settings_.connect_timeout.count()) + " ms");
            }
        });
        resolver_.async_resolve(
            settings_.host, std::to_string(settings_.port),
            [self](const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
                if (self->connect_over_) {
                    return;
                }
                if (ec) {
                    self->unreachable("cannot resolve " + self->settings_.host + ": " + ec.message());
                    return;
                }
                asio::async_connect(
                    self->socket_, r,
                    [self](const boost::system::error_code& e, const tcp::endpoint&) { self->connected(e); });
            });
    }

    void abandon() {
        if (auto job = job_.lock()) {
            job->abandon();
            return;
        }
        done_ = nullptr;
        unreachable("abandoned");
    }

    bool finished() const {
        if (auto job = job_.lock()) {
            return job->finished();
        }
        return connect_over_;
    }

    void write(std::string_view bytes, std::function<void(Status)> done) override {
        asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                          [done = std::move(done)](const boost::system::error_code& ec, std::size_t) {
                              done(ec ? fail(closed(ec)) : Status{});
                          });
    }

    void read_some(std::function<void(Result<std::string>)> done) override {
        auto self = shared_from_this();
        socket_.async_read_some(
            asio::buffer(chunk_),
            [self, done = std::move(done)](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    done(fail(closed(ec)));
                    return;
                }
                done(std::string(self->chunk_.data(), n));
            });
    }

    void cancel() override {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    bool readable() const override { return true; }

    BeforeSend before_send_;  // handed to the job once connected

    bool input_waiting() override {
        boost::system::error_code ec;
        return socket_.available(ec) > 0 && !ec;
    }

  private:
    static std::string closed(const boost::system::error_code& ec) {
        return "the printer closed the connection (" + ec.message() + ")";
    }

    void connected(const boost::system::error_code& ec) {
        if (connect_over_) {
            return;
        }
        if (ec) {
            unreachable("cannot connect to " + endpoint() + ": " + ec.message());
            return;
        }
        connect_over_ = true;
        connect_timer_.cancel();
        // The job and the ~HS after it are two small writes in a row: without this, Nagle's algorithm holds
        // the ~HS back until the printer's delayed ACK of the job, about 40 ms on Linux.
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        ZplJobSettings job;
        job.status_timeout = settings_.status_timeout;
        job.job_timeout = settings_.job_timeout;
        job.poll_interval = settings_.poll_interval;
        job.query = settings_.query;
        auto checked = std::make_shared<ZplCheckedJob>(io_, printer_, job, shared_from_this(), status_,
                                                       std::move(zpl_), formats_, std::move(done_));
        checked->set_before_send(std::move(before_send_));
        job_ = checked;
        checked->run();
    }

    void unreachable(const std::string& why) {
        if (connect_over_) {
            return;
        }
        connect_over_ = true;
        connect_timer_.cancel();
        resolver_.cancel();
        cancel();
        *status_ = {DeviceState::offline, why};
        if (done_) {
            asio::post(io_, [done = std::move(done_), why = "printer " + printer_ + ": " + why]() {
                done(PrintOutcome{fail(why), 0, 0});
            });
        }
    }

    std::string endpoint() const { return settings_.host + ":" + std::to_string(settings_.port); }

    asio::io_context& io_;
    std::string printer_;
    TcpPrinterSettings settings_;
    std::shared_ptr<DeviceStatus> status_;
    std::string zpl_;
    std::size_t formats_;
    std::function<void(PrintOutcome)> done_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    asio::steady_timer connect_timer_;
    std::array<char, 512> chunk_{};
    std::weak_ptr<ZplCheckedJob> job_;
    bool connect_over_ = false;
};

TcpZplPrinter::TcpZplPrinter(asio::io_context& io, std::string name, TcpPrinterSettings settings)
    : io_(io),
      name_(std::move(name)),
      settings_(std::move(settings)),
      status_(std::make_shared<DeviceStatus>(
          DeviceStatus{DeviceState::offline,
                       "not contacted yet (" + settings_.host + ":" + std::to_string(settings_.port) + ")"})),
      push_(io) {
    push_.update(*status_);
}

TcpZplPrinter::~TcpZplPrinter() {
    alive_.end();
    if (auto current = current_.lock()) {
        current->abandon();
    }
}

void TcpZplPrinter::start(std::string zpl, std::size_t formats, BeforeSend before_send,
                          std::function<void(PrintOutcome)> done) {
    if (auto current = current_.lock(); current && !current->finished()) {
        asio::post(io_, [done = std::move(done), n = name_]() {
            done(PrintOutcome{fail("printer " + n + " is busy with a job"), 0, 0});
        });
        return;
    }
    // A connection per job: its status checks are what change the printer's status, pushed when it ends.
    auto finished = [this, alive = alive_.token(), done = std::move(done)](PrintOutcome outcome) {
        if (alive) {
            push_.update(*status_);
        }
        done(std::move(outcome));
    };
    auto exchange = std::make_shared<Exchange>(io_, name_, settings_, status_, std::move(zpl), formats,
                                               std::move(finished));
    exchange->before_send_ = std::move(before_send);
    current_ = exchange;
    exchange->run();
}

void TcpZplPrinter::print(const PrintJob& job, std::function<void(Status)> done) {
    print_batch({job}, [done = std::move(done)](PrintOutcome outcome) { done(std::move(outcome.status)); });
}

void TcpZplPrinter::print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                                std::function<void(PrintOutcome)> done) {
    std::string zpl;
    for (const auto& job : jobs) {
        if (job.zpl.empty()) {
            asio::post(io_, [done = std::move(done), id = job.id]() {
                done(PrintOutcome{fail("job " + id + " has no ZPL"), 0, 0});
            });
            return;
        }
        zpl += job.zpl;
    }
    if (jobs.empty()) {
        asio::post(io_, [done = std::move(done)]() { done(PrintOutcome{}); });
        return;
    }
    start(std::move(zpl), jobs.size(), std::move(before_send), std::move(done));
}

void TcpZplPrinter::query_status(std::function<void(Status)> done) {
    start({}, 0, nullptr,
          [done = std::move(done)](PrintOutcome outcome) { done(std::move(outcome.status)); });
}

}  // namespace packd::drivers
