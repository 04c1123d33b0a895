#pragma once
// A simulated scanner for the demo and tests: each line written to its FIFO is one scan.

#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

class SimScanner final : public Scanner {
  public:
    SimScanner(boost::asio::io_context& io, std::string name, std::string fifo_path);

    Status open() override;
    void close() override { feed_.close(); }
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }
    void on_state_change(StateHandler handler) override { push_.listen(std::move(handler)); }
    /// Delivers a scan as if it came from the device; used by `packctl scan`.
    void inject(const ScanReading& scan);

  private:
    std::string name_;
    FifoLineFeed feed_;
    DeviceStatus status_;
    StatusPush push_;
    ScanHandler handler_;
};

}  // namespace packd::drivers
