#pragma once
// The load generator of the fast path benchmark: Shopify orders/create webhook bodies (the sample in
// tests/data/shop/ with a fresh order id each), published at QoS 1 at a fixed rate or as fast as the
// broker takes them, with the time each one was handed to the socket.

#include <cstddef>
#include <string>
#include <vector>

#include "bench_machine.hpp"
#include "fast_path_mqtt.hpp"
#include "fast_path_printer.hpp"

namespace packd::bench {

/// Order ids are 13 digits: 7, the run (1 to 9), the order's index in 11 digits. The printers find them in
/// the label's field data by that shape (order_id_in_format).
std::string bench_order_id(int run, std::size_t index);
/// The index of a bench order id of `run`, or -1.
long long bench_order_index(const std::string& id, int run);

class ShopifyOrders {
  public:
    /// Reads the sample body; throws when it is missing or no longer has the fields replaced here.
    explicit ShopifyOrders(const std::string& sample_path);
    /// The sample with `id` as its id, admin_graphql_api_id, name and order_number.
    std::string body(const std::string& id) const;
    /// The SKUs of its lines that need shipping, with the quantity one order takes.
    const std::vector<std::pair<std::string, int>>& lines() const { return lines_; }
    std::size_t size() const { return body(bench_order_id(1, 0)).size(); }

  private:
    std::vector<std::string> pieces_;  // the body cut where the id goes
    std::vector<std::pair<std::string, int>> lines_;
};

/// What a run of the load generator did.
struct PublishLog {
    std::vector<Clock::time_point> sent;  ///< per order index; only the first `published` are set
    std::size_t published = 0;
    Clock::time_point first{}, last{};
    bool all_acked = false;  ///< the broker acknowledged every message before the deadline
};

/// `count` orders of `run`, order i at start + i / rate (or at once when late).
PublishLog publish_paced(Publisher& publisher, const ShopifyOrders& orders, const std::string& topic, int run,
                         std::size_t count, double rate, Clock::time_point deadline);
/// `count` orders of `run` as fast as the publisher's window allows.
PublishLog publish_flat_out(Publisher& publisher, const ShopifyOrders& orders, const std::string& topic,
                            int run, std::size_t count, Clock::time_point deadline);

/// The orders of one run matched with the labels the printers received.
struct Delivery {
    std::vector<double> latency_ms;  ///< per labelled order: publish to the last byte of its first label
    std::size_t labelled = 0;        ///< orders with at least one label
    std::size_t missing = 0;         ///< published orders without a label
    std::size_t doubled = 0;         ///< orders with more than one label
    std::size_t extra_labels = 0;    ///< labels beyond the first of an order
    std::size_t other_formats = 0;   ///< formats carrying no order id of this run
    Clock::time_point first_label{}, last_label{};
    /// The first few doubled orders: id, when (after its publish) the first and the second copy arrived, and
    /// how many copies there were in all.
    struct Doubled {
        std::string order_id;
        double first_ms = 0, again_ms = 0;
        int copies = 0;
    };
    std::vector<Doubled> doubled_examples;
};

Delivery match_labels(const PublishLog& log, int run, std::vector<BenchPrinter::Label> labels);

}  // namespace packd::bench
