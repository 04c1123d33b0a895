#include <gtest/gtest.h>

#include <string>

#include "packd/fulfillment/rules/rule_set.hpp"

namespace packd::fulfillment {
namespace {

const std::string kPath = "rules/test.toml";

/// The problem parse_rule_file reports for `text`, or a failure when it parses.
std::string refusal(const std::string& text) {
    auto parsed = parse_rule_file(kPath, text);
    if (parsed) {
        ADD_FAILURE() << "parsed, expected a refusal:\n" << text;
        return {};
    }
    return parsed.error().message;
}

const std::string& arg(const ActionSpec& action, const std::string& name) {
    static const std::string none = "<absent>";
    for (const auto& [key, value] : action.args) {
        if (key == name) {
            return value.text;
        }
    }
    return none;
}

TEST(RuleFile, AValidFileParsesEveryRuleWithItsModeAndActions) {
    const std::string text = R"(setup = "limit = 500"

[[rule]]
name = "hold-big"
on = ["order.accepted", "order.updated"]
if = "order.total > limit"
once_per = "order"
period = "24h"
cooldown = "10m"

[[rule.do]]
action = "hold"
reason = "over {{ limit }}"

[[rule.do]]
action = "alert"
kind = "order_review"
message = "order {{ order.id }}"

[[rule]]
name = "morning"
on = "time"
at = "07:30"

[[rule.do]]
action = "publish"
topic = "daily/summary"

[[rule]]
name = "every-quarter"
on = "interval"
every = "15m"

[[rule.do]]
action = "reorder"
quantity = 12
sku = "MUG"
)";
    auto parsed = parse_rule_file(kPath, text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->path, kPath);
    EXPECT_EQ(parsed->setup.text, "limit = 500");
    ASSERT_EQ(parsed->rules.size(), 3u);

    const RuleSpec& hold = parsed->rules[0];
    EXPECT_EQ(hold.name, "hold-big");
    EXPECT_EQ(hold.file, kPath);
    EXPECT_EQ(hold.place.line, 3);
    EXPECT_EQ(hold.triggers, (std::vector<std::string>{"order.accepted", "order.updated"}));
    EXPECT_EQ(hold.condition.text, "order.total > limit");
    EXPECT_EQ(hold.condition.place.line, 6);
    EXPECT_EQ(hold.condition.place.column, 7) << "the text starts after the quote of if = \"";
    EXPECT_EQ(hold.once_per, RuleSubject::order);
    EXPECT_EQ(hold.period_ms, 24LL * 3600 * 1000);
    EXPECT_EQ(hold.cooldown_ms, 10LL * 60 * 1000);
    EXPECT_EQ(hold.at_minute, -1);
    EXPECT_EQ(hold.every_ms, 0);
    ASSERT_EQ(hold.actions.size(), 2u);
    EXPECT_EQ(hold.actions[0].kind, "hold");
    EXPECT_EQ(arg(hold.actions[0], "reason"), "over {{ limit }}");
    EXPECT_EQ(hold.actions[1].kind, "alert");
    EXPECT_EQ(arg(hold.actions[1], "kind"), "order_review");
    EXPECT_EQ(arg(hold.actions[1], "message"), "order {{ order.id }}");

    const RuleSpec& morning = parsed->rules[1];
    EXPECT_EQ(morning.name, "morning");
    EXPECT_EQ(morning.triggers, (std::vector<std::string>{"time"}));
    EXPECT_EQ(morning.at_minute, 7 * 60 + 30);
    EXPECT_TRUE(morning.condition.text.empty()) << "no if: always";
    EXPECT_EQ(morning.once_per, RuleSubject::event);
    EXPECT_EQ(arg(morning.actions.at(0), "topic"), "daily/summary");

