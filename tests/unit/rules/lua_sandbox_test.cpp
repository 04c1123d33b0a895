#include "packd/fulfillment/rules/lua_sandbox.hpp"

#include <gtest/gtest.h>

#include <lua.hpp>

#include <chrono>
#include <string>

namespace packd::fulfillment {
namespace {

const std::string kFile = "rules/hostile.toml";

/// What a call gave: its first value as text, or the reason it was stopped.
struct Outcome {
    bool ok = false;
    std::string value;   ///< tostring of the value when ok
    std::string reason;  ///< the error when not
};

class LuaSandboxTest : public ::testing::Test {
  protected:
    LuaSandboxTest() : lua(LuaLimits{1000000, 4u << 20}) {
        auto made = lua.new_environment();
        EXPECT_TRUE(made.ok()) << made.error().message;
        env = made ? *made : 0;
    }

    /// Compiles `source` (an expression or a chunk) and calls it under the limits.
    Outcome run(const std::string& source) {
        Outcome out;
        auto ref = lua.compile(kFile, source, {10, 7}, env, true);
        if (!ref) {
            out.reason = "compile: " + ref.error().message;
            return out;
        }
        lua_State* L = lua.state();
        const int top = lua_gettop(L);
        auto called = lua.call(*ref, 1);
        lua.release(*ref);
        if (!called) {
            out.reason = called.error().message;
            EXPECT_EQ(lua_gettop(L), top) << "a failed call leaves nothing on the stack";
            return out;
        }
        out.ok = true;
        size_t n = 0;
        const char* s = luaL_tolstring(L, -1, &n);
        out.value.assign(s, n);
        lua_pop(L, 2);
        EXPECT_EQ(lua_gettop(L), top);
        return out;
    }

    /// `source` is stopped with a reason holding `why`, and the state still evaluates an expression.
    void expect_stopped(const std::string& source, const std::string& why) {
        const Outcome out = run(source);
        EXPECT_FALSE(out.ok) << source << " gave " << out.value;
        EXPECT_NE(out.reason.find(why), std::string::npos) << source << ": " << out.reason;
        expect_usable();
    }

    void expect_usable() {
        const Outcome after = run("1 + 2");
        EXPECT_TRUE(after.ok) << after.reason;
        EXPECT_EQ(after.value, "3");
        const Outcome text = run("('ab'):upper() .. string.rep('-', 3)");
        EXPECT_TRUE(text.ok) << text.reason;
        EXPECT_EQ(text.value, "AB---");
    }

