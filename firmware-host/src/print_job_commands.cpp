#include "packd/host/print_job_commands.hpp"

#include "packd/common/log.hpp"

namespace packd::host {
namespace ful = packd::fulfillment;
using nlohmann::json;

namespace {

json refused(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

json job_json(const ful::StoredPrintJob& job) {
    return {{"job", job.id},          {"printer", job.printer},  {"order", job.order_id},
            {"kind", job.kind},       {"reprint", job.reprint},  {"attempts", job.attempts},
            {"sent_at", job.sent_at}, {"reason", job.last_error}};
}

}  // namespace

std::optional<json> PrintJobCommands::handle(const std::string& verb, const json& request) {
    if (verb != "labels_uncertain" && verb != "label_confirm" && verb != "label_resend") {
        return std::nullopt;
    }
    try {
        if (verb == "labels_uncertain") {
            auto uncertain = store_.print_jobs_uncertain();
            if (!uncertain) {
                return refused(uncertain.error().message);
            }
            json list = json::array();
            for (const auto& job : *uncertain) {
                list.push_back(job_json(job));
            }
            return json{{"ok", true}, {"jobs", list}};
        }
        return resolve(request, verb == "label_confirm");
    } catch (const ful::SqliteError& e) {
        log::error(verb + ": " + e.what());
        return refused(std::string("store: ") + e.what());
    }
}

json PrintJobCommands::resolve(const json& request, bool printed) {
    const auto id = request.find("job");
    if (id == request.end() || !id->is_number_integer()) {
        return refused(std::string(printed ? "label_confirm" : "label_resend") +
                       " needs \"job\": a print job number");
    }
    auto job = store_.print_job_resolve(id->get<int64_t>(), printed);
    if (!job) {
        return refused(job.error().message);
    }
    const std::string by = request.value("operator", "");
    log::notice("print job " + std::to_string(job->id) + " (" + job->kind + " label of order " +
                job->order_id + ") " + (printed ? "confirmed printed" : "sent again: it had not printed") +
                (by.empty() ? std::string() : " by " + by));
    return {{"ok", true},
            {"job", job->id},
            {"printer", job->printer},
            {"order", job->order_id},
            {"kind", job->kind},
            {"state", printed ? "done" : "pending"}};
}

}  // namespace packd::host
