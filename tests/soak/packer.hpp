#pragma once
// A packer at the soak's pack station: takes the oldest accepted order it can pack, scans it open, scans each
// item, puts the parcel on the (simulated) scale and scans DONE, through packd's admin socket as the
// station's scanner would and the scale's FIFO. Each step is chosen from what the store says the station and
// the order are at, so a kill of packd between two scans only means the next step is retried after the
// restart.

#include <atomic>
#include <mutex>
#include <string>

#include "soak_site.hpp"
#include "soak_store.hpp"

namespace packd::soak {

struct PackerCounts {
    int shipped = 0;    ///< orders this packer shipped
    int put_aside = 0;  ///< orders given up on (cancelled by the shop meanwhile, or no progress for a minute)
    int scans = 0;
};

class Packer {
  public:
    explicit Packer(Site& site);
    /// Packs orders until `stop`; an order in hand is finished (or put aside) first.
    void run(const std::atomic<bool>& stop);
    /// Safe to call from any thread.
    PackerCounts counts() const;

  private:
    std::string next_order();
    void pack(const std::string& order_id);
    /// One step; false when the order is finished with (shipped, or put aside).
    bool step(const std::string& order_id);
    void scan(const std::string& data);
    void weigh(int grams);

    Site& site_;
    StoreReader store_;
    void add(int PackerCounts::*counter);

    mutable std::mutex mutex_;  // guards counts_, read by the soak's main thread
    PackerCounts counts_;
};

}  // namespace packd::soak
