#pragma once
// One message from the broker as the subscription hands it to the intake.

#include <cstddef>
#include <string>

namespace packd::fulfillment {

/// One message from the broker, as the subscription hands it over.
struct InboundMessage {
    std::string topic;
    std::string payload;   ///< empty when the payload was over the size limit and dropped
    std::size_t size = 0;  ///< payload bytes as sent
    bool payload_dropped = false;
};

}  // namespace packd::fulfillment
