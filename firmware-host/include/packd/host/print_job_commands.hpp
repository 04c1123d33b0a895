#pragma once
// The admin verbs for labels that may have printed (a crash or a silent printer left packd without the
// printer's word on them): "labels_uncertain" lists them (`packctl labels uncertain`), "label_confirm" takes
// the operator's word that one printed (`packctl label confirm JOB`), "label_resend" that it did not, and
// queues it again (`packctl label resend JOB`).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "packd/fulfillment/store/store.hpp"

namespace packd::host {

class PrintJobCommands {
  public:
    explicit PrintJobCommands(fulfillment::Store& store) : store_(store) {}

    /// The answer when `verb` is one of these verbs, nothing otherwise. An ok answer to "label_resend"
    /// names the "printer" whose queue got the job back.
    std::optional<nlohmann::json> handle(const std::string& verb, const nlohmann::json& request);

  private:
    nlohmann::json resolve(const nlohmann::json& request, bool printed);

    fulfillment::Store& store_;
};

}  // namespace packd::host
