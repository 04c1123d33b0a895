#include "packd/fulfillment/printing/label_previews.hpp"

#include <boost/asio/post.hpp>
#include <utility>

#include "packd/common/log.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {

LabelPreviews::LabelPreviews(boost::asio::io_context& io, Store& store, std::size_t capacity)
    : io_(io), store_(store), capacity_(std::max<std::size_t>(1, capacity)) {}

LabelPreviews::~LabelPreviews() {
    *alive_ = false;
    drawing_.stop();  // previews not begun are not drawn; the one being drawn is finished
    drawing_.join();
}

std::optional<JobPreview> LabelPreviews::kept(int64_t id) {
    for (auto it = previews_.begin(); it != previews_.end(); ++it) {
        if (it->job_id == id) {
            previews_.splice(previews_.begin(), previews_, it);
            return previews_.front();
        }
    }
    return std::nullopt;
}

void LabelPreviews::keep(const JobPreview& preview) {
    if (kept(preview.job_id)) {
        return;
    }
    previews_.push_front(preview);
    while (previews_.size() > capacity_) {
        previews_.pop_back();
    }
}

Result<JobPreview> LabelPreviews::answer(Result<PrintJobPreview> source) {
    if (!source) {
        return source.error();
    }
    if (auto preview = kept(source->job_id)) {
        return *preview;
    }
    JobPreview preview{source->job_id, source->printer, source->kind, source->order_id, {}};
    if (!source->label) {
        if (source->png.empty()) {
            return fail("print job " + std::to_string(preview.job_id) + " (" + preview.kind +
                        " label of order " + preview.order_id +
                        ") has no preview: it keeps nothing to draw one from (a label that "
                        "came as ZPL keeps none)");
        }
        preview.png = std::move(source->png);  // the image the label came as; the store keeps it already
        return preview;
    }
    auto png = to_png(*source->label);
    if (!png) {
        return fail("print job " + std::to_string(preview.job_id) + ": no preview: " + png.error().message);
    }
    preview.png = std::move(*png);
    keep(preview);
    return preview;
}

Result<JobPreview> LabelPreviews::of_job(int64_t id) {
    if (auto preview = kept(id)) {
        return *preview;
    }
    return answer(store_.print_job_preview(id));
}

Result<JobPreview> LabelPreviews::of_order(const std::string& order_id, const std::string& kind) {
    return answer(store_.print_job_preview(order_id, kind));
}

void LabelPreviews::draw(const StoredPrintJob& job, std::function<void(std::string png)> done) {
    const auto answer_now = [&](std::string png) {
        boost::asio::post(io_, [done = std::move(done), png = std::move(png)] { done(png); });
    };
    if (!job.preview_png.empty()) {
        answer_now(job.preview_png);
        return;
    }
    if (auto preview = kept(job.id)) {
        answer_now(std::move(preview->png));
        return;
    }
    auto source = store_.print_job_preview(job.id);
    if (!source || !source->label) {
        if (!source) {
            log::warning("print job " + std::to_string(job.id) + ": no preview: " + source.error().message);
        }
        answer_now({});  // a shop's ZPL label has no preview, as before
        return;
    }
    JobPreview preview{job.id, job.printer, job.kind, job.order_id, {}};
    boost::asio::post(
        drawing_, [this, io = &io_, alive = std::weak_ptr<bool>(alive_), label = std::move(*source->label),
                   preview = std::move(preview), done = std::move(done)]() mutable {
            // On the drawing thread: only the label is touched here.
            auto png = to_png(label);
            boost::asio::post(*io, [this, alive, png = std::move(png), preview = std::move(preview),
                                    done = std::move(done)]() mutable {
                if (!png) {
                    log::warning("print job " + std::to_string(preview.job_id) +
                                 ": no preview: " + png.error().message);
                    done({});
                    return;
                }
                preview.png = *png;
                if (!alive.expired()) {
                    keep(preview);
                }
                done(std::move(preview.png));
            });
        });
}

}  // namespace packd::fulfillment
