#pragma once
// A ZPL label printer on a loopback TCP port, for tests: it answers ~HS with the three strings of the ZPL II
// Programming Guide and ~HQES with its PRINTER STATUS block (~HQ), keeps ^XA...^XZ formats in a buffer while
// it is in a fault (paper out, head open, ...) and "prints" them, in order, otherwise; ~JA empties the
// buffer. It can also answer garbage, stay silent, go silent in the middle of a job, close the connection in
// the middle of a job or stop listening. It runs its own thread; every method is thread-safe.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace packd::test {

class ZplPrinterEmulator {
  public:
    /// cutter: only ~HQES can tell it.
    enum class Fault { none, paper_out, head_open, ribbon_out, paused, cutter };
    enum class Answer { status, garbage, silent };

    /// Listens on 127.0.0.1 at `port`, or a free port when 0.
    explicit ZplPrinterEmulator(int port = 0);
    ~ZplPrinterEmulator();
    ZplPrinterEmulator(const ZplPrinterEmulator&) = delete;
    ZplPrinterEmulator& operator=(const ZplPrinterEmulator&) = delete;

    int port() const { return port_; }

    /// Sets the fault; clearing it prints what waited in the buffer.
    void set_fault(Fault fault);
    void set_answer(Answer answer);
    /// As newer firmware does (~HS, note on conditions): no answer to ~HS while out of paper or ribbon or
    /// with the head open; ~HQES still answers.
    void set_hs_silent_in_fault(bool silent);
    /// The next connection that sends a format is closed after `bytes` bytes of it, and the format is lost.
    void close_mid_job_after(std::size_t bytes);
    /// The fault starts as the next format arrives, before it prints (paper running out mid-run).
    void fault_on_next_format(Fault fault);
    /// The same after `formats` more formats have arrived (and printed): the paper runs out in a batch.
    void fault_after_formats(std::size_t formats, Fault fault);
    /// Once `formats` more formats have arrived (and printed), no status question gets an answer any more
    /// (a printer that takes a label and then stays silent); 0 switches it off.
    void silent_after_formats(std::size_t formats);
    /// The next format arrives and prints, then the printer answers no status query
    /// until set_answer() is called again: a printer that hangs mid-job, so the host cannot know the label
    /// printed. set_answer() before that format arrives calls it off.
    void silent_after_next_format();
    /// Status answers leave this long after their question (a slow printer, a long cable).
    void set_answer_delay(std::chrono::milliseconds delay);
    /// Stops listening and drops every connection (a printer switched off: connections are refused), or
    /// starts again on the same port.
    void set_online(bool online);

    std::vector<std::string> printed() const;  ///< formats printed, in order
    std::size_t buffered() const;              ///< formats waiting in the buffer
    int status_queries() const;                ///< ~HS received
    int hqes_queries() const;                  ///< ~HQES received
    std::size_t formats_received() const;      ///< ^XA...^XZ formats received, printed or not
    int connections() const;                   ///< connections accepted

  private:
    struct Connection;
    void accept();
    void serve(const std::shared_ptr<Connection>& c);
    void take(const std::shared_ptr<Connection>& c, std::size_t n);
    std::string status_answer() const;  // callers hold mutex_
    std::string hqes_answer() const;    // callers hold mutex_
    void print_buffered();              // callers hold mutex_
    bool bind_port();                   // io_ thread only

    boost::asio::io_context io_;
    // Keeps the thread running while switched off, with nothing to accept.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::asio::ip::tcp::acceptor acceptor_;
    int port_ = 0;
    bool listening_ = true;  // io_ thread only
    bool reserved_ = true;   // the port is bound; io_ thread only
    std::vector<std::weak_ptr<Connection>> connections_;
    mutable std::mutex mutex_;
    Fault fault_ = Fault::none;
    Answer answer_ = Answer::status;
    std::size_t close_after_ = 0;
    bool close_armed_ = false;
    Fault next_fault_ = Fault::none;
    std::size_t formats_before_fault_ = 0;
    std::size_t formats_received_ = 0;
    std::size_t formats_before_silence_ = 0;
    bool silence_armed_ = false;
    bool silenced_ = false;
    int accepted_ = 0;
    std::chrono::milliseconds answer_delay_{0};
    std::deque<std::string> buffer_;
    std::vector<std::string> printed_;
    int status_queries_ = 0;
    int hqes_queries_ = 0;
    bool hs_silent_in_fault_ = false;
    std::thread thread_;
};

}  // namespace packd::test
