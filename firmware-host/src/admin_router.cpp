#include "packd/host/admin_router.hpp"

#include <stdexcept>

namespace packd::host {

using nlohmann::json;

void AdminRouter::add(std::string_view verb, Handler handler) {
    const auto entry = find_admin_verb(verb);
    if (!entry) {
        throw std::logic_error("admin verb \"" + std::string(verb) + "\" is not in the verb table");
    }
    if (index_.count(verb)) {
        throw std::logic_error("admin verb \"" + std::string(verb) + "\" added twice");
    }
    index_.emplace(std::string(verb), verbs_.size());
    verbs_.push_back({std::string(verb), std::move(handler), entry->follow});
}

void AdminRouter::add_module(AdminModule module, ModuleHandler handle) {
    for (const AdminVerb& entry : admin_verbs()) {
        if (entry.module != module) {
            continue;
        }
        const std::string verb(entry.cmd);
        add(verb, [handle, verb](const json& request) {
            auto answer = handle(verb, request);
            return answer ? *answer
                          : json{{"ok", false}, {"error", "command \"" + verb + "\" is not handled"}};
        });
    }
}

std::vector<std::string> AdminRouter::missing() const {
    std::vector<std::string> out;
    for (const AdminVerb& entry : admin_verbs()) {
        if (!index_.count(entry.cmd)) {
            out.emplace_back(entry.cmd);
        }
    }
    return out;
}

AdminReply AdminRouter::route(const json& request) const {
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
        return {{{"ok", false}, {"error", "request needs a \"cmd\" string"}}, {}};
    }
    const std::string verb = cmd->get<std::string>();
    const auto it = index_.find(verb);
    if (it == index_.end()) {
        return {{{"ok", false},
                 {"error", "unknown command \"" + verb.substr(0, 64) + "\" (known: " + known() + ")"}},
                {}};
    }
    const Verb& v = verbs_[it->second];
    AdminReply reply{v.handler(request), {}};
    const bool ok = reply.answer.is_object() && reply.answer.value("ok", false);
    if (ok && v.follow.kick_answer_printer) {
        reply.then.kick_printers.insert(reply.answer.value("printer", ""));
    }
    reply.then.retry_held_orders = ok && v.follow.retry_held_orders;
    reply.then.kick_outbox = v.follow.kick_outbox;
    return reply;
}

std::string AdminRouter::known() const {
    std::string out;
    for (const Verb& v : verbs_) {
        out += (out.empty() ? "" : ", ") + v.name;
    }
    return out;
}

}  // namespace packd::host
