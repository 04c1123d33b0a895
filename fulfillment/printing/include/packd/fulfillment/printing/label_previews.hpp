#pragma once
// PNG previews of print jobs, drawn when someone asks (`packctl label preview`, a printer that keeps one
// beside each label) from the label model the job keeps, never on the order path, and kept in a small
// cache, so asking twice draws once. A preview costs tens of milliseconds of CPU; for printers it is drawn
// on a thread of its own and handed back to the io_context, so the event loop does not wait for it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "packd/common/result.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// A print job's preview.
struct JobPreview {
    int64_t job_id = 0;
    std::string printer;
    std::string kind;
    std::string order_id;
    std::string png;
};

/// Called on the io_context thread only; the drawing thread touches nothing but the label it draws.
class LabelPreviews {
  public:
    /// At most `capacity` previews are kept, the least recently asked for leaving first.
    LabelPreviews(boost::asio::io_context& io, Store& store, std::size_t capacity = 16);
    /// Waits for a preview being drawn; its answer is not delivered.
    ~LabelPreviews();
    LabelPreviews(const LabelPreviews&) = delete;
    LabelPreviews& operator=(const LabelPreviews&) = delete;

    /// The preview of job `id`, drawn now on the calling (io_context) thread unless it is kept. Refused for
    /// an unknown job, and for a job with nothing to draw a preview from (a shop's ZPL label).
    Result<JobPreview> of_job(int64_t id);
    /// The same for the latest job of `kind` for the order.
    Result<JobPreview> of_order(const std::string& order_id, const std::string& kind);

    /// For PrintQueue::set_preview_source: the preview of `job` as PNG bytes, handed to `done` on the
    /// io_context; drawn on the drawing thread unless it is kept, empty when none can be drawn.
    void draw(const StoredPrintJob& job, std::function<void(std::string png)> done);

  private:
    std::optional<JobPreview> kept(int64_t id);
    void keep(const JobPreview& preview);
    Result<JobPreview> answer(Result<PrintJobPreview> source);

    boost::asio::io_context& io_;
    Store& store_;
    std::size_t capacity_;
    std::list<JobPreview> previews_;  // most recently asked for first
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    boost::asio::thread_pool drawing_{1};
};

}  // namespace packd::fulfillment
