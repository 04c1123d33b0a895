// The status logic TCP and USB printers share. ~HS and ~HQES are control commands, so a printer answers
// them at once even with formats waiting in its buffer (ZPL II Programming Guide, "Control Commands", ~HS and
// ~HQ). Newer firmware does not answer ~HS at all while out of paper or ribbon or with the head open (~HS,
// note on conditions), so silence is reported as that possibility too; ~HQES still answers then.

#include "packd/drivers/zpl_job.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>
#include <vector>

#include "packd/drivers/zpl_hqes.hpp"

namespace packd::drivers {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kHostStatus = "~HS";
constexpr std::string_view kHostQueryStatus = "~HQES";
constexpr std::string_view kCancelAll = "~JA";
/// A step timer that fires this much after its time, or with the printer's bytes waiting, found packd busy
/// rather than the printer silent: the answer is read first and the timer looks again shortly after.
constexpr std::chrono::milliseconds kLate{20};
constexpr std::chrono::milliseconds kSecondLook{50};
constexpr int kMostSecondLooks = 20;

// The commands one status check sends, in order.
std::vector<std::pair<std::string_view, bool>> queries(ZplStatusQuery q) {
    switch (q) {
        case ZplStatusQuery::hs:
            return {{kHostStatus, false}};
        case ZplStatusQuery::hqes:
            return {{kHostQueryStatus, true}};
        case ZplStatusQuery::both:
            break;
    }
    return {{kHostStatus, false}, {kHostQueryStatus, true}};
}

}  // namespace

std::optional<ZplStatusQuery> zpl_status_query(std::string_view name) {
    if (name == "hs") {
        return ZplStatusQuery::hs;
    }
    if (name == "hqes") {
        return ZplStatusQuery::hqes;
    }
    if (name == "both") {
        return ZplStatusQuery::both;
    }
    return std::nullopt;
}

ZplCheckedJob::ZplCheckedJob(asio::io_context& io, std::string printer, ZplJobSettings settings,
                             std::shared_ptr<ZplChannel> channel, std::shared_ptr<DeviceStatus> status,
                             std::string zpl, std::function<void(Status)> done)
    : ZplCheckedJob(io, std::move(printer), settings, std::move(channel), std::move(status), std::move(zpl),
                    1, [done = std::move(done)](PrintOutcome outcome) { done(std::move(outcome.status)); }) {}

ZplCheckedJob::ZplCheckedJob(asio::io_context& io, std::string printer, ZplJobSettings settings,
                             std::shared_ptr<ZplChannel> channel, std::shared_ptr<DeviceStatus> status,
                             std::string zpl, std::size_t formats, std::function<void(PrintOutcome)> done)
    : io_(io),
      printer_(std::move(printer)),
      settings_(settings),
      channel_(std::move(channel)),
      status_(std::move(status)),
      zpl_(std::move(zpl)),
      formats_(zpl_.empty() ? 0 : formats),
      done_(std::move(done)),
      step_timer_(io),
      job_timer_(io),
      poll_timer_(io) {}

void ZplCheckedJob::run() {
    auto self = shared_from_this();
    job_timer_.expires_after(settings_.job_timeout);
    job_timer_.async_wait([self](const boost::system::error_code& ec) {
        if (!ec) {
            self->expired("the printer did not take the job within " +
                          std::to_string(self->settings_.job_timeout.count()) + " ms");
        }
    });
    if (!channel_->readable()) {
        // A one-way printer: whatever it is in, packd cannot know; the bytes arriving is all there is.
        if (zpl_.empty()) {
            *status_ = {DeviceState::ready, "ready (the printer sends no status)"};
            finish({}, 0);
            return;
        }
        send_job();
        return;
    }
    check(zpl_.empty() ? Step::status_only : Step::before);
}

void ZplCheckedJob::abandon() {
    done_ = nullptr;
    finish(fail("abandoned"));
}

void ZplCheckedJob::check(Step step) {
    step_ = step;
    seen_ = {};
    hs_answered_ = false;
    ask(0);
}

void ZplCheckedJob::ask(std::size_t index) {
    const auto command = queries(settings_.query)[index].first;
    query_ = index;
    rx_.clear();
    const std::string silence = "no answer to " + std::string(command) + " within " +
                                std::to_string(settings_.status_timeout.count()) + " ms";
    if (settings_.query == ZplStatusQuery::both && index == 0) {
        // Newer firmware stays silent to ~HS while out of paper or ribbon or with the head open, and still
        // answers ~HQES: ask it, on the read already waiting (one read at a time on a channel).
        std::weak_ptr<ZplCheckedJob> weak = shared_from_this();
        arm_step(settings_.status_timeout, [weak] {
            if (auto self = weak.lock()) {
                self->ask(1);
            }
        });
    } else {
        arm(settings_.status_timeout,
            command == kHostStatus
                ? silence +
                      " (an older printer is offline; a newer one stays silent to ~HS while "
                      "out of paper or ribbon or with its head open)"
                : silence + " (the printer is offline, or its firmware does not know ~HQES)");
    }
    auto self = shared_from_this();
    channel_->write(command, [self, command](Status st) {
        if (self->finished_) {
            return;
        }
        if (!st) {
            self->lost("cannot send " + std::string(command) + ": " + st.error().message);
            return;
        }
        if (!self->reading_) {
            self->read();
        }
    });
}

