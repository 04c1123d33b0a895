// The order subscription's packet reader (fulfillment/shop/mqtt/src/mqtt_packet.cpp): bytes from the broker,
// in any pieces. The first input byte chooses where the rest is cut in two, as a socket may deliver it in two
// reads; the packets (or the error) must not depend on where that cut falls, and nothing over the limit is
// buffered.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"

namespace {

using packd::fuzz::check;
namespace mqtt311 = packd::fulfillment::mqtt311;

constexpr std::size_t kLimit = 512;

std::string describe(const mqtt311::BrokerPacket& packet) {
    if (const auto* p = std::get_if<mqtt311::Publish>(&packet)) {
        check(p->payload_dropped || p->payload.size() == p->size, "a kept payload is whole", p->topic);
        check(!p->payload_dropped || p->payload.empty(), "a dropped payload is empty", p->topic);
        check(!p->topic.empty(), "a PUBLISH has a topic");
        check((p->qos == 0) == (p->packet_id == 0), "a packet id exactly for QoS 1 and 2", p->topic);
        // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) inside std::string for "x" + s chains.
        std::string out = "P";
        out.append(std::to_string(p->qos)).append(p->topic).append("|").append(std::to_string(p->packet_id));
        out.append("|").append(std::to_string(p->size)).append("|").append(p->payload);
        return out;
    }
    if (const auto* c = std::get_if<mqtt311::Connack>(&packet)) {
        std::string out = "C";
        return out.append(std::to_string(c->return_code)).append(c->session_present ? "s" : "");
    }
    if (const auto* s = std::get_if<mqtt311::Suback>(&packet)) {
        std::string out = "S";
        return out.append(std::to_string(s->packet_id)).append(s->granted.begin(), s->granted.end());
    }
    if (const auto* a = std::get_if<mqtt311::Puback>(&packet)) {
        std::string out = "A";
        return out.append(std::to_string(a->packet_id));
    }
    return "R";
}

/// Every packet the reader gives for the pieces, then "!" and the error if the stream broke.
std::string read(std::string_view first, std::string_view second) {
    mqtt311::PacketReader reader(kLimit);
    std::string out;
    for (const std::string_view piece : {first, second}) {
        reader.feed(piece);
        for (;;) {
            auto next = reader.next();
            if (!next) {
                check(!next.error().message.empty(), "a broken stream says why");
                check(!reader.next().ok(), "a broken stream stays broken");
                return out + "!" + next.error().message;
            }
            if (!*next) {
                break;
            }
            out += describe(**next) + "\n";
        }
        // A packet over the limit is skipped, not buffered: what waits is at most one packet
        // within the limit or the header of one beyond it, plus the piece just fed.
        check(reader.buffered() <= kLimit + 65546 + piece.size(), "nothing over the limit is buffered");
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t cut = bytes.size() * std::size_t{data[0]} / 255;
    const std::string whole = read(bytes, {});
    const std::string in_two = read(bytes.substr(0, cut), bytes.substr(cut));
    check(whole == in_two, "the packets do not depend on how the bytes arrive", bytes);
    return 0;
}
