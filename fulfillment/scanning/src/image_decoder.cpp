#include "packd/fulfillment/scanning/image_decoder.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>

#include "decoder_process.hpp"

namespace packd::fulfillment {

ImageDecoder::ImageDecoder(boost::asio::io_context& io, ImageDecoderSettings settings)
    : io_(io), settings_(std::move(settings)) {}

ImageDecoder::~ImageDecoder() {
    *alive_ = false;
    for (auto& [id, child] : running_) {
        if (!child->reaped) {
            // SIGKILL cannot be ignored, so this wait is short.
            ::kill(child->pid, SIGKILL);
            while (::waitpid(child->pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }
}

void ImageDecoder::decode(std::vector<std::uint8_t> image, Done done) {
    if (image.size() > settings_.limits.max_bytes) {
        answer(std::move(done),
               fail("image of " + std::to_string(image.size()) + " bytes is larger than allowed (" +
                    std::to_string(settings_.limits.max_bytes) + ")"));
        return;
    }
    if (waiting_.size() >= settings_.max_waiting) {
        answer(std::move(done), fail("image refused: " + std::to_string(waiting_.size()) +
                                     " images are already waiting to be decoded"));
        return;
    }
    waiting_.push_back({std::move(image), std::move(done)});
    start_next();
}

void ImageDecoder::start_next() {
    while (!waiting_.empty() && running_.size() < std::max<std::size_t>(1, settings_.max_running)) {
        Waiting next = std::move(waiting_.front());
        waiting_.pop_front();
        auto child = detail::spawn_decoder(next.image, settings_.decoder_path, settings_.limits);
        if (!child) {
            answer(std::move(next.done), child.error());
            continue;
        }
        const uint64_t id = next_id_++;
        auto running = std::make_unique<Running>(io_, child->pid);
        running->done = std::move(next.done);
        boost::system::error_code ec;
        running->reply.assign(child->reply_fd, ec);
        if (ec) {
            ::close(child->reply_fd);
            running->reply_ended = true;  // the exit alone tells the outcome; the reply is lost
        }
        running->deadline.expires_after(settings_.limits.timeout);
        running->deadline.async_wait([this, id, alive = alive_](const boost::system::error_code& wait_ec) {
            if (!*alive || wait_ec) {
                return;
            }
            auto it = running_.find(id);
            if (it == running_.end()) {
                return;
            }
            Running& r = *it->second;
            if (!r.reaped) {
                // Its reply no longer matters, and a child of its own may hold the pipe open.
                r.timed_out = true;
                ::kill(r.pid, SIGKILL);
            }
            r.reply_ended = true;
            boost::system::error_code ignored;
            r.reply.close(ignored);
            finish_if_done(id);
        });
        // The raw system call: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child->pid, 0));
        if (pidfd >= 0) {
            running->exit.assign(pidfd, ec);
            if (ec) {
                ::close(pidfd);
            }
        }
        running_.emplace(id, std::move(running));
        if (!running_.at(id)->reply_ended) {
            read_reply(id);
        }
        watch_exit(id);
    }
}

void ImageDecoder::read_reply(uint64_t id) {
    Running& r = *running_.at(id);
    r.reply.async_read_some(boost::asio::buffer(r.buffer),
                            [this, id, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
                                if (!*alive || ec == boost::asio::error::operation_aborted) {
                                    return;
                                }
                                auto it = running_.find(id);
                                if (it == running_.end()) {
                                    return;
                                }
                                Running& child = *it->second;
                                if (ec || n == 0) {
                                    child.reply_ended = true;
                                    finish_if_done(id);
                                    return;
                                }
                                if (child.text.size() < detail::kMaxDecoderReply) {
                                    child.text.append(child.buffer.data(), n);
                                }
                                read_reply(id);
                            });
}

void ImageDecoder::watch_exit(uint64_t id) {
    Running& r = *running_.at(id);
    auto on_exit = [this, id, alive = alive_](const boost::system::error_code& ec) {
        if (!*alive || ec == boost::asio::error::operation_aborted || !running_.count(id)) {
            return;
        }
        if (reap(id)) {
            finish_if_done(id);
        } else {
            watch_exit(id);
        }
    };
    if (r.exit.is_open()) {
        r.exit.async_wait(boost::asio::posix::stream_descriptor::wait_read, on_exit);
    } else {
        r.exit_poll.expires_after(std::chrono::milliseconds(20));
        r.exit_poll.async_wait(on_exit);
    }
}

bool ImageDecoder::reap(uint64_t id) {
    Running& r = *running_.at(id);
    int status = 0;
    pid_t got = 0;
    do {
        got = ::waitpid(r.pid, &status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got != r.pid) {
        return false;
    }
    r.reaped = true;
    r.wait_status = status;
    r.exit_poll.cancel();
    return true;
}

void ImageDecoder::finish_if_done(uint64_t id) {
    auto it = running_.find(id);
    if (it != running_.end() && it->second->reaped && it->second->reply_ended) {
        finish(id);
    }
}

void ImageDecoder::finish(uint64_t id) {
    auto node = running_.extract(id);
    Running& r = *node.mapped();
    r.deadline.cancel();
    answer(std::move(r.done), detail::decoder_outcome(r.wait_status, r.text, r.timed_out, settings_.limits));
    start_next();
}

void ImageDecoder::answer(Done done, Result<std::vector<ImageBarcode>> result) {
    if (!done) {
        return;
    }
    boost::asio::post(io_, [alive = alive_, done = std::move(done), result = std::move(result)]() mutable {
        if (*alive) {
            done(std::move(result));
        }
    });
}

}  // namespace packd::fulfillment
