// Raw TCP to a ZPL printer. ~HS is a control command, so the printer answers it at once even with formats
// waiting in its buffer (ZPL II Programming Guide, "Control Commands" and ~HS). Newer firmware does not
// answer ~HS at all while out of paper or ribbon or with the head open (~HS, note on conditions), so silence
// is reported as that possibility too.

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

struct TcpZplPrinter::Exchange : std::enable_shared_from_this<TcpZplPrinter::Exchange> {
    enum class Step { pre_status, after_status, status_only };

    Exchange(asio::io_context& io, std::string printer, TcpPrinterSettings settings,
             std::shared_ptr<DeviceStatus> status, std::string zpl, std::function<void(Status)> done)
        : io_(io),
          printer_(std::move(printer)),
          settings_(std::move(settings)),
          status_(std::move(status)),
          zpl_(std::move(zpl)),
          done_(std::move(done)),
          socket_(io),
          resolver_(io),
          step_timer_(io),
          job_timer_(io),
          poll_timer_(io) {}

    void run(bool status_only) {
        status_only_ = status_only;
        auto self = shared_from_this();
        job_timer_.expires_after(settings_.job_timeout);
        job_timer_.async_wait([self](const boost::system::error_code& ec) {
            if (!ec) {
                self->expired("the printer did not take the job within " +
                              std::to_string(self->settings_.job_timeout.count()) + " ms");
            }
        });
        arm(settings_.connect_timeout,
            "no connection within " + std::to_string(settings_.connect_timeout.count()) + " ms");
        resolver_.async_resolve(
            settings_.host, std::to_string(settings_.port),
            [self](const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
                if (self->finished_) {
                    return;
                }
                if (ec) {
                    self->fail_with("cannot resolve " + self->settings_.host + ": ", ec);
                    return;
                }
                asio::async_connect(
                    self->socket_, r,
                    [self](const boost::system::error_code& e, const tcp::endpoint&) { self->connected(e); });
            });
    }

    // Closes the connection without reporting: the printer object is going away.
    void abandon() {
        done_ = nullptr;
        finish(fail("abandoned"));
    }

  private:
    void connected(const boost::system::error_code& ec) {
        if (finished_) {
            return;
        }
        if (ec) {
            fail_with("cannot connect to " + endpoint() + ": ", ec);
            return;
        }
        // The job and the ~HS after it are two small writes in a row: without this, Nagle's algorithm holds
        // the ~HS back until the printer's delayed ACK of the job, about 40 ms on Linux.
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        ask_status(status_only_ ? Step::status_only : Step::pre_status);
    }

