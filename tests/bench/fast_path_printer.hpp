#pragma once
// A ZPL label printer on a loopback TCP port, written for the fast path benchmark (the tests' emulator in
// tests/support/ keeps every format and does fault play; this one only times). It answers ~HS with a healthy
// three-string status (formats in buffer 0; ZPL II Programming Guide, ~HS) and ~HQES with no errors, takes
// ^XA...^XZ formats on any number of connections and notes, for each, the steady-clock time its last byte
// was read and the order id its field data carries.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_machine.hpp"

namespace packd::bench {

/// The order id a format carries: the first ^FD field whose data (after ^FH hex escapes) is a bench order id
/// (13 digits starting with 7, see fast_path_load.hpp); empty when there is none.
std::string order_id_in_format(std::string_view format);

class BenchPrinter {
  public:
    /// One format as it arrived.
    struct Label {
        std::string order_id;  ///< empty: no bench order id in it
        Clock::time_point at;  ///< when its ^XZ was read
    };

    BenchPrinter();
    ~BenchPrinter();
    BenchPrinter(const BenchPrinter&) = delete;
    BenchPrinter& operator=(const BenchPrinter&) = delete;

    int port() const { return port_; }
    std::size_t count() const;
    /// The formats from index `from` on.
    std::vector<Label> labels(std::size_t from = 0) const;
    int status_queries() const;
    int connections() const;
    /// The first format received, as it came (for the report when no order id was found).
    std::string first_format() const;

  private:
    struct Connection;
    void accept();
    void serve(const std::shared_ptr<Connection>& c);
    void take(const std::shared_ptr<Connection>& c, std::size_t n, Clock::time_point at);

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::ip::tcp::acceptor acceptor_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<Label> labels_;
    std::string first_format_;
    int status_queries_ = 0;
    int connections_ = 0;
    std::thread thread_;
};

}  // namespace packd::bench
