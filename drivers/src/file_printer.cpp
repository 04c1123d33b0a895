#include "packd/drivers/file_printer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace packd::drivers {
namespace {

bool safe_file_stem(const std::string& id) {
    if (id.empty() || id.size() > 128) {
        return false;
    }
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return id.front() != '.';
}

// Writes to a temporary name, syncs and renames, so a reader never sees half a label and a
// power cut leaves either the old state or the whole file.
Status write_file_atomically(const std::string& path, std::string_view bytes) {
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail("cannot create " + tmp + ": " + std::strerror(errno));
    }
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return fail("cannot write " + tmp + ": " + why);
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return fail("cannot flush " + tmp + ": " + std::strerror(errno));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return fail("cannot rename " + tmp + ": " + std::strerror(errno));
    }
    return {};
}

}  // namespace

FilePrinter::FilePrinter(boost::asio::io_context& io, std::string name, std::string directory)
    : io_(io), name_(std::move(name)), directory_(std::move(directory)), push_(io) {
    push_.update(status_);
}

void FilePrinter::set_status(DeviceStatus status) {
    status_ = std::move(status);
    push_.update(status_);
}

Status FilePrinter::open() {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) {
        set_status({DeviceState::fault, "cannot create " + directory_ + ": " + ec.message()});
        return fail(status_.detail);
    }
    if (::access(directory_.c_str(), W_OK) != 0) {
        set_status({DeviceState::fault, directory_ + " is not writable: " + std::strerror(errno)});
        return fail(status_.detail);
    }
    set_status({DeviceState::ready, "writes labels to " + directory_});
    return {};
}

Status FilePrinter::write_job(const PrintJob& job) {
    if (!safe_file_stem(job.id)) {
        return fail("job id '" + job.id + "' cannot name a file");
    }
    const std::string stem = directory_ + "/" + job.id;
    if (job.zpl.empty()) {
        return fail("job " + job.id + " has no ZPL");
    }
    // The preview goes first: a .zpl on disk means the job is complete.
    if (!job.preview_png.empty()) {
        if (auto st = write_file_atomically(stem + ".png", job.preview_png); !st) {
            return st;
        }
    }
    return write_file_atomically(stem + ".zpl", job.zpl);
}

SentJobFate FilePrinter::fate_after_crash(const PrintJob& job) const {
    if (!safe_file_stem(job.id)) {
        return SentJobFate::not_printed;  // write_job refuses it before writing anything
    }
    std::error_code ec;
    const bool there = std::filesystem::exists(directory_ + "/" + job.id + ".zpl", ec);
    if (ec) {
        return SentJobFate::unknown;
    }
    return there ? SentJobFate::printed : SentJobFate::not_printed;
}

void FilePrinter::print(const PrintJob& job, std::function<void(Status)> done) {
    Status st = write_job(job);
    set_status(st ? DeviceStatus{DeviceState::ready, "writes labels to " + directory_}
                  : DeviceStatus{DeviceState::fault, st.error().message});
    // Completion is always asynchronous so callers see the same order of events as with a
    // network printer.
    boost::asio::post(io_, [done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
}

}  // namespace packd::drivers
