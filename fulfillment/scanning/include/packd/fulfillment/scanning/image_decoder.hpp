#pragma once
// Image scans decoded off the event loop: each image goes to its own packd-image-decoder helper
// (image_scan.hpp says why a helper), whose reply pipe, deadline and exit are all watched by the
// io_context. A few helpers run at once; more images wait in a bounded queue.
//
// A helper's exit is watched through a pidfd (pidfd_open(2), Linux 5.3), which becomes readable when
// the helper ends; it is then reaped with waitpid(WNOHANG). No SIGCHLD handler: Asio installs its
// handlers without SA_RESTART, so one per decode would interrupt the blocking calls of Paho's and
// libusb's threads. Where pidfd_open is missing, a short timer asks waitpid(WNOHANG) instead.

#include <sys/types.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "packd/fulfillment/scanning/image_scan.hpp"

namespace packd::fulfillment {

struct ImageDecoderSettings {
    std::string decoder_path;      ///< the packd-image-decoder executable
    ImageDecodeLimits limits;      ///< size limits and the deadline after which a helper is killed
    std::size_t max_running = 2;   ///< helpers at once; a decode is CPU-bound, so about the core count
    std::size_t max_waiting = 32;  ///< images queued behind them; one more is refused with a reason
};

class ImageDecoder {
  public:
    using Done = std::function<void(Result<std::vector<ImageBarcode>>)>;

    ImageDecoder(boost::asio::io_context& io, ImageDecoderSettings settings);
    /// Kills the helpers still running and reaps them; their callbacks are not called.
    ~ImageDecoder();
    ImageDecoder(const ImageDecoder&) = delete;
    ImageDecoder& operator=(const ImageDecoder&) = delete;

    /// Decodes `image` (PNG, JPEG or binary PGM). `done` runs later on the io_context, never inside
    /// this call, with the barcodes or the reason there are none.
    void decode(std::vector<std::uint8_t> image, Done done);

    std::size_t running() const { return running_.size(); }
    std::size_t waiting() const { return waiting_.size(); }

  private:
    struct Waiting {
        std::vector<std::uint8_t> image;
        Done done;
    };
    struct Running {
        Running(boost::asio::io_context& io, pid_t child)
            : pid(child), reply(io), exit(io), deadline(io), exit_poll(io) {}
        pid_t pid;
        boost::asio::posix::stream_descriptor reply;
        boost::asio::posix::stream_descriptor exit;  ///< the pidfd; readable once the helper ended
        boost::asio::steady_timer deadline;
        boost::asio::steady_timer exit_poll;  ///< without a pidfd: when to ask waitpid again
        std::array<char, 4096> buffer{};
        std::string text;
        bool reply_ended = false;
        bool reaped = false;
        bool timed_out = false;
        int wait_status = 0;
        Done done;
    };

    void start_next();
    void read_reply(uint64_t id);
    void watch_exit(uint64_t id);
    /// waitpid(WNOHANG) on one helper; false while it still runs.
    bool reap(uint64_t id);
    void finish_if_done(uint64_t id);
    void finish(uint64_t id);
    void answer(Done done, Result<std::vector<ImageBarcode>> result);

    boost::asio::io_context& io_;
    ImageDecoderSettings settings_;
    std::deque<Waiting> waiting_;
    std::map<uint64_t, std::unique_ptr<Running>> running_;
    uint64_t next_id_ = 1;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
