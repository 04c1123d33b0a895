// The MQTT 3.1.1 packets of the order subscription, checked byte for byte against the OASIS
// MQTT 3.1.1 standard (section numbers in the tests).

#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"

#include <gtest/gtest.h>

#include <string>

namespace packd::fulfillment::mqtt311 {
namespace {

using namespace std::string_literals;

std::vector<BrokerPacket> read_all(PacketReader& reader, std::string* error = nullptr) {
    std::vector<BrokerPacket> out;
    for (;;) {
        auto next = reader.next();
        if (!next) {
            if (error) {
                *error = next.error().message;
            }
            return out;
        }
        if (!*next) {
            return out;
        }
        out.push_back(std::move(**next));
    }
}

std::string publish_packet(uint8_t flags, const std::string& topic, uint16_t id, const std::string& payload) {
    std::string body;
    body += static_cast<char>(topic.size() >> 8);
    body += static_cast<char>(topic.size() & 0xFF);
    body += topic;
    if (((flags >> 1) & 3) > 0) {
        body += static_cast<char>(id >> 8);
        body += static_cast<char>(id & 0xFF);
    }
    body += payload;
    std::string out(1, static_cast<char>(0x30 | flags));
    std::size_t length = body.size();
    do {
        uint8_t digit = length % 128;
        length /= 128;
        out += static_cast<char>(length > 0 ? digit | 0x80 : digit);
    } while (length > 0);
    return out + body;
}

TEST(MqttPacket, ConnectMatchesTheStandardsLayout) {
    // 3.1.2: protocol name "MQTT", level 4, flags (user name, password, clean session), keep alive.
    ConnectRequest request;
    request.client_id = "packd-1";
    request.keepalive_s = 30;
    request.username = "box";
    request.password = "pw";
    const std::string expected =
        "\x10\x1c"s          // CONNECT, 28 bytes follow
        "\x00\x04MQTT\x04"s  // protocol name and level
        "\xc0\x00\x1e"s      // user name + password, 30 s
        "\x00\x07packd-1\x00\x03"s
        "box\x00\x02pw"s;  // payload
    EXPECT_EQ(encode_connect(request), expected);

    request.username.reset();
    request.password.reset();
    request.clean_session = true;
    EXPECT_EQ(encode_connect(request), "\x10\x13\x00\x04MQTT\x04\x02\x00\x1e\x00\x07packd-1"s);
}

TEST(MqttPacket, SubscribePubackPingAndDisconnect) {
    // 3.8.1: SUBSCRIBE has the fixed-header flags 0010.
    EXPECT_EQ(encode_subscribe(1, "a/#", 1),
              "\x82\x08\x00\x01\x00\x03"
              "a/#\x01"s);
    EXPECT_EQ(encode_puback(0x1234), "\x40\x02\x12\x34"s);
    EXPECT_EQ(encode_pingreq(), "\xc0\x00"s);
    EXPECT_EQ(encode_disconnect(), "\xe0\x00"s);
}

TEST(MqttPacket, RemainingLengthUsesUpToFourBytes) {
    // 2.2.3, table 2.4: 127 fits one byte, 128 needs two, 16384 three.
    for (const std::size_t size : {0UL, 121UL, 122UL, 16000UL, 2'100'000UL}) {
        const std::string payload(size, 'x');
        PacketReader reader(4'000'000);
        reader.feed(publish_packet(0x02, "t", 7, payload));
        auto packets = read_all(reader);
        ASSERT_EQ(packets.size(), 1u) << size;
        const auto& p = std::get<Publish>(packets[0]);
        EXPECT_EQ(p.payload.size(), size);
        EXPECT_EQ(p.packet_id, 7);
        EXPECT_EQ(reader.buffered(), 0u);
    }
    // Topic "t" with its length is 3 bytes: 124 payload bytes make 127, 125 make 128.
    EXPECT_EQ(publish_packet(0, "t", 0, std::string(124, 'x')).substr(0, 2), "\x30\x7f"s);
    EXPECT_EQ(publish_packet(0, "t", 0, std::string(125, 'x')).substr(0, 3), "\x30\x80\x01"s);
}

TEST(MqttPacket, PacketsSplitAnywhereComeOutTheSame) {
    const std::string stream = "\x20\x02\x01\x00"s + "\x90\x03\x00\x01\x01"s +
                               publish_packet(0x02, "packd/v1/s/in/orders", 9, R"({"a":1})") +
                               publish_packet(0x00, "x", 0, "") + "\xd0\x00"s;
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        PacketReader reader(1024);
        reader.feed(stream.substr(0, cut));
        auto packets = read_all(reader);
        reader.feed(stream.substr(cut));
        auto rest = read_all(reader);
        packets.insert(packets.end(), rest.begin(), rest.end());
        ASSERT_EQ(packets.size(), 5u) << cut;
        EXPECT_TRUE(std::get<Connack>(packets[0]).session_present);
        EXPECT_EQ(std::get<Suback>(packets[1]).granted, std::vector<uint8_t>{1});
        const auto& order = std::get<Publish>(packets[2]);
        EXPECT_EQ(order.topic, "packd/v1/s/in/orders");
        EXPECT_EQ(order.payload, R"({"a":1})");
        EXPECT_EQ(order.qos, 1);
        EXPECT_EQ(std::get<Publish>(packets[3]).qos, 0);
        EXPECT_TRUE(std::holds_alternative<Pingresp>(packets[4]));
    }
}

TEST(MqttPacket, OversizedPublishKeepsTopicAndIdButNotThePayload) {
    const std::string big(5000, 'B');
    const std::string stream =
        publish_packet(0x0A, "in/orders", 42, big) + publish_packet(0x02, "in/orders", 43, "ok");
    PacketReader reader(1000);
    // Fed in small pieces, as a socket may deliver it: nothing over the limit is buffered.
    std::vector<BrokerPacket> packets;
    for (std::size_t at = 0; at < stream.size(); at += 300) {
        reader.feed(stream.substr(at, 300));
        EXPECT_LE(reader.buffered(), 1300u);
        auto some = read_all(reader);
        packets.insert(packets.end(), some.begin(), some.end());
    }
    ASSERT_EQ(packets.size(), 2u);
    const auto& dropped = std::get<Publish>(packets[0]);
    EXPECT_TRUE(dropped.payload_dropped);
    EXPECT_TRUE(dropped.payload.empty());
    EXPECT_EQ(dropped.size, 5000u);
    EXPECT_EQ(dropped.packet_id, 42);
    EXPECT_TRUE(dropped.dup);
    const auto& next = std::get<Publish>(packets[1]);
    EXPECT_FALSE(next.payload_dropped);
    EXPECT_EQ(next.payload, "ok");
}

TEST(MqttPacket, MalformedStreamsAreRefusedWithTheReason) {
    struct Case {
        std::string bytes;
        std::string reason;
    };
    const std::vector<Case> cases = {
        {"\x30\xff\xff\xff\xff\x01"s, "more than four bytes"},
        {"\x36\x05\x00\x01t\x00\x01"s, "QoS 3"},
        {"\x32\x05\x00\x01t\x00\x00"s, "packet identifier 0"},
        {"\x32\x03\x00\x01t"s, "no packet identifier"},
        {"\x30\x03\x00\x09t"s, "runs past the packet"},
        {"\x30\x04\x00\x02\xc3\x28"s, "not well-formed UTF-8"},
        {"\x30\x03\x00\x01#"s, "wildcard"},
        {"\x30\x02\x00\x00"s, "empty topic"},
        {"\x20\x03\x00\x00\x00"s, "expected 2"},
        {"\x20\x02\x02\x00"s, "reserved acknowledge flags"},
        {"\x21\x02\x00\x00"s, "reserved flags"},
        {"\x90\x03\x00\x01\x07"s, "return code 7"},
        {"\x10\x00"s, "unexpected CONNECT"},
        {"\x40\x03\x00\x01\x00"s, "PUBACK of 3 bytes"},
        {"\x50\x02\x00\x01"s, "unexpected PUBREC"},
        {"\xd0\x01\x00"s, "PINGRESP with a body"},
    };
    for (const auto& c : cases) {
        PacketReader reader(1024);
        reader.feed(c.bytes);
        std::string error;
        auto packets = read_all(reader, &error);
        EXPECT_TRUE(packets.empty()) << c.reason;
        EXPECT_NE(error.find(c.reason), std::string::npos) << c.reason << ": " << error;
        // The stream stays broken: nothing after a malformed packet can be trusted.
        reader.feed("\xd0\x00"s);
        EXPECT_FALSE(reader.next().ok()) << c.reason;
    }
    PacketReader small(16);
    small.feed("\x90\x20"s + std::string(32, '\x01'));
    EXPECT_FALSE(small.next().ok());  // only a PUBLISH may be over the limit
}

TEST(MqttPacket, PublishRoundTripsThroughTheReader) {
    // 3.3.1: QoS in bits 2-1, retain in bit 0; the packet id only for QoS 1 and 2.
    EXPECT_EQ(encode_publish("a/b", "hi", 1, 0x0102),
              "\x32\x09\x00\x03"
              "a/b\x01\x02hi"s);
    EXPECT_EQ(encode_publish("a", "", 0, 99, true),
              "\x31\x03\x00\x01"
              "a"s);
    PacketReader reader(1024);
    reader.feed(encode_publish("packd/v1/s/in/orders", R"({"x":1})", 1, 77) + "\x40\x02\x00\x4d"s);
    auto packets = read_all(reader);
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_EQ(std::get<Publish>(packets[0]).packet_id, 77);
    EXPECT_EQ(std::get<Publish>(packets[0]).payload, R"({"x":1})");
    EXPECT_EQ(std::get<Puback>(packets[1]).packet_id, 77);
}

TEST(MqttPacket, ConnackReasonsNameTheProblem) {
    EXPECT_NE(connack_reason(4).find("bad user name or password"), std::string::npos);
    EXPECT_NE(connack_reason(5).find("not authorised"), std::string::npos);
    EXPECT_NE(connack_reason(9).find("return code 9"), std::string::npos);
}

}  // namespace
}  // namespace packd::fulfillment::mqtt311
