#pragma once
// The admin socket's verbs in one table, shared by packd and packctl: each verb's name on the socket, the
// module of packd that answers it, what packd does after it answered, and how packctl spells it. packd's
// router refuses to register a verb that is not here; packctl builds its usage from it, and a test checks
// that packctl can send and show every verb.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace packd::host {

/// The follow-ups a verb asks for. `kick_answer_printer` and `retry_held_orders` apply to an ok answer
/// (the printer is the answer's "printer"); `kick_outbox` to any answer.
struct VerbFollowUps {
    bool kick_answer_printer = false;
    bool retry_held_orders = false;
    bool kick_outbox = false;

    bool operator==(const VerbFollowUps&) const = default;
};

/// Which part of packd answers a verb.
enum class AdminModule { daemon, station_desk, store, scales, labels, print_jobs };

struct AdminVerb {
    std::string_view cmd;  ///< the request's "cmd"
    AdminModule module;
    VerbFollowUps follow;
    /// packctl's usage lines for it; empty when the previous verb's lines cover it too.
    std::string_view usage;
    /// A packctl command line that sends it, for the test that packctl and packd agree.
    std::string_view example;
};

/// Every verb, in the order packctl's usage lists them.
std::span<const AdminVerb> admin_verbs();
/// The verb named `cmd`, or nothing.
std::optional<AdminVerb> find_admin_verb(std::string_view cmd);
/// "a, b, c": the verbs `module` answers, in table order.
std::string admin_verbs_of(AdminModule module);
/// packctl's usage: its options and every verb's lines.
std::string packctl_usage();

}  // namespace packd::host
