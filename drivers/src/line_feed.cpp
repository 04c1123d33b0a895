#include "packd/drivers/line_feed.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>

namespace packd::drivers {

void LineSplitter::feed(std::string_view bytes, const std::function<void(Result<std::string>)>& emit) {
    for (char c : bytes) {
        if (c == '\n') {
            if (overlong_) {
                emit(fail("line longer than " + std::to_string(max_line_) + " bytes, discarded"));
            } else {
                if (!partial_.empty() && partial_.back() == '\r') {
                    partial_.pop_back();
                }
                emit(std::move(partial_));
            }
            partial_.clear();
            overlong_ = false;
            continue;
        }
        if (overlong_) {
            continue;
        }
        if (partial_.size() >= max_line_) {
            overlong_ = true;
            partial_.clear();
            continue;
        }
        partial_ += c;
    }
}

FifoLineFeed::FifoLineFeed(boost::asio::io_context& io, std::string path, size_t max_line)
    : pipe_(io), path_(std::move(path)), splitter_(max_line) {}

FifoLineFeed::~FifoLineFeed() {
    alive_.end();
    close();
}

Status FifoLineFeed::open() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) {
        if (!S_ISFIFO(st.st_mode)) {
            return fail(path_ + " exists and is not a FIFO");
        }
    } else if (errno == ENOENT) {
        if (::mkfifo(path_.c_str(), 0660) != 0) {
            return fail("cannot create FIFO " + path_ + ": " + std::strerror(errno));
        }
    } else {
        return fail("cannot stat " + path_ + ": " + std::strerror(errno));
    }
    int fd = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return fail("cannot open FIFO " + path_ + ": " + std::strerror(errno));
    }
    boost::system::error_code ec;
    pipe_.assign(fd, ec);
    if (ec) {
        ::close(fd);
        return fail("cannot watch FIFO " + path_ + ": " + ec.message());
    }
    return {};
}

void FifoLineFeed::start(LineHandler handler) {
    handler_ = std::move(handler);
    read_more();
}

void FifoLineFeed::close() {
    boost::system::error_code ec;
    pipe_.close(ec);
}

void FifoLineFeed::read_more() {
    if (!pipe_.is_open()) {
        return;
    }
    pipe_.async_read_some(boost::asio::buffer(buffer_),
                          [this, alive = alive_.token()](const boost::system::error_code& ec, size_t n) {
                              if (!alive || ec == boost::asio::error::operation_aborted) {
                                  return;
                              }
                              if (ec) {
                                  handler_(fail("reading " + path_ + " failed: " + ec.message()));
                                  return;
                              }
                              splitter_.feed(std::string_view(buffer_.data(), n), handler_);
                              read_more();
                          });
}

}  // namespace packd::drivers
