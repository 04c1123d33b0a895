#include "packd/drivers/sim_scanner.hpp"

#include "packd/common/log.hpp"

namespace packd::drivers {

SimScanner::SimScanner(boost::asio::io_context& io, std::string name, std::string fifo_path)
    : name_(std::move(name)), feed_(io, std::move(fifo_path), 4096), push_(io) {
    push_.update(status_);
}

Status SimScanner::open() {
    if (auto st = feed_.open(); !st) {
        status_ = {DeviceState::fault, st.error().message};
        push_.update(status_);
        return st;
    }
    status_ = {DeviceState::ready, "simulated, fed from " + feed_.path()};
    push_.update(status_);
    feed_.start([this](Result<std::string> line) {
        if (!line) {
            log::warning("scanner " + name_ + ": " + line.error().message);
            return;
        }
        if (!line->empty()) {
            inject(ScanReading{std::move(*line), {}, {}, {}});
        }
    });
    return {};
}

void SimScanner::inject(const ScanReading& scan) {
    if (handler_) {
        handler_(scan);
    }
}

}  // namespace packd::drivers
