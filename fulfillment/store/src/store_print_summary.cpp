// Print jobs at a glance: each printer's queue for the device page and `packctl status`, an order's latest
// label for a station screen. Each read uses an index, or the latest jobs only, never every job ever kept.

#include <map>

#include "packd/fulfillment/store/store.hpp"
#include "store_reading.hpp"

namespace packd::fulfillment {
namespace {

/// How far back a printer's latest printed label is looked for.
constexpr int kRecentJobs = 2000;

}  // namespace

Result<std::vector<PrinterQueueSummary>> Store::printer_queues(const std::vector<std::string>& printers) {
    return reading("printer queues", [&] {
        std::map<std::string, PrinterQueueSummary> by_name;
        for (const std::string& p : printers) {
            by_name[p].printer = p;
        }
        // Each WHERE matches a partial index of schema 8 (print_jobs_pending, print_jobs_unsettled).
        auto& pending =
            db_->cached("SELECT printer, count(*) FROM print_jobs WHERE state = 'pending' GROUP BY printer");
        while (pending.step()) {
            auto& q = by_name[pending.text(0)];
            q.printer = pending.text(0);
            q.queued += pending.int64(1);
        }
        pending.reset();
        auto& unsettled = db_->cached(
            "SELECT printer, state, count(*) FROM print_jobs WHERE state IN ('sending','uncertain') "
            "GROUP BY printer, state");
        while (unsettled.step()) {
            auto& q = by_name[unsettled.text(0)];
            q.printer = unsettled.text(0);
            (unsettled.text(1) == "uncertain" ? q.uncertain : q.queued) += unsettled.int64(2);
        }
        unsettled.reset();
        auto& last = db_->cached(
            "SELECT coalesce(done_at, '') FROM (SELECT printer, state, done_at FROM print_jobs ORDER BY id "
            "DESC "
            "LIMIT ?2) WHERE printer = ?1 AND state = 'done' LIMIT 1");
        std::vector<PrinterQueueSummary> out;
        for (auto& [name, q] : by_name) {
            last.bind(1, name).bind(2, kRecentJobs);
            if (last.step()) {
                q.last_printed_at = last.text(0);
            }
            last.reset();
            out.push_back(q);
        }
        return out;
    });
}

Result<std::optional<PrintJobSummary>> Store::latest_print_job(const std::string& order_id,
                                                               const std::string& kind) {
    return reading("latest print job", [&]() -> std::optional<PrintJobSummary> {
        auto& st = db_->cached(
            "SELECT id, printer, state, created_at, coalesce(done_at, '') FROM print_jobs "
            "WHERE order_id = ?1 AND kind = ?2 ORDER BY id DESC LIMIT 1");
        st.bind(1, order_id).bind(2, kind);
        std::optional<PrintJobSummary> out;
        if (st.step()) {
            out = PrintJobSummary{st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4)};
        }
        st.reset();
        return out;
    });
}

}  // namespace packd::fulfillment
