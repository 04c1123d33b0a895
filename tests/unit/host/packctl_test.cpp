// The admin verb table (firmware-host/src/admin_verbs.cpp) against both of its users: packctl can send
// and show every verb, and packd's router takes every verb with the table's follow-ups and no other.

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "packd/host/admin_router.hpp"
#include "packd/host/admin_verbs.hpp"
#include "packd/host/packctl.hpp"

namespace packd::host {
namespace {

using nlohmann::json;

/// An example command line as packctl's main() splits it: words, and --name VALUE options.
packctl::Command request_for(std::string_view example) {
    std::istringstream in{std::string(example)};
    std::vector<std::string> words;
    std::map<std::string, std::string> options;
    for (std::string word; in >> word;) {
        if (word.rfind("--", 0) == 0) {
            in >> options[word.substr(2)];
        } else {
            words.push_back(word);
        }
    }
    return packctl::build_request(words, options);
}

TEST(AdminVerbs, PackctlSendsAndShowsEveryVerb) {
    ASSERT_GE(admin_verbs().size(), 25u);
    std::set<std::string_view> seen;
    for (const AdminVerb& verb : admin_verbs()) {
        EXPECT_TRUE(seen.insert(verb.cmd).second) << verb.cmd << " twice";
        const packctl::Command c = request_for(verb.example);
        EXPECT_EQ(c.error, "") << verb.example;
        EXPECT_EQ(c.request.value("cmd", ""), verb.cmd) << verb.example;
        EXPECT_TRUE(packctl::shows(verb.cmd)) << verb.cmd;
    }
    EXPECT_FALSE(packctl::shows("no_such_verb"));
    EXPECT_EQ(packctl::show_answer({{"cmd", "no_such_verb"}}, {{"ok", true}}, ""), std::nullopt);
}

TEST(AdminVerbs, PackctlBuildsTheLookUps) {
    EXPECT_EQ(request_for("find Mug red").request, (json{{"cmd", "find"}, {"query", "Mug red"}}));
    EXPECT_EQ(packctl::build_request({"find", "MUG\xff"}, {}).error, "the text to find is not UTF-8");
    EXPECT_EQ(request_for("find").error, "usage");
    EXPECT_EQ(request_for("movements --sku MUG --location A-01 --limit 7").request,
              (json{{"cmd", "movements"}, {"sku", "MUG"}, {"location", "A-01"}, {"limit", 7}}));
    EXPECT_EQ(request_for("movements").request, (json{{"cmd", "movements"}}));
    EXPECT_EQ(request_for("movements --limit 7x").error, "--limit must be a whole number from 1 to 500");
    EXPECT_EQ(request_for("stock MUG --location A-01").request,
              (json{{"cmd", "stock"}, {"sku", "MUG"}, {"location", "A-01"}}));
    EXPECT_EQ(request_for("stock").request, (json{{"cmd", "stock"}}));
}

TEST(AdminVerbs, UsageListsEveryCommandOnce) {
    const std::string usage = packctl_usage();
    for (const char* line : {"  status ", "  import stock FILE.csv", "  scale zero|tare NAME", "  find TEXT ",
                             "  movements [--sku S]", "  stock --location CODE",
                             "  label confirm JOB | label resend JOB", "  --json "}) {
        const auto at = usage.find(line);
        EXPECT_NE(at, std::string::npos) << line;
        EXPECT_EQ(usage.find(line, at + 1), std::string::npos) << line;
    }
    EXPECT_EQ(usage.rfind("usage: packctl ", 0), 0u);
}

TEST(AdminVerbs, ModulesAnswerTheirVerbsInTableOrder) {
    EXPECT_EQ(admin_verbs_of(AdminModule::scales), "scale, scale_zero, scale_tare");
    EXPECT_EQ(admin_verbs_of(AdminModule::print_jobs), "labels_uncertain, label_confirm, label_resend");
    ASSERT_TRUE(find_admin_verb("reprint"));
    EXPECT_EQ(find_admin_verb("reprint")->module, AdminModule::store);
    EXPECT_FALSE(find_admin_verb("reprint "));
}

TEST(AdminVerbs, TheRouterRefusesVerbsTheTableDoesNotHold) {
    AdminRouter router;
    const auto ok = [](const json&) { return json{{"ok", true}}; };
    EXPECT_THROW(router.add("drop_tables", ok), std::logic_error);
    router.add("status", ok);
    EXPECT_THROW(router.add("status", ok), std::logic_error);
    const auto missing = router.missing();
    EXPECT_EQ(missing.size(), admin_verbs().size() - 1);
    EXPECT_EQ(std::count(missing.begin(), missing.end(), "status"), 0);
}

}  // namespace
}  // namespace packd::host
