#pragma once
// A Zebra or ZPL-compatible printer on the network, raw TCP (port 9100). Each job is one connection: status
// (~HS, ~HQES or both) before sending (a printer out of paper gets nothing), the formats, then status until
// the printer's buffer is empty; the job counts as printed only when that last answer shows no error. The
// status logic is zpl_job.hpp, shared with the USB printer.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/zpl_job.hpp"

namespace packd::drivers {

/// Where the printer is and how long packd waits for it.
struct TcpPrinterSettings {
    std::string host;
    std::uint16_t port = 9100;
    std::chrono::milliseconds connect_timeout{3000};  ///< to open the connection
    std::chrono::milliseconds status_timeout{2000};   ///< for each answer to ~HS
    std::chrono::milliseconds job_timeout{60000};     ///< from connecting until the printer has taken the job
    std::chrono::milliseconds poll_interval{200};     ///< between ~HS while formats wait in the printer
    ZplStatusQuery query = ZplStatusQuery::hs;        ///< which status command the printer is asked
    std::size_t batch = 8;  ///< labels sent between two status checks; 1: one label per check
};

class TcpZplPrinter final : public LabelPrinter {
  public:
    TcpZplPrinter(boost::asio::io_context& io, std::string name, TcpPrinterSettings settings);
    ~TcpZplPrinter() override;
    TcpZplPrinter(const TcpZplPrinter&) = delete;
    TcpZplPrinter& operator=(const TcpZplPrinter&) = delete;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return *status_; }
    void on_state_change(StateHandler handler) override { push_.listen(std::move(handler)); }
    /// Sends the job; a second job while one is in hand is refused with a reason.
    void print(const PrintJob& job, std::function<void(Status)> done) override;
    std::size_t batch_limit() const override { return settings_.batch; }
    /// The jobs' formats on one connection, between one status check before and the checks after.
    using LabelPrinter::print_batch;
    void print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                     std::function<void(PrintOutcome)> done) override;
    /// Asks ~HS once and updates status(); `done` reports whether the printer can print.
    void query_status(std::function<void(Status)> done);
    const TcpPrinterSettings& settings() const { return settings_; }

    struct Exchange;  // one connection (tcp_zpl_printer.cpp)

  private:
    void start(std::string zpl, std::size_t formats, BeforeSend before_send,
               std::function<void(PrintOutcome)> done);

    boost::asio::io_context& io_;
    std::string name_;
    TcpPrinterSettings settings_;
    std::shared_ptr<DeviceStatus> status_;
    std::weak_ptr<Exchange> current_;
    StatusPush push_;
    Liveness alive_;
};

}  // namespace packd::drivers