    void ask_status(Step step) {
        step_ = step;
        rx_.clear();
        arm(settings_.status_timeout,
            "no answer to ~HS within " + std::to_string(settings_.status_timeout.count()) +
                " ms (an older printer is offline; a newer one stays silent while out of paper or ribbon or "
                "with its head open)");
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(kQuery),
                          [self](const boost::system::error_code& ec, std::size_t) {
                              if (self->finished_) {
                                  return;
                              }
                              if (ec) {
                                  self->fail_with("cannot send ~HS to " + self->endpoint() + ": ", ec);
                                  return;
                              }
                              self->read_status();
                          });
    }

    void read_status() {
        auto self = shared_from_this();
        socket_.async_read_some(
            asio::buffer(chunk_), [self](const boost::system::error_code& ec, std::size_t n) {
                if (self->finished_) {
                    return;
                }
                if (ec) {
                    self->fail_with("the printer closed the connection before answering ~HS: ", ec);
                    return;
                }
                self->rx_.append(self->chunk_.data(), n);
                const ZplStatusParse parse = parse_zpl_host_status(self->rx_);
                switch (parse.progress) {
                    case ZplStatusProgress::incomplete:
                        self->read_status();
                        return;
                    case ZplStatusProgress::malformed:
                        *self->status_ = {DeviceState::fault, parse.error};
                        self->finish(fail("printer " + self->printer_ + ": " + parse.error));
                        return;
                    case ZplStatusProgress::complete:
                        self->step_timer_.cancel();
                        self->answered(parse.status);
                        return;
                }
            });
    }

    void answered(const ZplHostStatus& answer) {
        const DeviceStatus seen = device_status(answer);
        *status_ = seen;
        const bool ok = can_print(answer);
        switch (step_) {
            case Step::status_only:
                finish(ok ? Status{} : fail("printer " + printer_ + ": " + seen.detail));
                return;
            case Step::pre_status:
                if (!ok) {
                    finish(fail("printer " + printer_ + ": " + seen.detail + " (nothing was sent)"));
                    return;
                }
                send_job();
                return;
            case Step::after_status:
                if (!ok) {
                    // Formats of ours still in the printer would print when the operator fixes it, and
                    // the retry would print them again: cancel them so the retry is the only copy
                    // (~JA, "Cancel All").
                    if (answer.formats_in_buffer > 0 || answer.partial_format) {
                        cancel_buffered_then_fail("printer " + printer_ + ": " + seen.detail +
                                                  " before the label was printed; it will be sent again");
                    } else {
                        finish(fail("printer " + printer_ + ": " + seen.detail + " after the job"));
                    }
                    return;
                }
                if (answer.formats_in_buffer > 0 || answer.partial_format) {
                    poll_later();
                    return;
                }
                finish({});
                return;
        }
    }

    void send_job() {
        step_timer_.cancel();  // the job timer bounds sending: a large graphic takes a while
        auto self = shared_from_this();
        asio::async_write(
            socket_, asio::buffer(zpl_), [self](const boost::system::error_code& ec, std::size_t) {
                if (self->finished_) {
                    return;
                }
                if (ec) {
                    *self->status_ = {DeviceState::offline, "connection lost while sending a label"};
                    self->fail_with("the printer closed the connection while the label was being sent: ", ec);
                    return;
                }
                self->ask_status(Step::after_status);
            });
    }

    void poll_later() {
        auto self = shared_from_this();
        poll_timer_.expires_after(settings_.poll_interval);
        poll_timer_.async_wait([self](const boost::system::error_code& ec) {
            if (!ec && !self->finished_) {
                self->ask_status(Step::after_status);
            }
        });
    }

    void cancel_buffered_then_fail(std::string why) {
        auto self = shared_from_this();
        arm(settings_.status_timeout, why);
        asio::async_write(
            socket_, asio::buffer(kCancelAll),
            [self, why](const boost::system::error_code&, std::size_t) { self->finish(fail(why)); });
    }

    void arm(std::chrono::milliseconds timeout, std::string why) {
        step_timer_.expires_after(timeout);
        auto self = shared_from_this();
        step_timer_.async_wait([self, why = std::move(why)](const boost::system::error_code& ec) {
            if (!ec) {
                self->expired(why);
            }
        });
    }

    void expired(const std::string& why) {
        if (finished_) {
            return;
        }
        *status_ = {DeviceState::offline, why};
        finish(fail("printer " + printer_ + " at " + endpoint() + ": " + why));
    }

    void fail_with(const std::string& what, const boost::system::error_code& ec) {
        *status_ = {DeviceState::offline, what + ec.message()};
        finish(fail("printer " + printer_ + ": " + what + ec.message()));
    }

    void finish(Status result) {
        if (finished_) {
            return;
        }
        finished_ = true;
        boost::system::error_code ignored;
        step_timer_.cancel();
        job_timer_.cancel();
        poll_timer_.cancel();
        resolver_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
        if (done_) {
            asio::post(io_, [done = std::move(done_), result = std::move(result)]() mutable {
                done(std::move(result));
            });
        }
    }

    std::string endpoint() const { return settings_.host + ":" + std::to_string(settings_.port); }

    static constexpr std::string_view kQuery = "~HS";
    static constexpr std::string_view kCancelAll = "~JA";

    asio::io_context& io_;
    std::string printer_;
    TcpPrinterSettings settings_;
    std::shared_ptr<DeviceStatus> status_;
    std::string zpl_;
    std::function<void(Status)> done_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    asio::steady_timer step_timer_;
    asio::steady_timer job_timer_;
    asio::steady_timer poll_timer_;
    std::array<char, 512> chunk_{};
    std::string rx_;
    Step step_ = Step::pre_status;
    bool status_only_ = false;
    bool finished_ = false;

  public:
    bool finished() const { return finished_; }
};

TcpZplPrinter::TcpZplPrinter(asio::io_context& io, std::string name, TcpPrinterSettings settings)
    : io_(io),
      name_(std::move(name)),
      settings_(std::move(settings)),
      status_(std::make_shared<DeviceStatus>(DeviceStatus{
          DeviceState::offline,
          "not contacted yet (" + settings_.host + ":" + std::to_string(settings_.port) + ")"})) {}

TcpZplPrinter::~TcpZplPrinter() {
    if (current_) {
        current_->abandon();
    }
}

void TcpZplPrinter::start(std::string zpl, std::function<void(Status)> done) {
    if (current_ && !current_->finished()) {
        asio::post(io_, [done = std::move(done), n = name_]() {
            done(fail("printer " + n + " is busy with a job"));
        });
        return;
    }
    const bool status_only = zpl.empty();
    current_ = std::make_shared<Exchange>(io_, name_, settings_, status_, std::move(zpl), std::move(done));
    current_->run(status_only);
}

void TcpZplPrinter::print(const PrintJob& job, std::function<void(Status)> done) {
    if (job.zpl.empty()) {
        asio::post(io_, [done = std::move(done), id = job.id]() { done(fail("job " + id + " has no ZPL")); });
        return;
    }
    start(job.zpl, std::move(done));
}

void TcpZplPrinter::query_status(std::function<void(Status)> done) {
    start({}, std::move(done));
}

}  // namespace packd::drivers
