#include "packd/host/admin_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace packd::host {
namespace {

/// Closes the descriptor when leaving scope.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, static_cast<int>(left.count()));
        if (rc > 0) {
            return true;
        }
        if (rc < 0 && errno != EINTR) {
            return false;
        }
    }
}

}  // namespace

Result<nlohmann::json> admin_request(const std::string& socket_path, const nlohmann::json& request,
                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(addr.sun_path)) {
        return fail("socket path too long: " + socket_path);
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    Fd sock{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (sock.fd < 0) {
        return fail(std::string("socket: ") + std::strerror(errno));
    }
    if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        const int err = errno;
        std::string hint;
        if (err == ENOENT || err == ECONNREFUSED) {
            hint = " (is packd running? systemctl status packd)";
        } else if (err == EACCES) {
            hint = " (add your user to group packd, then log in again)";
        }
        return fail("cannot connect to packd at " + socket_path + ": " + std::strerror(err) + hint);
    }
    std::string out = request.dump() + "\n";
    size_t sent = 0;
    while (sent < out.size()) {
        if (!wait_for(sock.fd, POLLOUT, deadline)) {
            return fail("packd did not take the request within the time limit");
        }
        ssize_t n = ::send(sock.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return fail(std::string("sending to packd: ") + std::strerror(errno));
        }
        sent += static_cast<size_t>(n);
    }
    std::string in;
    char buf[4096];
    while (in.find('\n') == std::string::npos) {
        if (!wait_for(sock.fd, POLLIN, deadline)) {
            return fail("packd did not answer within the time limit");
        }
        ssize_t n = ::recv(sock.fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return fail("packd closed the connection without an answer");
        }
        in.append(buf, static_cast<size_t>(n));
        if (in.size() > 16 * 1024 * 1024) {
            return fail("answer from packd too large");
        }
    }
    auto answer = nlohmann::json::parse(in.substr(0, in.find('\n')), nullptr, false);
    if (answer.is_discarded() || !answer.is_object()) {
        return fail("packd answered something that is not JSON");
    }
    return answer;
}

}  // namespace packd::host