void ZplCheckedJob::read() {
    auto self = shared_from_this();
    reading_ = true;
    channel_->read_some([self](Result<std::string> got) {
        self->reading_ = false;
        if (self->finished_) {
            return;
        }
        const auto [command, hqes] = queries(self->settings_.query)[self->query_];
        if (!got) {
            self->lost("no answer to " + std::string(command) + ": " + got.error().message);
            return;
        }
        self->rx_ += *got;
        ZplStatusProgress progress = ZplStatusProgress::incomplete;
        std::string error;
        if (hqes) {
            const ZplHqesParse parse = parse_zpl_hqes(self->rx_);
            progress = parse.progress;
            error = parse.error;
            if (progress == ZplStatusProgress::complete) {
                merge_hqes(parse.answer, self->seen_);
            }
        } else {
            const ZplStatusParse parse = parse_zpl_host_status(self->rx_);
            progress = parse.progress;
            error = parse.error;
            if (progress == ZplStatusProgress::complete) {
                self->seen_ = parse.status;
                self->hs_answered_ = true;
            }
        }
        switch (progress) {
            case ZplStatusProgress::incomplete:
                self->read();
                return;
            case ZplStatusProgress::malformed:
                *self->status_ = {DeviceState::fault, error};
                if (self->sent_) {
                    self->fail_unknown(error);
                } else {
                    self->finish(fail("printer " + self->printer_ + ": " + error));
                }
                return;
            case ZplStatusProgress::complete:
                if (self->query_ + 1 < queries(self->settings_.query).size()) {
                    self->ask(self->query_ + 1);
                    return;
                }
                self->disarm_step();
                self->answered();
                return;
        }
    });
}

void ZplCheckedJob::answered() {
    const DeviceStatus seen = device_status(seen_);
    *status_ = seen;
    const bool ok = can_print(seen_);
    switch (step_) {
        case Step::status_only:
            finish(ok ? Status{} : fail("printer " + printer_ + ": " + seen.detail), 0);
            return;
        case Step::before:
            if (!ok) {
                finish(fail("printer " + printer_ + ": " + seen.detail + " (nothing was sent)"));
                return;
            }
            send_job();
            return;
        case Step::after: {
            if (!ok) {
                // Formats of ours still in the printer would print when the operator fixes it, and the retry
                // would print them again: cancel them so the retry is the only copy (~JA, "Cancel All").
                // They are the last ones sent (a printer prints in the order it receives); the ones before
                // them have printed. Without an answer to ~HS the buffer is unknown: whatever still waits is
                // cancelled, and the formats not known to have printed are uncertain.
                if (!hs_answered_) {
                    cancel_buffered_then_fail("printer " + printer_ + ": " + seen.detail, known_printed_);
                    return;
                }
                const std::size_t waiting =
                    std::min<std::size_t>(formats_, static_cast<std::size_t>(seen_.formats_in_buffer) +
                                                        (seen_.partial_format ? 1U : 0U));
                if (waiting > 0) {
                    cancel_buffered_then_fail("printer " + printer_ + ": " + seen.detail + " before " +
                                                  (waiting == 1 ? std::string("the label was")
                                                                : std::to_string(waiting) + " labels were") +
                                                  " printed; " + (waiting == 1 ? "it" : "they") +
                                                  " will be sent again",
                                              formats_ - waiting);
                } else {
                    finish(fail("printer " + printer_ + ": " + seen.detail + " after the job"), formats_);
                }
                return;
            }
            if (seen_.formats_in_buffer > 0 || seen_.partial_format) {
                if (hs_answered_) {
                    const std::size_t waiting =
                        std::min<std::size_t>(formats_, static_cast<std::size_t>(seen_.formats_in_buffer) +
                                                            (seen_.partial_format ? 1U : 0U));
                    known_printed_ = std::max(known_printed_, formats_ - waiting);
                }
                poll_later();
                return;
            }
            finish({}, formats_);
            return;
        }
        case Step::cancelled: {
            const std::size_t open = formats_ - known_printed_;
            if (hs_answered_ && seen_.formats_in_buffer == 0 && !seen_.partial_format) {
                finish(fail(cancel_reason_), known_printed_, 0);
                return;
            }
            finish(fail(cancel_reason_ + "; the printer did not show its buffer empty after ~JA, so " +
                        (open == 1 ? std::string("the label") : std::to_string(open) + " labels") +
                        " may have printed and will not be sent again unasked"),
                   known_printed_, open);
            return;
        }
    }
}

