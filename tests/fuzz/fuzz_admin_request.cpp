// Request lines on the admin socket (firmware-host/src/admin_server.cpp): the line is parsed with
// nlohmann::json::parse(line, nullptr, false) and must be an object; the answer, which may echo what the
// request said, is serialised with error_handler_t::replace. Neither step may throw, and the answer must stay
// one line of valid JSON whatever the request held.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

using nlohmann::json;
using packd::fuzz::check;

std::string answer_text(const json& answer) {
    return answer.dump(-1, ' ', false, json::error_handler_t::replace);
}

void check_answer(const json& answer) {
    const std::string text = answer_text(answer);
    check(text.find('\n') == std::string::npos, "an answer is one line", text);
    check(packd::fuzz::is_strict_utf8(text), "an answer is valid UTF-8", text);
    const json back = json::parse(text, nullptr, false);
    check(!back.is_discarded() && back.is_object(), "an answer parses back as an object", text);
}

void answer(const json& request) {
    // As Daemon::handle_admin answers an unknown command: the verb, cut to 64 bytes, inside the error. The
    // cut can fall inside a UTF-8 sequence; the replace handler must cope.
    const auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) {
        check_answer({{"ok", false}, {"error", "request needs a \"cmd\" string"}});
    } else {
        const std::string verb = cmd->get<std::string>();
        check_answer({{"ok", false},
                      {"error", "unknown command \"" + verb.substr(0, 64) + "\" (known: status, orders)"}});
    }
    // Any field echoed whole, whatever its type.
    for (const auto& [key, value] : request.items()) {
        check_answer({{"ok", false}, {"key", key}, {"echo", value}});
        break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // async_read_until hands over everything up to and including the first '\n'.
    std::string line(reinterpret_cast<const char*>(data), size);
    if (const auto newline = line.find('\n'); newline != std::string::npos) {
        line.resize(newline + 1);
    } else {
        line += '\n';
    }
    try {
        const json request = json::parse(line, nullptr, false);
        if (request.is_discarded()) {
            return 0;
        }
        // What was parsed survives a round trip through its own serialisation.
        const json again = json::parse(answer_text(request), nullptr, false);
        check(again == request, "a parsed request serialises to the same JSON", line);
        if (request.is_object()) {
            answer(request);
        }
    } catch (const std::exception& e) {
        check(false, "parsing a request and serialising an answer never throw", e.what());
    }
    return 0;
}
