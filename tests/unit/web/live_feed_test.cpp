// Event streams by channel (firmware-host/web/src/live_feed.cpp): the server-sent event framing, and who
// receives what is published, with subscribers that live and die as a browser's stream does.

#include "packd/web/live_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace packd::web {
namespace {

using nlohmann::json;

/// A stream that keeps what it was sent.
struct RecordingStream : LiveFeed::Subscriber {
    void send(std::shared_ptr<const std::string> frame) override { frames.push_back(*frame); }
    std::vector<std::string> frames;
};

/// The lines of one frame, without the blank line that ends it.
std::vector<std::string> lines_of(const std::string& frame) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = frame.find('\n', start)) != std::string::npos; start = nl + 1) {
        lines.push_back(frame.substr(start, nl - start));
    }
    EXPECT_EQ(start, frame.size()) << "a frame ends with a line break";
    return lines;
}

TEST(WebLiveFeed, FrameIsOneEventLineAndOneDataLine) {
    const std::string frame = LiveFeed::frame("weight", json{{"grams", 1250}, {"stable", true}});
    EXPECT_EQ(frame, "event: weight\ndata: {\"grams\":1250,\"stable\":true}\n\n");
}

TEST(WebLiveFeed, LineBreaksAndMarkupInTheDataStayInsideOneDataLine) {
    const json data = {{"note", "line one\nline two\r\n\nevent: forged\ndata: x"},
                       {"name", "</script><script>alert(1)</script>"}};
    const std::string frame = LiveFeed::frame("order", data);
    const std::vector<std::string> lines = lines_of(frame);
    ASSERT_EQ(lines.size(), 3u) << frame;
    EXPECT_EQ(lines[0], "event: order");
    ASSERT_EQ(lines[1].rfind("data: ", 0), 0u);
    EXPECT_EQ(lines[2], "");
    EXPECT_EQ(frame.find('\r'), std::string::npos);
    EXPECT_EQ(json::parse(lines[1].substr(6)), data) << "the data line is the JSON, whole";
}

TEST(WebLiveFeed, BytesThatAreNotUtf8DoNotBreakTheFrame) {
    const std::string frame = LiveFeed::frame("scan", json{{"code", std::string("caf\xe9")}});
    const std::vector<std::string> lines = lines_of(frame);
    ASSERT_EQ(lines.size(), 3u) << frame;
    EXPECT_TRUE(json::accept(lines[1].substr(6))) << lines[1];
}

TEST(WebLiveFeed, PublishReachesTheChannelsLiveSubscribers) {
    LiveFeed feed;
    auto a = std::make_shared<RecordingStream>();
    auto b = std::make_shared<RecordingStream>();
    auto other = std::make_shared<RecordingStream>();
    feed.add("station/pack1", a);
    feed.add("station/pack1", b);
    feed.add("devices", other);
    EXPECT_EQ(feed.watchers("station/pack1"), 2u);

    EXPECT_TRUE(feed.publish("station/pack1", "screen", json{{"step", "weigh"}}));
    const std::string expected = LiveFeed::frame("screen", json{{"step", "weigh"}});
    EXPECT_EQ(a->frames, std::vector<std::string>{expected});
    EXPECT_EQ(b->frames, std::vector<std::string>{expected});
    EXPECT_TRUE(other->frames.empty()) << "another channel's stream";

    EXPECT_FALSE(feed.publish("station/pack2", "screen", json::object())) << "nobody watches pack2";
    EXPECT_EQ(a->frames.size(), 1u);
}

TEST(WebLiveFeed, DestroyedSubscribersAreForgotten) {
    LiveFeed feed;
    auto kept = std::make_shared<RecordingStream>();
    auto gone = std::make_shared<RecordingStream>();
    feed.add("devices", kept);
    feed.add("devices", gone);
    EXPECT_EQ(feed.watchers("devices"), 2u);
    gone.reset();
    EXPECT_EQ(feed.watchers("devices"), 1u);
    EXPECT_TRUE(feed.publish("devices", "status", json{{"n", 1}}));
    EXPECT_EQ(kept->frames.size(), 1u);
    kept.reset();
    EXPECT_EQ(feed.watchers("devices"), 0u);
    EXPECT_FALSE(feed.publish("devices", "status", json{{"n", 2}})) << "the last stream went away";
    EXPECT_EQ(feed.watchers("never-watched"), 0u);
}

TEST(WebLiveFeed, ChannelsListsOnlyChannelsWithAnOpenStream) {
    LiveFeed feed;
    EXPECT_TRUE(feed.channels().empty());
    auto a = std::make_shared<RecordingStream>();
    auto b = std::make_shared<RecordingStream>();
    auto c = std::make_shared<RecordingStream>();
    feed.add("station/pack1", a);
    feed.add("devices", b);
    feed.add("station/pack2", c);
    std::vector<std::string> names = feed.channels();
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"devices", "station/pack1", "station/pack2"}));
    b.reset();
    names = feed.channels();
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"station/pack1", "station/pack2"}));
    a.reset();
    c.reset();
    EXPECT_TRUE(feed.channels().empty());
}

TEST(WebLiveFeed, HeartbeatIsAnEventToEveryOpenStream) {
    LiveFeed feed;
    auto a = std::make_shared<RecordingStream>();
    auto b = std::make_shared<RecordingStream>();
    feed.add("station/pack1", a);
    feed.add("devices", b);
    feed.heartbeat();
    ASSERT_EQ(a->frames.size(), 1u);
    ASSERT_EQ(b->frames.size(), 1u);
    EXPECT_EQ(a->frames[0], "event: heartbeat\ndata: {}\n\n") << "an event a page's EventSource hears";
    EXPECT_EQ(b->frames[0], a->frames[0]);
    EXPECT_EQ(a->frames[0].substr(a->frames[0].size() - 2), "\n\n");
}

/// A stream that goes away while it is being sent to, as a session does that falls behind.
struct ClosingStream : LiveFeed::Subscriber {
    void send(std::shared_ptr<const std::string> frame) override {
        frames.push_back(*frame);
        self.reset();
    }
    std::shared_ptr<ClosingStream> self;
    std::vector<std::string> frames;
};

TEST(WebLiveFeed, AStreamThatClosesWhileSentToDoesNotDisturbTheOthers) {
    LiveFeed feed;
    auto closing = std::make_shared<ClosingStream>();
    closing->self = closing;
    std::weak_ptr<ClosingStream> watch = closing;
    auto after = std::make_shared<RecordingStream>();
    feed.add("devices", closing);
    feed.add("devices", after);
    closing.reset();
    EXPECT_TRUE(feed.publish("devices", "status", json{{"n", 1}}));
    EXPECT_TRUE(watch.expired());
    EXPECT_EQ(after->frames.size(), 1u);
    EXPECT_EQ(feed.watchers("devices"), 1u);
}

}  // namespace
}  // namespace packd::web
