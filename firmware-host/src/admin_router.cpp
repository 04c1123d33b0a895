#include "packd/host/admin_router.hpp"

namespace packd::host {

using nlohmann::json;

std::vector<std::string> split_verbs(std::string_view verbs) {
    std::vector<std::string> out;
    while (!verbs.empty()) {
        const std::size_t comma = verbs.find(',');
        std::string_view word = verbs.substr(0, comma);
        while (!word.empty() && word.front() == ' ') {
            word.remove_prefix(1);
        }
        while (!word.empty() && word.back() == ' ') {
            word.remove_suffix(1);
        }
        if (!word.empty()) {
            out.emplace_back(word);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        verbs.remove_prefix(comma + 1);
    }
    return out;
}

void AdminRouter::add(const std::string& verb, Handler handler, VerbFollowUps follow) {
    if (index_.count(verb)) {
        return;
    }
    index_.emplace(verb, verbs_.size());
    verbs_.push_back({verb, std::move(handler), follow});
}

void AdminRouter::add_module(std::string_view verbs, ModuleHandler handle, VerbFollowUps follow,
                             const std::map<std::string, VerbFollowUps>& overrides) {
    for (const std::string& verb : split_verbs(verbs)) {
        const auto special = overrides.find(verb);
        add(
            verb,
            [handle, verb](const json& request) {
                auto answer = handle(verb, request);
                return answer ? *answer
                              : json{{"ok", false}, {"error", "command \"" + verb + "\" is not handled"}};
            },
            special != overrides.end() ? special->second : follow);
    }
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
