#pragma once
// Lines of text from a named pipe, for the simulated scale and scanner: `echo 1250 > scale.fifo`.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/reconnecting.hpp"

namespace packd::drivers {

/// Splits a byte stream into lines; a line longer than the limit is reported, not kept.
class LineSplitter {
  public:
    explicit LineSplitter(size_t max_line) : max_line_(max_line) {}
    /// Feeds bytes; calls `emit` for each complete line (without "\n" or "\r\n").
    void feed(std::string_view bytes, const std::function<void(Result<std::string>)>& emit);

  private:
    size_t max_line_;
    std::string partial_;
    bool overlong_ = false;
};

/// Reads lines from a FIFO on the io_context. Opens the FIFO read-write so that writers coming
/// and going never produce end-of-file.
class FifoLineFeed {
  public:
    using LineHandler = std::function<void(Result<std::string>)>;

    FifoLineFeed(boost::asio::io_context& io, std::string path, size_t max_line = 4096);
    ~FifoLineFeed();
    FifoLineFeed(const FifoLineFeed&) = delete;
    FifoLineFeed& operator=(const FifoLineFeed&) = delete;

    /// Creates the FIFO when missing; refuses a path that exists and is not a FIFO.
    Status open();
    void start(LineHandler handler);
    void close();
    const std::string& path() const { return path_; }

  private:
    void read_more();

    boost::asio::posix::stream_descriptor pipe_;
    std::string path_;
    LineSplitter splitter_;
    LineHandler handler_;
    std::array<char, 1024> buffer_{};
    Liveness alive_;
};

}  // namespace packd::drivers
