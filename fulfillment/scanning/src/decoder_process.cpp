#include "decoder_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace packd::fulfillment {
namespace detail {

Result<DecoderChild> spawn_decoder(std::span<const std::uint8_t> bytes, const std::string& decoder_path,
                                   const ImageDecodeLimits& limits) {
    if (bytes.size() > limits.max_bytes) {
        return fail("image of " + std::to_string(bytes.size()) + " bytes is larger than allowed (" +
                    std::to_string(limits.max_bytes) + ")");
    }
    const int image_fd = memfd_create("packd-image", MFD_CLOEXEC);
    if (image_fd < 0) {
        return fail(std::string("cannot hand the image to the decoder: memfd_create: ") +
                    std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(image_fd, bytes.data() + written, bytes.size() - written);
        if (n <= 0) {
            ::close(image_fd);
            return fail(std::string("cannot hand the image to the decoder: ") + std::strerror(errno));
        }
        written += static_cast<std::size_t>(n);
    }
    ::lseek(image_fd, 0, SEEK_SET);
    int reply_pipe[2];
    if (::pipe2(reply_pipe, O_CLOEXEC) != 0) {
        ::close(image_fd);
        return fail(std::string("cannot start the image decoder: pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, image_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, reply_pipe[1], 1);
    // The helper's own CPU limit stops a runaway decode even when packd is not there to kill it.
    const std::string timeout_s = std::to_string(std::max<int64_t>(1, limits.timeout.count() / 1000 + 1));
    std::vector<std::string> args = {decoder_path, "--cpu-seconds", timeout_s};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, decoder_path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(image_fd);
    ::close(reply_pipe[1]);
    if (spawned != 0) {
        ::close(reply_pipe[0]);
        return fail("cannot start the image decoder " + decoder_path + ": " + std::strerror(spawned));
    }
    return DecoderChild{pid, reply_pipe[0]};
}

Result<std::vector<ImageBarcode>> decoder_outcome(int wait_status, std::string_view reply, bool timed_out,
                                                  const ImageDecodeLimits& limits) {
    if (timed_out) {
        return fail("decoding the image took longer than " + std::to_string(limits.timeout.count()) +
                    " ms; the decoder was stopped");
    }
    if (WIFSIGNALED(wait_status)) {
        const int sig = WTERMSIG(wait_status);
        const char* name = sigabbrev_np(sig);
        const std::string signal =
            name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
        return fail("the image decoder crashed on this image (" + signal +
                    (sig == SIGABRT ? ", a failed ZXing assertion" : "") + "): nothing read from it");
    }
    if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
        return fail("the image decoder failed (exit status " + std::to_string(WEXITSTATUS(wait_status)) +
                    ")");
    }
    return parse_decoder_reply(reply);
}

}  // namespace detail

Result<std::vector<ImageBarcode>> decode_image(std::span<const std::uint8_t> bytes,
                                               const std::string& decoder_path,
                                               const ImageDecodeLimits& limits) {
    auto child = detail::spawn_decoder(bytes, decoder_path, limits);
    if (!child) {
        return child.error();
    }
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    bool timed_out = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{child->reply_fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        char buffer[4096];
        const ssize_t n = ::read(child->reply_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (reply.size() < detail::kMaxDecoderReply) {
            reply.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(child->reply_fd);
    if (timed_out) {
        ::kill(child->pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
    }
    return detail::decoder_outcome(status, reply, timed_out, limits);
}

}  // namespace packd::fulfillment
