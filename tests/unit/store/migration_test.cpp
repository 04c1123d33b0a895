#include <gtest/gtest.h>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/store/schema.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

/// Builds a database as an older packd left it: migrations applied up to `version` only.
void make_database_at(const std::string& path, int version) {
    auto db = Database::open(path);
    for (int v = 0; v < version; ++v) {
        db->exec(schema_migrations()[static_cast<size_t>(v)]);
    }
    db->exec("PRAGMA user_version=" + std::to_string(version));
}

TEST(Migration, EveryEarlierVersionMigratesToTheLatest) {
    ASSERT_EQ(schema_migrations().size(), static_cast<size_t>(kSchemaVersion));
    for (int from = 0; from < kSchemaVersion; ++from) {
        test::TempDir dir;
        make_database_at(dir.file("packd.db"), from);
        auto store = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(store.ok()) << "from version " << from << ": " << store.error().message;
        auto& db = (*store)->db();
        EXPECT_EQ(db.user_version(), kSchemaVersion) << "from version " << from;
        auto check = db.prepare("PRAGMA integrity_check");
        ASSERT_TRUE(check.step());
        EXPECT_EQ(check.text(0), "ok");
        auto fk = db.prepare("PRAGMA foreign_key_check");
        EXPECT_FALSE(fk.step()) << "foreign keys broken after migrating from " << from;
    }
}

TEST(Migration, Version1DataSurvivesAndGainsInventory) {
    test::TempDir dir;
    make_database_at(dir.file("packd.db"), 1);
    {
        auto db = Database::open(dir.file("packd.db"));
        db->exec(
            "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) "
            "VALUES "
            "('1001', 'accepted', 'e1', 'canonical', '{}', '{}', 'then', 'then');"
            "INSERT INTO order_lines (order_id, line_no, sku, quantity) VALUES ('1001', 1, 'MUG', 2);"
            "INSERT INTO inbox (topic, payload, received_at) VALUES ('t', 'p', 'then');"
            "INSERT INTO outbox (topic, payload, retain, created_at) VALUES ('t', 'o', 0, 'then');");
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    Store& s = **store;
    EXPECT_TRUE(s.order_exists("1001"));
    EXPECT_EQ(test::value_of(s.inbox_pending(0, 10)).size(), 1u);
    EXPECT_EQ(test::value_of(s.outbox_pending(0, 10)).size(), 1u);
    auto hold = s.db().prepare("SELECT hold_reason FROM orders WHERE id = '1001'");
    ASSERT_TRUE(hold.step());
    EXPECT_EQ(hold.text(0), "");
    Inventory inventory(s, Topics("packd/v1", "t"));
    Transaction tx(s.db());
    ASSERT_TRUE(inventory.put_product({"MUG", "Mug", 0, {}, {}, {}, 0, 0, true}).ok());
    EXPECT_TRUE(inventory.location_exists("QUARANTINE"));
    tx.commit();
}

// Version 7 keeps label models instead of previews: a store of version 4 keeps its jobs and their PNGs
// (still shown as their previews), and new jobs keep their model only.
TEST(Migration, Version4PrintJobsKeepTheirPreviewsAndNewOnesKeepAModel) {
    test::TempDir dir;
    make_database_at(dir.file("packd.db"), 4);
    {
        auto db = Database::open(dir.file("packd.db"));
        db->exec(
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, state, created_at) VALUES "
            "('desk', 'shipping', '1001', '^XA^XZ', x'89504E47', 'done', 'then'),"
            "('desk', 'shipping', '1002', '^XA^FDx^FS^XZ', x'89504E47', 'pending', 'then');");
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    Store& s = **store;
    EXPECT_EQ(s.db().user_version(), kSchemaVersion);
    const auto pending = test::value_of(s.print_jobs_pending("desk"));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].zpl, "^XA^FDx^FS^XZ");
    EXPECT_EQ(pending[0].preview_png, "\x89PNG");
    auto old = s.print_job_preview("1001", "shipping");
    ASSERT_TRUE(old.ok()) << old.error().message;
    EXPECT_FALSE(old->label.has_value());
    EXPECT_EQ(old->png, "\x89PNG");

    const Label label{LabelSize::inches(4, 6, 203), {TextField{10, 10, 20, 0, "1003", false}}};
    const int64_t id = s.print_job_add("desk", "shipping", "1003", to_zpl(label), label, false);
    auto fresh = s.print_job_preview(id);
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    ASSERT_TRUE(fresh->label.has_value());
    EXPECT_EQ(fresh->png, "");
    EXPECT_EQ(to_zpl(*fresh->label), to_zpl(label));
}