    const RuleSpec& quarter = parsed->rules[2];
    EXPECT_EQ(quarter.every_ms, 15LL * 60 * 1000);
    ASSERT_EQ(quarter.actions.size(), 1u);
    EXPECT_EQ(quarter.actions[0].kind, "reorder");
    EXPECT_EQ(arg(quarter.actions[0], "quantity"), "12") << "an integer argument is its text";
    EXPECT_EQ(arg(quarter.actions[0], "sku"), "MUG");
}

TEST(RuleFile, AMultiLineConditionStartsOnTheLineAfterItsQuotes) {
    auto parsed = parse_rule_file(kPath,
                                  "[[rule]]\nname = \"a\"\non = \"order.accepted\"\nif = \"\"\"\n"
                                  "order.total > 5\n\"\"\"\n[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->rules.at(0).condition.place.line, 5);
    EXPECT_EQ(parsed->rules.at(0).condition.place.column, 1);
}

TEST(RuleFile, AFileWithoutRulesIsEmpty) {
    auto parsed = parse_rule_file(kPath, "# nothing yet\n");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->rules.empty());
}

// One rule around the lines that differ; `body` starts on line 3.
std::string rule_with(const std::string& body,
                      const std::string& actions = "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\n") {
    return "[[rule]]\nname = \"r\"\n" + body + actions;
}

TEST(RuleFile, BadTomlIsRefusedWithItsPlace) {
    const std::string why = refusal("[[rule]]\nname = \"r\"\non = [\"order.accepted\"\n");
    EXPECT_EQ(why.rfind(kPath + ":", 0), 0u) << why;
    EXPECT_NE(why.find("not valid TOML"), std::string::npos) << why;
    // The place of the problem, line 3 or 4 (the array that never closes), and a column.
    EXPECT_TRUE(why.rfind(kPath + ":3:", 0) == 0 || why.rfind(kPath + ":4:", 0) == 0) << why;
}

TEST(RuleFile, AnUnknownKeyIsRefusedWhereItIs) {
    const std::string why = refusal(rule_with("on = \"order.accepted\"\nwhen = \"now\"\n"));
    EXPECT_EQ(why.rfind(kPath + ":4:8: unknown key \"when\" in a rule", 0), 0u) << why;
    const std::string top = refusal("rules = 1\n");
    EXPECT_EQ(top.rfind(kPath + ":1:9: unknown key \"rules\"", 0), 0u) << top;
}

TEST(RuleFile, AnUnknownTriggerIsRefused) {
    const std::string why = refusal(rule_with("on = [\"order.accepted\", \"order.teleported\"]\n"));
    EXPECT_EQ(why.rfind(kPath + ":3:6: rule \"r\": unknown trigger \"order.teleported\"", 0), 0u) << why;
}

TEST(RuleFile, AnUnknownActionIsRefused) {
    const std::string why =
        refusal(rule_with("on = \"order.accepted\"\n", "[[rule.do]]\naction = \"explode\"\n"));
    EXPECT_EQ(why.rfind(kPath + ":5:10: rule \"r\": do[0]: unknown action \"explode\" (known: hold,", 0), 0u)
        << why;
}

TEST(RuleFile, AMissingRequiredArgumentIsRefused) {
    const std::string why =
        refusal(rule_with("on = \"order.accepted\"\n", "[[rule.do]]\naction = \"hold\"\n"));
    EXPECT_EQ(why, kPath + ":4:1: rule \"r\": do[0]: action hold needs reason");
}

TEST(RuleFile, AnArgumentTheActionDoesNotTakeIsRefused) {
    const std::string why = refusal(rule_with(
        "on = \"order.accepted\"\n", "[[rule.do]]\naction = \"tag\"\ntag = \"x\"\ncolour = \"red\"\n"));
    EXPECT_EQ(why, kPath + ":7:10: rule \"r\": do[0]: action tag takes no \"colour\"");
}

TEST(RuleFile, ARuleNamedTwiceIsRefused) {
    const std::string one = rule_with("on = \"order.accepted\"\n");
    const std::string why = refusal(one + "\n" + one);
    EXPECT_EQ(why, kPath + ":9:8: rule \"r\" is named twice in this file");
}

TEST(RuleFile, ABadDurationIsRefused) {
    const std::string why = refusal(rule_with("on = \"order.accepted\"\ncooldown = \"ten minutes\"\n"));
    EXPECT_EQ(why.rfind(kPath + ":4:12: rule \"r\": cooldown: \"ten minutes\" is not a duration", 0), 0u)
        << why;
    const std::string zero = refusal(rule_with("on = \"order.accepted\"\ncooldown = \"0s\"\n"));
    EXPECT_NE(zero.find("cooldown: \"0s\" is not a duration from 1s to 366d"), std::string::npos) << zero;
    const std::string too_long = refusal(rule_with("on = \"order.accepted\"\ncooldown = \"367d\"\n"));
    EXPECT_NE(too_long.find("\"367d\" is not a duration from 1s to 366d"), std::string::npos) << too_long;
}

TEST(RuleFile, DurationsAreReadInTheirUnits) {
    EXPECT_EQ(parse_rule_duration("30s").value(), 30000);
    EXPECT_EQ(parse_rule_duration("10m").value(), 600000);
    EXPECT_EQ(parse_rule_duration("24h").value(), 86400000);
    EXPECT_EQ(parse_rule_duration("7d").value(), 7LL * 86400000);
    EXPECT_EQ(parse_rule_duration("366d").value(), 366LL * 86400000);
    for (const char* bad : {"", "s", "5", "5w", "-5m", "1.5h", "5 m", "99999999999d"}) {
        EXPECT_FALSE(parse_rule_duration(bad).ok()) << bad;
    }
}

TEST(RuleFile, ATimeTriggerWithoutAtIsRefused) {
    const std::string why = refusal(rule_with("on = \"time\"\n"));
    EXPECT_EQ(why, kPath + ":1:1: rule \"r\": trigger time needs at = \"HH:MM\"");
    const std::string bad_clock = refusal(rule_with("on = \"time\"\nat = \"24:00\"\n"));
    EXPECT_EQ(bad_clock, kPath + ":4:6: rule \"r\": at must be a time of day \"HH:MM\"");
    const std::string stray = refusal(rule_with("on = \"order.accepted\"\nat = \"07:00\"\n"));
    EXPECT_EQ(stray, kPath + ":1:1: rule \"r\": at is for trigger time");
}

TEST(RuleFile, AnIntervalWithoutEveryIsRefused) {
    const std::string why = refusal(rule_with("on = \"interval\"\n"));
    EXPECT_EQ(why, kPath + ":1:1: rule \"r\": trigger interval needs every = \"15m\"");
    const std::string fast = refusal(rule_with("on = \"interval\"\nevery = \"0s\"\n"));
    EXPECT_NE(fast.find("every: \"0s\" is not a duration"), std::string::npos) << fast;
}

TEST(RuleFile, APeriodWithoutOncePerIsRefused) {
    const std::string why = refusal(rule_with("on = \"order.accepted\"\nperiod = \"24h\"\n"));
    EXPECT_EQ(why, kPath + ":4:10: rule \"r\": period needs once_per");
    const std::string subject = refusal(rule_with("on = \"order.accepted\"\nonce_per = \"customer\"\n"));
    EXPECT_EQ(subject,
              kPath + ":4:12: rule \"r\": once_per must be event, order, sku, rma, device or station");
}

TEST(RuleFile, ARuleWithoutTriggersOrActionsIsRefused) {
    EXPECT_EQ(refusal(rule_with("")), kPath + ":1:1: rule \"r\" needs on = [\"order.accepted\", ...]");
    EXPECT_EQ(refusal(rule_with("on = \"order.accepted\"\n", "")),
              kPath + ":1:1: rule \"r\" needs at least one action: [[rule.do]] action = \"...\"");
    EXPECT_EQ(refusal("[[rule]]\non = \"order.accepted\"\n"), kPath + ":1:1: a rule needs name = \"...\"");
    const std::string name = refusal("[[rule]]\nname = \"a b\"\non = \"order.accepted\"\n");
    EXPECT_EQ(name.rfind(kPath + ":2:8: rule name \"a b\" must be 1 to 64 letters", 0), 0u) << name;
}

}  // namespace
}  // namespace packd::fulfillment
