#pragma once
// The MQTT 3.1.1 packets of packd's order subscription (OASIS MQTT 3.1.1, section numbers below):
// the ones a subscriber sends are encoded, the ones a broker sends to a subscriber are decoded
// from a byte stream that may arrive in any pieces. Pure: no sockets, no clock.
//
// packd receives orders over its own session instead of Paho's because Paho C sends the PUBACK
// of a QoS 1 message before the application sees it (MQTTProtocol_handlePublishes); invariant 1
// needs the PUBACK after the inbox commit, which only a client that lets packd send it can give.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment::mqtt311 {

/// What goes into CONNECT (3.1). No Will: the Last Will belongs to the publishing connection.
struct ConnectRequest {
    std::string client_id;
    bool clean_session = false;
    uint16_t keepalive_s = 30;
    std::optional<std::string> username;
    std::optional<std::string> password;
};

std::string encode_connect(const ConnectRequest& request);
/// SUBSCRIBE (3.8) for one topic filter at `qos`.
std::string encode_subscribe(uint16_t packet_id, std::string_view filter, uint8_t qos);
/// PUBACK (3.4): the message with this packet id is ours now.
std::string encode_puback(uint16_t packet_id);
/// PUBLISH (3.3), for test and benchmark clients; `packet_id` is ignored at QoS 0.
std::string encode_publish(std::string_view topic, std::string_view payload, uint8_t qos, uint16_t packet_id,
                           bool retain = false);
std::string encode_pingreq();
std::string encode_disconnect();

/// CONNACK (3.2).
struct Connack {
    bool session_present = false;
    uint8_t return_code = 0;  ///< 0 accepted, 1-5 refused (table 3.1)
};

/// SUBACK (3.9): one granted QoS per filter, 0x80 for a refused one.
struct Suback {
    uint16_t packet_id = 0;
    std::vector<uint8_t> granted;
};

/// PUBLISH (3.3). A message whose packet is over the reader's limit keeps its topic and packet
/// id (so it can still be acknowledged and reported) but not its payload: `size` says how big
/// it was and `payload_dropped` is set.
struct Publish {
    std::string topic;
    std::string payload;
    uint8_t qos = 0;
    bool dup = false;
    bool retain = false;
    uint16_t packet_id = 0;  ///< 0 for QoS 0
    std::size_t size = 0;    ///< payload bytes as sent
    bool payload_dropped = false;
};

struct Pingresp {};

/// PUBACK (3.4): the broker has a message the client published at QoS 1.
struct Puback {
    uint16_t packet_id = 0;
};

using BrokerPacket = std::variant<Connack, Suback, Publish, Pingresp, Puback>;

/// Cuts a byte stream from the broker into packets. A malformed packet is an error after which
/// the connection must be closed (4.8: the stream cannot be resynchronised).
class PacketReader {
  public:
    /// Packets larger than `max_packet_bytes` are not buffered: a PUBLISH keeps topic and
    /// packet id and its payload is skipped as it arrives; any other type is an error.
    explicit PacketReader(std::size_t max_packet_bytes);

    void feed(std::string_view bytes);
    /// The next complete packet, nothing when more bytes are needed, or why the stream is broken.
    Result<std::optional<BrokerPacket>> next();
    /// Bytes waiting for the rest of their packet.
    std::size_t buffered() const { return buffer_.size() - read_pos_; }

  private:
    std::size_t max_packet_bytes_;
    std::string buffer_;
    std::size_t read_pos_ = 0;
    std::size_t skip_ = 0;  ///< payload bytes of an oversized PUBLISH still to discard
    std::optional<Publish> skipping_;
    bool broken_ = false;
    std::string broken_reason_;
};

/// The words for a CONNACK return code (3.2.2.3, table 3.1).
std::string connack_reason(uint8_t return_code);

}  // namespace packd::fulfillment::mqtt311