// Version 11 keeps an order's history: a store of version 10 gives each order one row, its state then, timed
// at its arrival; its shipping labels carry the order's tracking number, other labels none.
TEST(Migration, Version10OrdersGetOneHistoryRowAndShippingLabelsTheirTrackingNumber) {
    test::TempDir dir;
    make_database_at(dir.file("packd.db"), 10);
    {
        auto db = Database::open(dir.file("packd.db"));
        db->exec(
            "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at, "
            "tracking_number) VALUES "
            "('1001', 'shipped', 'e1', 'packd', '{}', '{}', '2026-12-01T10:00:00.250Z', "
            "'2026-12-01T11:00:00.000Z', 'JJD1'),"
            "('1002', 'accepted', 'e2', 'packd', '{}', '{}', '2026-12-01T10:05:00.000Z', "
            "'2026-12-01T10:05:00.000Z', '');"
            "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at, "
            "hold_reason) VALUES ('1003', 'held', 'e3', 'packd', '{}', '{}', 'then', 'then', "
            "'not enough stock of MUG: 3 wanted, 1 available');"
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, state, created_at) VALUES "
            "('desk', 'shipping', '1001', '^XA^XZ', x'', 'done', 'then'),"
            "('desk', 'pick_list', '1001', '^XA^XZ', x'', 'done', 'then'),"
            "('desk', 'shipping', '1002', '^XA^XZ', x'', 'pending', 'then');");
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    Store& s = **store;
    ASSERT_EQ(s.db().user_version(), kSchemaVersion);
    auto rows = s.db().prepare(
        "SELECT order_id, at_ms, state, detail, station, operator FROM order_history ORDER BY "
        "order_id");
    std::vector<std::string> seen;
    while (rows.step()) {
        seen.push_back(rows.text(0) + " " + std::to_string(rows.int64(1)) + " " + rows.text(2) + " " +
                       rows.text(3) + "|" + rows.text(4) + "|" + rows.text(5));
    }
    EXPECT_EQ(seen, (std::vector<std::string>{
                        "1001 1796119200250 shipped state at the upgrade to schema 11||",
                        "1002 1796119500000 accepted state at the upgrade to schema 11||",
                        // A time SQLite cannot read is kept as 0 rather than failing the upgrade.
                        "1003 0 held not enough stock of MUG: 3 wanted, 1 available||",
                    }));
    auto labels = test::value_of(s.order_labels("1001"));
    ASSERT_EQ(labels.size(), 2u);
    EXPECT_EQ(labels[0].kind, "shipping");
    EXPECT_EQ(labels[0].tracking_number, "JJD1");
    EXPECT_EQ(labels[1].kind, "pick_list");
    EXPECT_EQ(labels[1].tracking_number, "");
    EXPECT_EQ(test::value_of(s.order_labels("1002")).at(0).tracking_number, "")
        << "an order without a number gives its label none";
    auto fk = s.db().prepare("PRAGMA foreign_key_check");
    EXPECT_FALSE(fk.step());

    // The order book reads the migrated row as the first of the timeline; what happens next follows it.
    Inventory inventory(s, Topics("packd/v1", "t"));
    OrderBook orders(s, inventory, Topics("packd/v1", "t"));
    const auto shipped = orders.history("1001");
    ASSERT_EQ(shipped.size(), 1u);
    EXPECT_EQ(shipped[0].state, OrderState::shipped);
    EXPECT_EQ(shipped[0].at_ms, 1796119200250);
    Transaction tx(s.db());
    ASSERT_TRUE(orders.cancel("1002", "c2").ok());
    tx.commit();
    const auto cancelled = orders.history("1002");
    ASSERT_EQ(cancelled.size(), 2u);
    EXPECT_EQ(cancelled[0].state, OrderState::accepted);
    EXPECT_EQ(cancelled[1].state, OrderState::cancelled);
    EXPECT_EQ(cancelled[1].detail, "event c2");
    EXPECT_GT(cancelled[1].at_ms, cancelled[0].at_ms);
}

TEST(Migration, AFailedMigrationLeavesTheOldVersion) {
    test::TempDir dir;
    make_database_at(dir.file("packd.db"), 1);
    {
        // A table in the way of version 2 makes its migration fail half way.
        auto db = Database::open(dir.file("packd.db"));
        db->exec("CREATE TABLE shipments (x INTEGER)");
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().message.find("shipments"), std::string::npos) << store.error().message;
    auto db = Database::open(dir.file("packd.db"));
    EXPECT_EQ(db->user_version(), 1) << "the migration is one transaction";
    auto products = db->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'products'");
    ASSERT_TRUE(products.step());
    EXPECT_EQ(products.int64(0), 0) << "nothing of the failed migration may remain";
}

}  // namespace
}  // namespace packd::fulfillment
