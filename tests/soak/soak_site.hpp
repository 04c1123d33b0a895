#pragma once
// The warehouse under test: a private mosquitto that keeps its sessions and queued messages on disk, the
// real packd binary with a TCP ZPL printer (the emulator), a simulated scale and scanner and one pack
// station, all in one folder. packd can be killed and started again; every start writes a log of its own.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "test_env.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd::soak {

/// Products the soak orders, with the barcode a packer scans and the weight of one unit.
struct SoakProduct {
    std::string sku;
    std::string barcode;  ///< empty: not packed at a station (the soak leaves such orders waiting)
    int unit_weight_g;
};
const std::vector<SoakProduct>& soak_products();

class Site {
  public:
    static constexpr const char* kSite = "soak";
    static constexpr const char* kStation = "pack1";
    static constexpr const char* kCarrier = "UPS";

    explicit Site(std::filesystem::path dir);
    ~Site();
    Site(const Site&) = delete;
    Site& operator=(const Site&) = delete;

    /// Starts packd and waits until it says it is ready; false (with the reason in last_error) if it did not.
    bool start_packd(std::chrono::seconds within = std::chrono::seconds(90));
    /// SIGKILL, and waits for the exit.
    void kill_packd();
    /// SIGTERM, and waits for the exit; packd's exit code, or -1.
    int stop_packd();
    /// Waits until the running packd's log has `text`.
    bool packd_says(const std::string& text, std::chrono::seconds within);
    /// False when packd has exited although nobody stopped it: a crash.
    bool packd_alive();
    /// Loads bins, the sample catalogue and plenty of stock through packctl.
    bool seed();

    test::Broker& broker() { return broker_; }
    test::ZplPrinterEmulator& printer() { return printer_; }
    std::string topic(const std::string& rest) const { return std::string("packd/v1/") + kSite + "/" + rest; }
    std::string store_path() const { return (dir_ / "state" / "packd.db").string(); }
    std::string admin_socket() const { return (dir_ / "packd.sock").string(); }
    std::string scale_fifo() const { return (dir_ / "scale.fifo").string(); }
    const std::filesystem::path& dir() const { return dir_; }
    /// Runs packctl against this packd.
    test::RunResult packctl(const std::vector<std::string>& words) const;
    /// Every log packd wrote, one file per start.
    std::vector<std::filesystem::path> packd_logs() const;
    const std::string& last_error() const { return last_error_; }
    int starts() const { return starts_; }

  private:
    std::string config() const;

    std::filesystem::path dir_;
    test::Broker broker_;
    test::ZplPrinterEmulator printer_;
    std::mutex mutex_;
    std::unique_ptr<test::Process> packd_;
    bool stopped_ = true;
    int starts_ = 0;
    std::string last_error_;
};

}  // namespace packd::soak
