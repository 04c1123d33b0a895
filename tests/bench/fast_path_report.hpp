#pragma once
// The report of the fast path benchmark: the floor and packd side by side, the aims of the issue with a
// verdict each, and one line to quote.

#include "fast_path_floor.hpp"
#include "fast_path_run.hpp"

namespace packd::bench {

struct Floors {
    BrokerFloor broker;
    CommitFloor commit;
    ForwarderFloor forwarder;
};

void print_report(const Sizes& sizes, const BrokerSettings& broker, const Floors& floors,
                  const PackdPhase& paced, const PackdPhase& burst, bool quick);

}  // namespace packd::bench
