#pragma once
// One ZPL job with status checks, whatever carries the bytes (raw TCP 9100, USB printer class): the printer's
// status before sending (a printer out of paper gets nothing), the formats, then the status until the
// printer's buffer is empty; the job counts as printed only when that last answer shows no error. A fault
// with our format still buffered sends ~JA so the retry is the only copy.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/drivers/device_state.hpp"
#include "packd/drivers/label_printer.hpp"
#include "packd/drivers/zpl_status.hpp"

namespace packd::drivers {

/// Which status command a printer is asked: ~HS (every ZPL printer), ~HQES (newer firmware; names cutter
/// and head faults, and answers while ~HS stays silent) or both, ~HS first.
enum class ZplStatusQuery { hs, hqes, both };

/// "hs", "hqes" or "both"; nothing for anything else.
std::optional<ZplStatusQuery> zpl_status_query(std::string_view name);

/// The bytes to and from one printer for the length of one job. Handlers run on the io_context.
class ZplChannel {
  public:
    virtual ~ZplChannel() = default;
    /// Writes all of `bytes`, which the caller keeps alive until `done` runs.
    virtual void write(std::string_view bytes, std::function<void(Status)> done) = 0;
    /// Reads what the printer sends next, at least one byte, or the reason nothing will come.
    virtual void read_some(std::function<void(Result<std::string>)> done) = 0;
    /// Stops what is pending; its handlers may still run, with an error.
    virtual void cancel() = 0;
    /// False when the printer only takes bytes (a USB printer without a bulk IN endpoint): no status.
    virtual bool readable() const = 0;
    /// True when bytes from the printer wait to be read (known only where the transport can tell).
    virtual bool input_waiting() { return false; }
};

struct ZplJobSettings {
    std::chrono::milliseconds status_timeout{2000};  ///< for each status answer
    std::chrono::milliseconds job_timeout{60000};    ///< from the first status query until the job is taken
    std::chrono::milliseconds poll_interval{200};    ///< between queries while formats wait in the printer
    ZplStatusQuery query = ZplStatusQuery::hs;
};

/// Runs one job (or, with no ZPL, one status check) over a channel and reports once through `done`. It keeps
/// itself alive until finished; `status` is updated with what the printer said or why it said nothing.
///
/// A job may carry several formats (labels) between its two status checks. When the check after them shows
/// a fault, the formats still in the printer's buffer (~HS "formats in receive buffer") are the last ones
/// sent and have not printed: they are cancelled (~JA) and reported as not printed, the ones before them as
/// printed, so that nothing is sent again that the printer already printed.
///
/// Once the formats' first byte has gone out, a job that ends without the printer's word on them (silence,
/// a lost connection, a garbled answer, a fault with the buffer unknown) reports them as uncertain, never as
/// not printed: an uncertain label may have printed, so it is not sent again by itself.
///
/// A status timeout counts only while packd was free to read the answer: when the timer fires late (the
/// event loop was busy) or the printer's answer is already waiting, the answer is read first.
class ZplCheckedJob : public std::enable_shared_from_this<ZplCheckedJob> {
  public:
    ZplCheckedJob(boost::asio::io_context& io, std::string printer, ZplJobSettings settings,
                  std::shared_ptr<ZplChannel> channel, std::shared_ptr<DeviceStatus> status, std::string zpl,
                  std::function<void(Status)> done);
    /// `zpl` holds `formats` complete formats; `done` learns how many of them printed.
    ZplCheckedJob(boost::asio::io_context& io, std::string printer, ZplJobSettings settings,
                  std::shared_ptr<ZplChannel> channel, std::shared_ptr<DeviceStatus> status, std::string zpl,
                  std::size_t formats, std::function<void(PrintOutcome)> done);

    /// Called just before the formats' first byte is written; when it fails nothing is sent.
    void set_before_send(BeforeSend before_send) { before_send_ = std::move(before_send); }
    void run();
    /// Finishes without reporting: the printer object is going away.
    void abandon();
    bool finished() const { return finished_; }

  private:
    /// before: may the job go; after: has it printed; cancelled: did ~JA empty the buffer; status_only.
    enum class Step { before, after, cancelled, status_only };
    void check(Step step);
    void ask(std::size_t index);
    void read();
    void answered();
    void send_job();
    void poll_later();
    /// ~JA, then asks whether the buffer emptied: the formats after the first `printed` are then known not
    /// to have printed, or else uncertain.
    void cancel_buffered_then_fail(std::string why, std::size_t printed);
    /// Fails after the formats went out without the printer's word on them: uncertain after known_printed_.
    void fail_unknown(const std::string& why);
    void disarm_step();
    /// Runs `on_silence` once `timeout` has passed with packd free to read; a later arm() replaces it.
    void arm_step(std::chrono::milliseconds timeout, std::function<void()> on_silence);
    void arm(std::chrono::milliseconds timeout, std::string why);
    void step_timer_fired(unsigned generation, int second_looks);
    void expired(const std::string& why);
    void lost(const std::string& why);
    void finish(Status result, std::size_t printed = 0, std::size_t uncertain = 0);

    boost::asio::io_context& io_;
    std::string printer_;
    ZplJobSettings settings_;
    std::shared_ptr<ZplChannel> channel_;
    std::shared_ptr<DeviceStatus> status_;
    std::string zpl_;
    std::size_t formats_ = 1;
    std::function<void(PrintOutcome)> done_;
    BeforeSend before_send_;
    boost::asio::steady_timer step_timer_;
    boost::asio::steady_timer job_timer_;
    boost::asio::steady_timer poll_timer_;
    std::function<void()> on_silence_;
    unsigned step_generation_ = 0;  // which arm_step() the step timer belongs to
    std::string rx_;
    ZplHostStatus seen_;
    Step step_ = Step::before;
    std::size_t query_ = 0;     // which of the step's queries the bytes read answer
    bool reading_ = false;      // a read is waiting on the channel
    bool hs_answered_ = false;  // this step's ~HS was answered: the buffer count is known
    bool finished_ = false;
    bool sent_ = false;              // the formats' first byte has been handed to the channel
    std::size_t known_printed_ = 0;  // formats the printer has said are out of its buffer
    std::string cancel_reason_;      // the fault that made us send ~JA
};

}  // namespace packd::drivers
