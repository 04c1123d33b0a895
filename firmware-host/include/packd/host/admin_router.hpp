#pragma once
// The admin socket's router: each verb of the shared table (admin_verbs.hpp) with its handler, and what
// has to happen after it answered (printers to kick, held orders to retry, the outbox to send), returned to
// the caller as data so that no module needs to know another's verbs.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "packd/host/admin_verbs.hpp"

namespace packd::host {

/// What the daemon does after a command answered.
struct FollowUps {
    std::set<std::string> kick_printers;  ///< print queues with new jobs
    bool retry_held_orders = false;       ///< stock arrived: orders waiting for it can go
    bool kick_outbox = false;             ///< the command may have queued messages for the shop

    bool operator==(const FollowUps&) const = default;
};

struct AdminReply {
    nlohmann::json answer;
    FollowUps then;
};

class AdminRouter {
  public:
    using Handler = std::function<nlohmann::json(const nlohmann::json& request)>;
    /// A module's handle(verb, request): the answer, or nothing for a verb it does not know.
    using ModuleHandler =
        std::function<std::optional<nlohmann::json>(const std::string& verb, const nlohmann::json& request)>;

    /// One verb of the table, with the table's follow-ups. A verb the table does not hold, or one added
    /// twice, is a mistake in packd itself: std::logic_error.
    void add(std::string_view verb, Handler handler);
    /// Every verb the table gives `module`, answered by `handle`.
    void add_module(AdminModule module, ModuleHandler handle);
    /// The table's verbs that nothing answers yet; empty once packd is wired.
    std::vector<std::string> missing() const;

    /// The answer to one request and its follow-ups; an unknown or missing verb is an error answer.
    AdminReply route(const nlohmann::json& request) const;
    /// The verbs in the order they were added, ", " between them.
    std::string known() const;

  private:
    struct Verb {
        std::string name;
        Handler handler;
        VerbFollowUps follow;
    };
    std::vector<Verb> verbs_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace packd::host
