#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"

#include <stdexcept>

#include "packd/common/text.hpp"

namespace packd::fulfillment::mqtt311 {
namespace {

// Control packet types (2.2.1, table 2.1).
constexpr uint8_t kConnect = 1;
constexpr uint8_t kConnack = 2;
constexpr uint8_t kPublish = 3;
constexpr uint8_t kPuback = 4;
constexpr uint8_t kSubscribe = 8;
constexpr uint8_t kSuback = 9;
constexpr uint8_t kPingreq = 12;
constexpr uint8_t kPingresp = 13;
constexpr uint8_t kDisconnect = 14;

constexpr std::size_t kMaxRemainingLength = 268'435'455;  // 2.2.3: four bytes of seven bits

const char* type_name(uint8_t type) {
    static constexpr const char* kNames[] = {
        "reserved",  "CONNECT", "CONNACK",     "PUBLISH",  "PUBACK",  "PUBREC",   "PUBREL",     "PUBCOMP",
        "SUBSCRIBE", "SUBACK",  "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "reserved"};
    return kNames[type & 0x0F];
}

void put_u16(std::string& out, uint16_t value) {
    out += static_cast<char>(value >> 8);
    out += static_cast<char>(value & 0xFF);
}

// 1.5.3: a UTF-8 string is prefixed by its length in two bytes.
void put_string(std::string& out, std::string_view s) {
    if (s.size() > 0xFFFF) {
        throw std::invalid_argument("MQTT string longer than 65535 bytes");
    }
    put_u16(out, static_cast<uint16_t>(s.size()));
    out.append(s);
}

// 2.2.3: seven bits per byte, least significant first, the top bit says another byte follows.
std::string packet(uint8_t type, uint8_t flags, std::string_view body) {
    if (body.size() > kMaxRemainingLength) {
        throw std::invalid_argument("MQTT packet longer than the protocol allows");
    }
    std::string out(1, static_cast<char>((type << 4) | flags));
    std::size_t length = body.size();
    do {
        uint8_t digit = length % 128;
        length /= 128;
        if (length > 0) {
            digit |= 0x80;
        }
        out += static_cast<char>(digit);
    } while (length > 0);
    out.append(body);
    return out;
}

uint16_t get_u16(std::string_view bytes, std::size_t at) {
    return static_cast<uint16_t>((static_cast<unsigned char>(bytes[at]) << 8) |
                                 static_cast<unsigned char>(bytes[at + 1]));
}

/// The fixed header of the packet at the front of `bytes`: nothing while it is incomplete.
struct FixedHeader {
    uint8_t type = 0;
    uint8_t flags = 0;
    std::size_t header_bytes = 0;
    std::size_t remaining = 0;
};

Result<std::optional<FixedHeader>> fixed_header(std::string_view bytes) {
    if (bytes.size() < 2) {
        return std::optional<FixedHeader>();
    }
    FixedHeader h;
    h.type = static_cast<uint8_t>(bytes[0]) >> 4;
    h.flags = static_cast<uint8_t>(bytes[0]) & 0x0F;
    std::size_t multiplier = 1;
    for (std::size_t i = 1;; ++i) {
        if (i > 4) {
            return fail("malformed remaining length: more than four bytes (MQTT 3.1.1 section 2.2.3)");
        }
        if (i >= bytes.size()) {
            return std::optional<FixedHeader>();
        }
        const auto digit = static_cast<unsigned char>(bytes[i]);
        h.remaining += (digit & 0x7F) * multiplier;
        multiplier *= 128;
        if ((digit & 0x80) == 0) {
            h.header_bytes = i + 1;
            return std::optional<FixedHeader>(h);
        }
    }
}

/// The topic name at the front of a PUBLISH variable header (3.3.2.1).
Result<std::string> topic_name(std::string_view body, std::size_t& at) {
    if (body.size() < 2) {
        return fail("PUBLISH too short for its topic length");
    }
    const std::size_t length = get_u16(body, 0);
    if (body.size() < 2 + length) {
        return fail("PUBLISH topic length " + std::to_string(length) + " runs past the packet");
    }
    std::string topic(body.substr(2, length));
    if (topic.empty()) {
        return fail("PUBLISH with an empty topic name (section 4.7.3)");
    }
    if (!is_valid_utf8(topic) || topic.find('\0') != std::string::npos) {
        return fail("PUBLISH topic name is not well-formed UTF-8 (section 1.5.3): " + printable(topic));
    }
    if (topic.find_first_of("+#") != std::string::npos) {
        return fail("PUBLISH topic name contains a wildcard (section 3.3.2.1): " + printable(topic));
    }
    at = 2 + length;
    return topic;
}

/// The PUBLISH variable header: topic, then a packet id for QoS 1 and 2 (3.3.2). `body` holds at
/// least the variable header; `at` ends after it.
Result<Publish> publish_header(uint8_t flags, std::string_view body, std::size_t& at) {
    Publish p;
    p.retain = flags & 0x01;
    p.qos = (flags >> 1) & 0x03;
    p.dup = flags & 0x08;
    if (p.qos == 3) {
        return fail("PUBLISH with QoS 3, which does not exist (section 3.3.1.2)");
    }
    auto topic = topic_name(body, at);
    if (!topic) {
        return topic.error();
    }
    p.topic = std::move(*topic);
    if (p.qos > 0) {
        if (body.size() < at + 2) {
            return fail("PUBLISH with QoS " + std::to_string(p.qos) + " has no packet identifier");
        }
        p.packet_id = get_u16(body, at);
        if (p.packet_id == 0) {
            return fail("PUBLISH with packet identifier 0 (section 2.3.1)");
        }
        at += 2;
    }
    return p;
}

Result<BrokerPacket> parse_body(uint8_t type, uint8_t flags, std::string_view body) {
    if (type != kPublish && flags != 0) {
        return fail(std::string(type_name(type)) + " with reserved flags set (section 2.2.2)");
    }
    switch (type) {
        case kConnack: {
            if (body.size() != 2) {
                return fail("CONNACK of " + std::to_string(body.size()) + " bytes, expected 2");
            }
            if ((static_cast<uint8_t>(body[0]) & 0xFE) != 0) {
                return fail("CONNACK with reserved acknowledge flags set (section 3.2.2.1)");
            }
            return BrokerPacket(Connack{(body[0] & 0x01) != 0, static_cast<uint8_t>(body[1])});
        }
        case kPublish: {
            std::size_t at = 0;
            auto p = publish_header(flags, body, at);
            if (!p) {
                return p.error();
            }
            p->payload = std::string(body.substr(at));
            p->size = p->payload.size();
            return BrokerPacket(std::move(*p));
        }
        case kSuback: {
            if (body.size() < 3) {
                return fail("SUBACK without a return code");
            }
            Suback s;
            s.packet_id = get_u16(body, 0);
            for (std::size_t i = 2; i < body.size(); ++i) {
                const auto code = static_cast<uint8_t>(body[i]);
                if (code > 2 && code != 0x80) {
                    return fail("SUBACK return code " + std::to_string(code) +
                                " is not allowed (section 3.9.3)");
                }
                s.granted.push_back(code);
            }
            return BrokerPacket(std::move(s));
        }
        case kPuback:
            if (body.size() != 2) {
                return fail("PUBACK of " + std::to_string(body.size()) + " bytes, expected 2");
            }
            return BrokerPacket(Puback{get_u16(body, 0)});
        case kPingresp:
            if (!body.empty()) {
                return fail("PINGRESP with a body");
            }
            return BrokerPacket(Pingresp{});
        default:
            return fail(std::string("unexpected ") + type_name(type) + " packet from the broker");
    }
}

}  // namespace

std::string encode_connect(const ConnectRequest& request) {
    std::string body;
    put_string(body, "MQTT");
    body += static_cast<char>(4);  // protocol level 4 is 3.1.1 (3.1.2.2)
    uint8_t flags = 0;
    if (request.username) {
        flags |= 0x80;
        if (request.password) {
            flags |= 0x40;  // 3.1.2.9: no password without a user name
        }
    }
    if (request.clean_session) {
        flags |= 0x02;
    }
    body += static_cast<char>(flags);
    put_u16(body, request.keepalive_s);
    put_string(body, request.client_id);
    if (request.username) {
        put_string(body, *request.username);
        if (request.password) {
            put_string(body, *request.password);
        }
    }
    return packet(kConnect, 0, body);
}

std::string encode_subscribe(uint16_t packet_id, std::string_view filter, uint8_t qos) {
    std::string body;
    put_u16(body, packet_id);
    put_string(body, filter);
    body += static_cast<char>(qos & 0x03);
    return packet(kSubscribe, 0x02, body);  // 3.8.1: the flags are 0010
}

std::string encode_puback(uint16_t packet_id) {
    std::string body;
    put_u16(body, packet_id);
    return packet(kPuback, 0, body);
}

std::string encode_publish(std::string_view topic, std::string_view payload, uint8_t qos, uint16_t packet_id,
                           bool retain) {
    std::string body;
    put_string(body, topic);
    if (qos > 0) {
        put_u16(body, packet_id);
    }
    body.append(payload);
    return packet(kPublish, static_cast<uint8_t>(((qos & 0x03) << 1) | (retain ? 1 : 0)), body);
}

std::string encode_pingreq() {
    return packet(kPingreq, 0, {});
}

std::string encode_disconnect() {
    return packet(kDisconnect, 0, {});
}

PacketReader::PacketReader(std::size_t max_packet_bytes) : max_packet_bytes_(max_packet_bytes) {}

void PacketReader::feed(std::string_view bytes) {
    if (read_pos_ > 0 && (read_pos_ == buffer_.size() || read_pos_ > 65536)) {
        buffer_.erase(0, read_pos_);
        read_pos_ = 0;
    }
    buffer_.append(bytes);
}

Result<std::optional<BrokerPacket>> PacketReader::next() {
    if (broken_) {
        return fail(broken_reason_);
    }
    auto broken = [this](std::string why) -> Result<std::optional<BrokerPacket>> {
        broken_ = true;
        broken_reason_ = std::move(why);
        return fail(broken_reason_);
    };
    std::string_view pending(buffer_);
    pending.remove_prefix(read_pos_);
    if (skipping_) {
        const std::size_t n = std::min(skip_, pending.size());
        read_pos_ += n;
        skip_ -= n;
        if (skip_ > 0) {
            return std::optional<BrokerPacket>();
        }
        BrokerPacket done(std::move(*skipping_));
        skipping_.reset();
        return std::optional<BrokerPacket>(std::move(done));
    }
    auto header = fixed_header(pending);
    if (!header) {
        return broken(header.error().message);
    }
    if (!*header) {
        return std::optional<BrokerPacket>();
    }
    const FixedHeader h = **header;
    if (h.header_bytes + h.remaining <= max_packet_bytes_) {
        if (pending.size() < h.header_bytes + h.remaining) {
            return std::optional<BrokerPacket>();
        }
        auto parsed = parse_body(h.type, h.flags, pending.substr(h.header_bytes, h.remaining));
        if (!parsed) {
            return broken(parsed.error().message);
        }
        read_pos_ += h.header_bytes + h.remaining;
        return std::optional<BrokerPacket>(std::move(*parsed));
    }
    // Over the limit: only a PUBLISH may be, and only its header is kept.
    if (h.type != kPublish) {
        return broken(std::string(type_name(h.type)) + " of " + std::to_string(h.remaining) +
                      " bytes is over the limit of " + std::to_string(max_packet_bytes_));
    }
    if (pending.size() < h.header_bytes + 2) {
        return std::optional<BrokerPacket>();
    }
    const std::size_t qos = (h.flags >> 1) & 0x03;
    const std::size_t variable = std::size_t{2} + get_u16(pending, h.header_bytes) + (qos > 0 ? 2U : 0U);
    if (variable > h.remaining) {
        return broken("PUBLISH topic length runs past the packet");
    }
    if (pending.size() < h.header_bytes + variable) {
        return std::optional<BrokerPacket>();
    }
    std::size_t at = 0;
    auto p = publish_header(h.flags, pending.substr(h.header_bytes, variable), at);
    if (!p) {
        return broken(p.error().message);
    }
    p->size = h.remaining - variable;
    p->payload_dropped = true;
    read_pos_ += h.header_bytes + variable;
    skip_ = p->size;
    skipping_ = std::move(*p);
    return next();
}

std::string connack_reason(uint8_t return_code) {
    switch (return_code) {
        case 0:
            return "accepted";
        case 1:
            return "broker refused the connection: unacceptable protocol version";
        case 2:
            return "broker refused the connection: client id rejected";
        case 3:
            return "broker refused the connection: server unavailable";
        case 4:
            return "broker refused the connection: bad user name or password";
        case 5:
            return "broker refused the connection: not authorised";
        default:
            return "broker refused the connection: return code " + std::to_string(return_code);
    }
}

}  // namespace packd::fulfillment::mqtt311
