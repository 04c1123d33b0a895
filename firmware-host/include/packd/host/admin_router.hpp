#pragma once
// The admin socket's verbs in one table: each verb's handler, and what has to happen after it answered
// (printers to kick, held orders to retry, the outbox to send), returned to the caller as data so that
// no module needs to know another's verbs.

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace packd::host {

/// What the daemon does after a command answered.
struct FollowUps {
    std::set<std::string> kick_printers;  ///< print queues with new jobs
    bool retry_held_orders = false;       ///< stock arrived: orders waiting for it can go
    bool kick_outbox = false;             ///< the command may have queued messages for the shop

    bool operator==(const FollowUps&) const = default;
};

/// The follow-ups a verb asks for. `kick_answer_printer` and `retry_held_orders` apply to an ok answer
/// (the printer is the answer's "printer"); `kick_outbox` to any answer.
struct VerbFollowUps {
    bool kick_answer_printer = false;
    bool retry_held_orders = false;
    bool kick_outbox = false;
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

    /// One verb. A verb added twice keeps its first handler.
    void add(const std::string& verb, Handler handler, VerbFollowUps follow = {});
    /// Every verb of `verbs` ("stock, adjust, ...", a module's verbs()), each with `follow` unless
    /// `overrides` names it.
    void add_module(std::string_view verbs, ModuleHandler handle, VerbFollowUps follow = {},
                    const std::map<std::string, VerbFollowUps>& overrides = {});

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

/// "a, b, c" -> {"a", "b", "c"}.
std::vector<std::string> split_verbs(std::string_view verbs);

}  // namespace packd::host