    LuaSandbox lua;
    int env = 0;
};

TEST_F(LuaSandboxTest, ASimpleExpressionEvaluates) {
    const Outcome out = run("math.max(3, 7) * 2");
    ASSERT_TRUE(out.ok) << out.reason;
    EXPECT_EQ(out.value, "14");
    const Outcome chunk = run("local t = {} for i = 1, 3 do t[#t + 1] = i end return table.concat(t, ',')");
    ASSERT_TRUE(chunk.ok) << chunk.reason;
    EXPECT_EQ(chunk.value, "1,2,3");
}

TEST_F(LuaSandboxTest, OsIsAbsent) {
    expect_stopped("os.execute(\"id\")", "attempt to index a nil value (global 'os')");
}

TEST_F(LuaSandboxTest, IoIsAbsent) {
    expect_stopped("io.open(\"/etc/passwd\")", "attempt to index a nil value (global 'io')");
}

TEST_F(LuaSandboxTest, RequireIsAbsent) {
    expect_stopped("require(\"os\")", "attempt to call a nil value (global 'require')");
}

TEST_F(LuaSandboxTest, NoFunctionLoadsCode) {
    expect_stopped("string.dump(function() end)", "attempt to call a nil value (field 'dump')");
    // Bytecode starts with ESC "Lua"; load, loadstring, dofile and loadfile are all gone.
    expect_stopped("load(\"\\27Lua\\84\\0\")", "attempt to call a nil value (global 'load')");
    expect_stopped("load(\"return 1\")", "attempt to call a nil value (global 'load')");
    expect_stopped("dofile(\"/etc/passwd\")", "attempt to call a nil value (global 'dofile')");
    expect_stopped("loadfile(\"/etc/passwd\")", "attempt to call a nil value (global 'loadfile')");
    // The escape hatches of the debug library and coroutines are gone too.
    expect_stopped("debug.getregistry()", "global 'debug'");
    expect_stopped("collectgarbage(\"stop\")", "global 'collectgarbage'");
    expect_stopped("rawset(_ENV, 'x', 1)", "global 'rawset'");
}

TEST_F(LuaSandboxTest, TheMemoryCapStopsAHugeString) {
    expect_stopped("string.rep(\"x\", 1e9)", "memory cap of 4096 KiB reached");
    EXPECT_LT(lua.memory_used(), size_t{4u << 20});
}

// The C API raises "not enough memory" too, outside any call; protect() turns that into a reason instead of
// the panic that would abort the process.
TEST_F(LuaSandboxTest, ProtectTurnsAnAllocationOverTheCapIntoAReason) {
    auto refused = lua.protect([](lua_State* L) { lua_createtable(L, 1 << 22, 0); });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message, "memory cap of 4096 KiB reached");
    auto fine = lua.protect([](lua_State* L) {
        lua_createtable(L, 4, 0);
        lua_pop(L, 1);
    });
    EXPECT_TRUE(fine.ok()) << fine.error().message;
    expect_usable();
}

TEST_F(LuaSandboxTest, TheInstructionBudgetStopsAnEndlessLoop) {
    const auto start = std::chrono::steady_clock::now();
    expect_stopped("while true do end", "instruction budget of 1000000 exceeded");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(LuaSandboxTest, DeepRecursionIsStopped) {
    const Outcome out = run("local function f(n) return f(n + 1) + 1 end return f(1)");
    EXPECT_FALSE(out.ok) << out.value;
    const bool known = out.reason.find("stack overflow") != std::string::npos ||
                       out.reason.find("memory cap") != std::string::npos ||
                       out.reason.find("instruction budget") != std::string::npos;
    EXPECT_TRUE(known) << out.reason;
    expect_usable();
}

TEST_F(LuaSandboxTest, ATableThatGrowsWithoutEndMeetsTheMemoryCap) {
    expect_stopped("local t = {} local i = 0 while true do i = i + 1 t[i] = string.rep('x', 512) .. i end",
                   "memory cap of 4096 KiB reached");
}

TEST_F(LuaSandboxTest, TheStringMetatableIsProtected) {
    const Outcome mt = run("getmetatable(\"\")");
    ASSERT_TRUE(mt.ok) << mt.reason;
    EXPECT_EQ(mt.value, "false") << "the metatable is hidden behind __metatable";
    expect_stopped("getmetatable(\"\").__index", "attempt to index a boolean value");
    expect_stopped("setmetatable(string, {})", "cannot change a protected metatable");
}

TEST_F(LuaSandboxTest, TheLibrariesAreReadOnly) {
    const Outcome write = run("(function() string.upper = function() return 'pwned' end end)()");
    EXPECT_FALSE(write.ok);
    EXPECT_NE(write.reason.find("the libraries are read-only in rules"), std::string::npos) << write.reason;
    expect_stopped("(function() math.pi = 3 end)()", "read-only");
    const Outcome upper = run("('x'):upper() .. string.upper('y')");
    ASSERT_TRUE(upper.ok) << upper.reason;
    EXPECT_EQ(upper.value, "XY") << "string.upper is the real one still";
    const Outcome pi = run("math.pi > 3.14");
    EXPECT_EQ(pi.value, "true");
}

TEST_F(LuaSandboxTest, StringFindIsPlain) {
    // As a pattern "a.c" would match "abc"; plain, it does not, whatever the fourth argument says.
    EXPECT_EQ(run("string.find('abc', 'a.c')").value, "nil");
    EXPECT_EQ(run("string.find('abc', 'a.c', 1, false)").value, "nil");
    EXPECT_EQ(run("('xa.c'):find('a.c')").value, "2");
    EXPECT_EQ(run("string.find('(((', '((', 2)").value, "2") << "a pattern this would be an error";
}

TEST_F(LuaSandboxTest, PatternFunctionsRefuseLongSubjects) {
    expect_stopped("string.gsub(string.rep('a', 5000), '.-.-.-.-x', '')",
                   "pattern functions take subjects of at most 1024 bytes");
    expect_stopped("string.rep('a', 2000):match('(.-)x')", "subjects of at most 1024 bytes");
    expect_stopped("string.match('abc', string.rep('.', 100))", "patterns of at most 64");
    const Outcome short_subject = run("(string.gsub('a-b-c', '-', '+'))");
    ASSERT_TRUE(short_subject.ok) << short_subject.reason;
    EXPECT_EQ(short_subject.value, "a+b+c");
}

TEST_F(LuaSandboxTest, ACompileErrorNamesTheFileLineAndColumnFromThePlace) {
    // The expression starts at line 12, column 20 of the file: the '*' is 8 characters in.
    auto one = lua.compile(kFile, "total + * 2", {12, 20}, env, true);
    ASSERT_FALSE(one.ok());
    EXPECT_EQ(one.error().message, kFile + ":12:28: unexpected symbol near '*'");

    // A chunk on lines 3 and 4 of the file: the problem is on its second line, whose column is its own.
    auto two = lua.compile(kFile, "local a = 1\nlocal b = 2 +* 3\nreturn a", {3, 1}, env, false);
    ASSERT_FALSE(two.ok());
    EXPECT_EQ(two.error().message, kFile + ":4:14: unexpected symbol near '*'");

    // A condition written as a chunk: its problem is where the chunk's parse stopped, not at its first word.
    auto chunk = lua.compile(kFile, "local x = 1 +* 2 return x", {5, 7}, env, true);
    ASSERT_FALSE(chunk.ok());
    EXPECT_EQ(chunk.error().message, kFile + ":5:20: unexpected symbol near '*'");

    // Text that stops too soon: just past its end.
    auto short_text = lua.compile(kFile, "order.total >", {5, 7}, env, true);
    ASSERT_FALSE(short_text.ok());
    EXPECT_EQ(short_text.error().message, kFile + ":5:20: unexpected symbol near <eof>");

    // An error at run time names the file's line too.
    auto ref = lua.compile(kFile, "\n\nerror('boom')", {30, 1}, env, false);
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    auto called = lua.call(*ref, 0);
    ASSERT_FALSE(called.ok());
    EXPECT_EQ(called.error().message, kFile + ":32: boom");
}

// Lua cuts a chunk's name after 59 bytes in its messages; a long path must keep its line numbers.
TEST_F(LuaSandboxTest, ALongPathKeepsItsLineNumbers) {
    const std::string file = "/etc/packd/rules/" + std::string(60, 'a') + ".toml";
    auto compiled = lua.compile(file, "local a = 1\nlocal b = 2 +* 3", {3, 1}, env, false);
    ASSERT_FALSE(compiled.ok());
    EXPECT_EQ(compiled.error().message, file + ":4:14: unexpected symbol near '*'");
    auto ref = lua.compile(file, "\n\nerror('boom')", {30, 1}, env, false);
    ASSERT_TRUE(ref.ok()) << ref.error().message;
    auto called = lua.call(*ref, 0);
    ASSERT_FALSE(called.ok());
    EXPECT_EQ(called.error().message, file + ":32: boom");
    // A message that only looks like a tag is left as it is.
    auto odd = lua.compile(kFile, "error('#99999999999999999999:x', 0)", {1, 1}, env, false);
    ASSERT_TRUE(odd.ok());
    EXPECT_EQ(lua.call(*odd, 0).error().message, "#99999999999999999999:x");
}

TEST_F(LuaSandboxTest, GlobalsStayInTheirFilesEnvironment) {
    auto set = lua.compile(kFile, "limit = 5", {1, 1}, env, false);
    ASSERT_TRUE(set.ok()) << set.error().message;
    ASSERT_TRUE(lua.call(*set, 0).ok());
    EXPECT_EQ(run("limit").value, "5");
    auto other = lua.new_environment();
    ASSERT_TRUE(other.ok()) << other.error().message;
    auto read = lua.compile(kFile, "limit", {1, 1}, *other, true);
    ASSERT_TRUE(read.ok());
    ASSERT_TRUE(lua.call(*read, 1).ok());
    EXPECT_TRUE(lua_isnil(lua.state(), -1)) << "another file does not see it";
    lua_pop(lua.state(), 1);
}

}  // namespace
}  // namespace packd::fulfillment
