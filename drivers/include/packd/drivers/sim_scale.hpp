#pragma once
// A simulated scale for the demo and tests: weights are written to a FIFO, one per line,
// e.g. "1250", "1.25 kg", "1250 g motion".

#include <optional>
#include <string_view>

#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scale.hpp"

namespace packd::drivers {

/// Parses one sim scale line: a number, an optional unit (g, kg; default g) and an optional
/// "motion" flag. Anything else is a reading marked invalid with the reason.
WeightReading parse_sim_weight(std::string_view line);

class SimScale final : public Scale {
  public:
    SimScale(boost::asio::io_context& io, std::string name, std::string fifo_path);

    Status open() override;
    void close() override { feed_.close(); }
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_state_change(StateHandler handler) override { push_.listen(std::move(handler)); }
    std::optional<WeightReading> last_reading() const override { return last_; }
    void on_reading(ReadingHandler handler) override { handler_ = std::move(handler); }
    Status zero() override;
    Status tare() override;
    /// Sets the weight as if a parcel were put down; used by `packctl scale set`.
    void set_weight(const WeightReading& reading);

  private:
    std::string name_;
    FifoLineFeed feed_;
    DeviceStatus status_;
    StatusPush push_;
    std::optional<WeightReading> last_;
    int64_t tare_mg_ = 0;
    ReadingHandler handler_;
};

}  // namespace packd::drivers
