// packctl: merchant rules, their runs and a dry run, for `packctl rules`.

#include <iostream>

#include "packctl_print.hpp"

namespace packd::host::packctl::print {

using nlohmann::json;

namespace {

std::string joined(const json& words) {
    std::string out;
    for (const auto& w : words) {
        out += (out.empty() ? "" : ",") + (w.is_string() ? w.get<std::string>() : w.dump());
    }
    return out;
}

void print_actions(const json& actions, const char* indent) {
    for (const auto& a : actions) {
        std::cout << indent << text(a, "action");
        const json args = a.value("args", json::object());
        for (const auto& [key, value] : args.items()) {
            std::cout << " " << key << "=" << (value.is_string() ? value.get<std::string>() : value.dump());
        }
        if (a.contains("result")) {
            std::cout << " -> " << text(a, "result");
        }
        if (a.contains("error")) {
            std::cout << " -> FAILED: " << text(a, "error");
        }
        std::cout << "\n";
    }
}

}  // namespace

void print_rules(const json& rules) {
    if (rules.empty()) {
        std::cout << "no rules loaded ([rules] dir)\n";
        return;
    }
    for (const auto& r : rules) {
        std::cout << text(r, "name") << "  on " << joined(r.value("triggers", json::array())) << "  ("
                  << text(r, "file") << ":" << text(r, "line") << ")\n"
                  << "  runs " << text(r, "runs") << ", matched " << text(r, "matched") << ", fired "
                  << text(r, "fired") << ", limited " << text(r, "limited") << ", failed "
                  << text(r, "failed") << "\n";
    }
}

void print_rule_runs(const json& runs) {
    if (runs.empty()) {
        std::cout << "no runs recorded\n";
        return;
    }
    for (const auto& run : runs) {
        std::cout << local_time(run.value("at_ms", int64_t{0})) << "  " << text(run, "rule") << "  "
                  << text(run, "trigger") << "  " << text(run, "subject") << "  " << text(run, "outcome")
                  << (run.value("matched", false) ? "" : " (condition false)") << "  " << text(run, "micros")
                  << " us" << (text(run, "event_id").empty() ? "" : "  event " + text(run, "event_id"))
                  << "\n";
        if (!text(run, "reason").empty()) {
            std::cout << "  reason: " << text(run, "reason") << "\n";
        }
        print_actions(run.value("actions", json::array()), "  ");
    }
}

int print_rule_test(const json& test) {
    std::cout << "rule " << text(test, "rule") << " on " << text(test, "trigger")
              << (test.value("listens", false) ? "" : " (it does not listen to this trigger)") << "\n";
    if (test.contains("error")) {
        std::cout << "  error: " << text(test, "error") << "\n";
        return 2;
    }
    if (!test.value("matches", false)) {
        std::cout << "  condition false: nothing would happen\n";
        return 1;
    }
    std::cout << "  condition true"
              << (test.value("limited", false) ? ", but its mode holds it back now" : "") << "; it would:\n";
    print_actions(test.value("would", json::array()), "    ");
    return 0;
}

}  // namespace packd::host::packctl::print
