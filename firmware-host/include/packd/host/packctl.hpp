#pragma once
// packctl's two halves, apart from its main() so a test can hold them against the verb table: a command
// line turned into a request for packd's admin socket, and packd's answer shown for people.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace packd::host::packctl {

/// The request for a command line, or a usage error.
struct Command {
    nlohmann::json request;
    std::string error;        ///< "usage" when the words match no command
    std::string output_file;  ///< export stock FILE, label preview --out FILE
};

/// `words` are the command line without options; `options` the --name VALUE pairs without "--".
Command build_request(const std::vector<std::string>& words,
                      const std::map<std::string, std::string>& options);

/// Prints an ok answer to `request` for people; the exit code, or nothing for a verb packctl cannot show.
std::optional<int> show_answer(const nlohmann::json& request, const nlohmann::json& answer,
                               const std::string& output_file);

/// Whether show_answer knows the verb `cmd`.
bool shows(std::string_view cmd);

}  // namespace packd::host::packctl