void ZplCheckedJob::send_job() {
    disarm_step();  // the job timer bounds sending: a large graphic takes a while
    if (before_send_) {
        const Status ready = std::exchange(before_send_, nullptr)();
        if (!ready) {
            finish(fail("printer " + printer_ + ": " + ready.error().message + " (nothing was sent)"));
            return;
        }
    }
    sent_ = true;
    auto self = shared_from_this();
    channel_->write(zpl_, [self](Status st) {
        if (self->finished_) {
            return;
        }
        if (!st) {
            self->lost("the label was not sent whole: " + st.error().message);
            return;
        }
        if (!self->channel_->readable()) {
            *self->status_ = {DeviceState::ready, "ready (the printer sends no status)"};
            self->finish({}, self->formats_);
            return;
        }
        self->check(Step::after);
    });
}

void ZplCheckedJob::poll_later() {
    auto self = shared_from_this();
    poll_timer_.expires_after(settings_.poll_interval);
    poll_timer_.async_wait([self](const boost::system::error_code& ec) {
        if (!ec && !self->finished_) {
            self->check(Step::after);
        }
    });
}

void ZplCheckedJob::cancel_buffered_then_fail(std::string why, std::size_t printed) {
    known_printed_ = printed;
    cancel_reason_ = std::move(why);
    // Only an answer to ~HS after the cancel shows the buffer empty; without it (or without knowing which
    // formats were still waiting) the ones not known to have printed are uncertain.
    const bool can_confirm = hs_answered_ && settings_.query != ZplStatusQuery::hqes;
    auto self = shared_from_this();
    arm(settings_.status_timeout, cancel_reason_ + "; no answer after ~JA");
    channel_->write(kCancelAll, [self, can_confirm](Status st) {
        if (self->finished_) {
            return;
        }
        if (st && can_confirm) {
            self->check(Step::cancelled);
            return;
        }
        self->fail_unknown(self->cancel_reason_);
    });
}

void ZplCheckedJob::fail_unknown(const std::string& why) {
    const std::size_t open = formats_ - std::min(known_printed_, formats_);
    std::string what =
        why.rfind("printer " + printer_ + ": ", 0) == 0 ? why : "printer " + printer_ + ": " + why;
    if (open > 0) {
        what += "; " + (open == 1 ? std::string("the label") : std::to_string(open) + " labels") +
                " may have printed and will not be sent again unasked";
    }
    finish(fail(what), known_printed_, open);
}

void ZplCheckedJob::arm(std::chrono::milliseconds timeout, std::string why) {
    std::weak_ptr<ZplCheckedJob> weak = shared_from_this();
    arm_step(timeout, [weak, why = std::move(why)] {
        if (auto self = weak.lock()) {
            self->expired(why);
        }
    });
}

void ZplCheckedJob::arm_step(std::chrono::milliseconds timeout, std::function<void()> on_silence) {
    on_silence_ = std::move(on_silence);
    const unsigned generation = ++step_generation_;
    step_timer_.expires_after(timeout);
    auto self = shared_from_this();
    step_timer_.async_wait([self, generation](const boost::system::error_code& ec) {
        if (!ec) {
            self->step_timer_fired(generation, 0);
        }
    });
}

void ZplCheckedJob::disarm_step() {
    ++step_generation_;  // a firing already on its way finds itself replaced
    on_silence_ = nullptr;
    step_timer_.cancel();
}

void ZplCheckedJob::step_timer_fired(unsigned generation, int second_looks) {
    // A cancel cannot call back a timer whose handler is already queued: the generation tells a stale one.
    if (finished_ || generation != step_generation_ || !on_silence_) {
        return;
    }
    const auto late = std::chrono::steady_clock::now() - step_timer_.expiry();
    if (second_looks < kMostSecondLooks && (late > kLate || channel_->input_waiting())) {
        // packd was busy, or the answer has come and waits to be read: read it before calling it silence.
        step_timer_.expires_after(kSecondLook);
        auto self = shared_from_this();
        step_timer_.async_wait([self, generation, second_looks](const boost::system::error_code& ec) {
            if (!ec) {
                self->step_timer_fired(generation, second_looks + 1);
            }
        });
        return;
    }
    auto silence = std::move(on_silence_);
    on_silence_ = nullptr;
    silence();
}

void ZplCheckedJob::expired(const std::string& why) {
    if (finished_) {
        return;
    }
    *status_ = {DeviceState::offline, why};
    if (sent_) {
        fail_unknown(why);
        return;
    }
    finish(fail("printer " + printer_ + ": " + why));
}

void ZplCheckedJob::lost(const std::string& why) {
    if (finished_) {
        return;
    }
    *status_ = {DeviceState::offline, why};
    if (sent_) {
        fail_unknown(why);
        return;
    }
    finish(fail("printer " + printer_ + ": " + why));
}

void ZplCheckedJob::finish(Status result, std::size_t printed, std::size_t uncertain) {
    if (finished_) {
        return;
    }
    finished_ = true;
    disarm_step();
    job_timer_.cancel();
    poll_timer_.cancel();
    channel_->cancel();
    if (done_) {
        asio::post(io_, [done = std::move(done_),
                         outcome = PrintOutcome{std::move(result), printed, uncertain}]() mutable {
            done(std::move(outcome));
        });
    }
}

}  // namespace packd::drivers
