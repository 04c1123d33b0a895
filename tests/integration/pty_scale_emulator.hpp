#pragma once
// A scale on the far end of a real pseudo-terminal pair. The driver under test opens a stable
// path (a symlink, as /dev/serial/by-id/ gives one) to the slave; the emulator thread reads the
// master side and answers in the scale's protocol. `hang_up` closes the master, as pulling a
// USB serial adapter does, and `plug_in` makes a fresh pair behind the same path.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace packd::test {

class PtyScaleEmulator {
  public:
    /// Gets the bytes received so far (consumes what it answers) and returns the bytes to send.
    using Responder = std::function<std::string(std::string& received)>;

    PtyScaleEmulator(std::string link, Responder responder)
        : link_(std::move(link)), responder_(std::move(responder)) {
        if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
            throw std::runtime_error("pipe2 failed");
        }
        plug_in();
        thread_ = std::thread([this] { run(); });
    }

    ~PtyScaleEmulator() {
        stop_ = true;
        wake();
        thread_.join();
        unplug();
        ::close(wake_[0]);
        ::close(wake_[1]);
    }

    PtyScaleEmulator(const PtyScaleEmulator&) = delete;
    PtyScaleEmulator& operator=(const PtyScaleEmulator&) = delete;

    /// Sends bytes now, unasked (noise, continuous output, a frame's second half).
    void send(const std::string& bytes) {
        std::lock_guard lock(mutex_);
        pending_ += bytes;
        wake();
    }

    /// The adapter is pulled: the driver's next read fails; the path dangles.
    void hang_up() {
        std::lock_guard lock(mutex_);
        unplug();
        std::filesystem::remove(link_);
        wake();
    }

    /// The adapter comes back, as a new pseudo-terminal behind the same path.
    void plug_in() {
        std::lock_guard lock(mutex_);
        termios raw{};
        ::cfmakeraw(&raw);
        char name[256] = {};
        if (::openpty(&master_, &slave_, name, &raw, nullptr) != 0) {
            throw std::runtime_error("openpty failed");
        }
        ::fcntl(master_, F_SETFL, O_NONBLOCK);
        // A packd started by the test must not inherit the master: the pair would never hang up.
        ::fcntl(master_, F_SETFD, FD_CLOEXEC);
        ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
        std::filesystem::remove(link_);
        std::filesystem::create_symlink(name, link_);
        wake();
    }

    /// Every byte the driver ever wrote, for checks that it wrote nothing.
    std::string all_received() {
        std::lock_guard lock(mutex_);
        return all_received_;
    }

  private:
    void wake() { [[maybe_unused]] auto n = ::write(wake_[1], "x", 1); }

    void unplug() {
        if (master_ >= 0) {
            ::close(master_);
            ::close(slave_);
        }
        master_ = slave_ = -1;
    }

    void run() {
        std::string received;
        while (!stop_) {
            int master = -1;
            {
                std::lock_guard lock(mutex_);
                master = master_;
                if (master >= 0 && !pending_.empty()) {
                    const ssize_t n = ::write(master, pending_.data(), pending_.size());
                    if (n > 0) {
                        pending_.erase(0, static_cast<size_t>(n));
                    }
                }
            }
            pollfd fds[2] = {{wake_[0], POLLIN, 0}, {master, POLLIN, 0}};
            // The timeout only bounds how long a stop or a write that found the pty full waits.
            ::poll(fds, master >= 0 ? 2 : 1, 50);
            char drain[64];
            while (::read(wake_[0], drain, sizeof drain) > 0) {
            }
            std::lock_guard lock(mutex_);
            if (master_ < 0 || master_ != master || !(fds[1].revents & POLLIN)) {
                continue;
            }
            char buf[256];
            const ssize_t n = ::read(master_, buf, sizeof buf);
            if (n <= 0) {
                continue;
            }
            received.append(buf, static_cast<size_t>(n));
            all_received_.append(buf, static_cast<size_t>(n));
            pending_ += responder_(received);
        }
    }

    std::string link_;
    Responder responder_;
    std::mutex mutex_;
    int master_ = -1;
    int slave_ = -1;
    int wake_[2] = {-1, -1};
    std::string pending_;
    std::string all_received_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace packd::test
