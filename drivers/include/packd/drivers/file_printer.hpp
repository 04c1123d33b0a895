#pragma once
// A printer that writes each job into a folder as <job id>.zpl plus <job id>.png (the preview),
// for the demo, tests and sites that hand labels to another program.

#include <boost/asio/io_context.hpp>

#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/reconnecting.hpp"

namespace packd::drivers {

class FilePrinter final : public LabelPrinter {
  public:
    FilePrinter(boost::asio::io_context& io, std::string name, std::string directory);

    /// Creates the folder when missing and checks it can be written.
    Status open() override;
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_state_change(StateHandler handler) override { push_.listen(std::move(handler)); }
    void print(const PrintJob& job, std::function<void(Status)> done) override;
    bool wants_preview() const override { return true; }
    /// A job's .zpl appears whole or not at all (written aside, then renamed): its file says whether it
    /// printed.
    SentJobFate fate_after_crash(const PrintJob& job) const override;
    const std::string& directory() const { return directory_; }

  private:
    Status write_job(const PrintJob& job);
    void set_status(DeviceStatus status);

    boost::asio::io_context& io_;
    std::string name_;
    std::string directory_;
    DeviceStatus status_;
    StatusPush push_;
};

}  // namespace packd::drivers
