#pragma once
// What tests wait for before they count a printer's output: no job of the printer still pending or being
// sent. A job leaves `pending` when it is marked `sending`, before its bytes go out, so "no pending job"
// alone would count the printer's output while the last batch is still on its way.

#include <string>

#include "packd/fulfillment/store/store.hpp"

namespace packd::test {

inline bool print_queue_settled(fulfillment::Store& store, const std::string& printer) {
    auto st = store.db().prepare(
        "SELECT count(*) FROM print_jobs WHERE printer = ? AND state IN ('pending', 'sending')");
    st.bind(1, printer);
    return st.step() && st.int64(0) == 0;
}

}  // namespace packd::test
