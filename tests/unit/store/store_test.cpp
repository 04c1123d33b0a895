#include <gtest/gtest.h>
#include <sqlite3.h>

#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

TEST(Store, CreatesSchemaInWalMode) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto& db = (*store)->db();
    EXPECT_EQ(db.user_version(), Store::kSchemaVersion);
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.text(0), "wal");
    auto fk = db.prepare("PRAGMA foreign_keys");
    ASSERT_TRUE(fk.step());
    EXPECT_EQ(fk.int64(0), 1);
}

TEST(Store, ATransactionInsideAnotherIsAPartOfIt) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store);
    {
        Transaction outer((*store)->db());
        {
            Transaction inner((*store)->db());  // a savepoint: no "transaction within a transaction"
            EXPECT_TRUE(inner.nested());
            (*store)->outbox_add("t/inner", "{}", false);
            inner.commit();  // released into the outer one, which decides
            EXPECT_THROW(inner.rollback(), SqliteError) << "a part ends once";
        }
        outer.rollback();
    }
    auto counts = (*store)->counts();
    ASSERT_TRUE(counts);
    EXPECT_EQ(counts->outbox, 0) << "the outer rollback undid the inner write";
}

TEST(Store, APartRolledBackLeavesTheRestOfItsTransaction) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store);
    {
        Transaction outer((*store)->db());
        (*store)->outbox_add("t/kept-before", "{}", false);
        {
            Transaction refused((*store)->db());
            (*store)->outbox_add("t/refused", "{}", false);
            refused.rollback();
        }
        {
            Transaction abandoned((*store)->db());
            (*store)->outbox_add("t/abandoned", "{}", false);
            // leaves its scope without commit: undone like a rollback
        }
        {
            Transaction kept((*store)->db());
            (*store)->outbox_add("t/kept-after", "{}", false);
            kept.commit();
        }
        outer.commit();
    }
    std::vector<std::string> topics;
    for (const auto& row : test::value_of((*store)->outbox_pending(0, 10))) {
        topics.push_back(row.topic);
    }
    EXPECT_EQ(topics, (std::vector<std::string>{"t/kept-before", "t/kept-after"}));
}

TEST(Store, ReopenKeepsDataAndDoesNotMigrateAgain) {
    test::TempDir dir;
    {
        auto store = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(store.ok());
        ASSERT_TRUE((*store)->inbox_append("t", "payload").ok());
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto pending = test::value_of((*store)->inbox_pending(0, 10));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].payload, "payload");
}

TEST(Store, RefusesDatabaseFromNewerPackd) {
    test::TempDir dir;
    {
        auto store = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(store.ok());
        (*store)->db().exec("PRAGMA user_version=99");
    }
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().message.find("schema version 99, written by a newer packd"), std::string::npos)
        << store.error().message;
}

TEST(Store, RefusesAFileThatIsNotADatabase) {
    test::TempDir dir;
    test::write_file(dir.file("packd.db"), std::string(4096, 'x'));
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().message.find("not a database"), std::string::npos) << store.error().message;
    EXPECT_EQ(test::read_file(dir.file("packd.db")), std::string(4096, 'x'))
        << "the file must be left as it was";
}

TEST(Store, OutboxIdsAreNeverReused) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    s.outbox_add("a", "1", false);
    auto first = test::value_of(s.outbox_pending(0, 10));
    ASSERT_EQ(first.size(), 1u);
    ASSERT_TRUE(s.outbox_remove(first[0].id).ok());
    s.outbox_add("a", "2", false);
    auto second = test::value_of(s.outbox_pending(0, 10));
    ASSERT_EQ(second.size(), 1u);
    EXPECT_GT(second[0].id, first[0].id) << "a late PUBACK for the old id would remove the new message";
}

TEST(Store, AReadThatFailsIsAStorageErrorNotAnException) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    s.outbox_add("a", "1", false);
    // A table gone from under packd (a damaged or tampered file) stands for any SQLite failure.
    s.db().exec("DROP TABLE outbox");
    s.db().exec("DROP TABLE inbox");
    s.db().exec("DROP TABLE print_jobs");
    const auto outbox = s.outbox_pending(0, 10);
    ASSERT_FALSE(outbox.ok());
    EXPECT_EQ(outbox.error().code, ErrorCode::storage);
    EXPECT_EQ(outbox.error().message.rfind("outbox: ", 0), 0u) << outbox.error().message;
    const auto inbox = s.inbox_pending(0, 10);
    ASSERT_FALSE(inbox.ok());
    EXPECT_EQ(inbox.error().code, ErrorCode::storage);
    for (const auto& failed :
         {s.printers_with_pending_jobs().ok(), s.print_jobs_uncertain().ok(),
          s.print_jobs_next("zebra1", 8, false).ok(), s.print_jobs_pending("zebra1").ok(),
          s.print_jobs_interrupted("zebra1").ok()}) {
        EXPECT_FALSE(failed);
    }
    EXPECT_TRUE(s.orders(10).ok()) << "the orders table is still there";
}

TEST(Store, TransactionRollsBackUnlessCommitted) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    {
        Transaction tx(s.db());
        s.outbox_add("a", "1", false);
    }
    EXPECT_TRUE(test::value_of(s.outbox_pending(0, 10)).empty());
    {
        Transaction tx(s.db());
        s.outbox_add("a", "1", false);
        tx.commit();
    }
    EXPECT_EQ(test::value_of(s.outbox_pending(0, 10)).size(), 1u);
}

TEST(Store, PrintJobLifecycle) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    const int64_t id = s.print_job_add("zebra1", "shipping", "1001", "^XA^XZ", "png", false);
    EXPECT_EQ(test::value_of(s.printers_with_pending_jobs()), std::vector<std::string>{"zebra1"});
    // Sent, and the printer said paper out before it printed: pending again, with the reason.
    ASSERT_TRUE(s.print_jobs_sending({id}).ok());
    EXPECT_TRUE(test::value_of(s.print_jobs_pending("zebra1")).empty())
        << "a job being sent is not sent again";
    EXPECT_EQ(test::value_of(s.printers_with_pending_jobs()), std::vector<std::string>{"zebra1"});
    PrintSettlement unsent;
    unsent.unsent = {id};
    unsent.reason = "paper out";
    ASSERT_TRUE(s.print_jobs_settle(unsent, "").ok());
    auto pending = test::value_of(s.print_jobs_pending("zebra1"));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].attempts, 1);
    EXPECT_EQ(pending[0].last_error, "paper out");
    ASSERT_TRUE(s.print_jobs_sending({id}).ok());
    PrintSettlement printed;
    printed.printed = {id};
    ASSERT_TRUE(s.print_jobs_settle(printed, "").ok());
    EXPECT_EQ(s.print_job(id)->attempts, 2);
    EXPECT_FALSE(s.print_job(id)->sent_at.empty());
    EXPECT_TRUE(test::value_of(s.print_jobs_pending("zebra1")).empty());
    auto counts = s.counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->print_jobs_pending, 0);
}

// A label packd drew keeps its ZPL and its model, never a PNG; a reprint keeps both, and the model comes back
// field for field (ill-formed UTF-8 and control bytes in the data included).
TEST(Store, PrintJobKeepsItsLabelModelNotAPreview) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    const Label label{
        LabelSize::inches(4, 6, 203),
        {TextField{10, 20, 30, 400, "Zoë \xff\n100%", true, 21},
         BarcodeField{BarcodeKind::Code128, 40, 80, 2, 100, "JJD0001", true}, BoxField{5, 6, 700, 3, 3}}};
    const std::string zpl = to_zpl(label);
    const int64_t id = s.print_job_add("zebra1", "shipping", "1001", zpl, label, false);
    auto row = s.db().prepare("SELECT length(preview), length(label_model) FROM print_jobs WHERE id = ?");
    row.bind(1, id);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.int64(0), 0) << "no PNG is stored with the job";
    EXPECT_GT(row.int64(1), 0);
    EXPECT_LT(row.int64(1), 400) << "the model is a few hundred bytes";

    auto kept = s.print_job_preview("1001", "shipping");
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_EQ(kept->job_id, id);
    EXPECT_EQ(kept->printer, "zebra1");
    ASSERT_TRUE(kept->label.has_value());
    EXPECT_EQ(to_zpl(*kept->label), zpl);
    const auto& text = std::get<TextField>(kept->label->fields.at(0));
    EXPECT_EQ(text.text, "Zoë \xff\n100%");
    EXPECT_TRUE(text.bold);
    EXPECT_EQ(text.min_height, 21);
    EXPECT_EQ(std::get<BarcodeField>(kept->label->fields.at(1)).data, "JJD0001");

    ASSERT_TRUE(s.print_job_done(id).ok());
    auto reprint = s.print_job_reprint("1001", "shipping");
    ASSERT_TRUE(reprint.ok()) << reprint.error().message;
    EXPECT_EQ(reprint->zpl, zpl);
    auto again = s.print_job_preview(reprint->id);
    ASSERT_TRUE(again.ok() && again->label.has_value());
    EXPECT_EQ(to_zpl(*again->label), zpl);

    // A label that came as an image keeps that image; a damaged model is refused with the job's number.
    const int64_t supplied = s.print_job_add("zebra1", "shipping", "1002", "^XA^XZ", "\x89PNG...", false);
    auto image = s.print_job_preview(supplied);
    ASSERT_TRUE(image.ok());
    EXPECT_FALSE(image->label.has_value());
    EXPECT_EQ(image->png, "\x89PNG...");
    s.db().prepare("UPDATE print_jobs SET label_model = 'packd-label 1' WHERE id = ?").bind(1, id).run();
    auto damaged = s.print_job_preview(id);
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("print job " + std::to_string(id)), std::string::npos)
        << damaged.error().message;
    EXPECT_FALSE(s.print_job_preview(9999).ok());
}

TEST(Store, SqlInjectionInDataIsJustData) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store.ok());
    Store& s = **store;
    const std::string hostile = "x'); DROP TABLE outbox; --";
    ASSERT_TRUE(s.inbox_append(hostile, hostile).ok());
    auto pending = test::value_of(s.inbox_pending(0, 10));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].topic, hostile);
    s.outbox_add("t", "still here", false);
    EXPECT_EQ(test::value_of(s.outbox_pending(0, 10)).size(), 1u);
}

}  // namespace
}  // namespace packd::fulfillment

namespace packd::fulfillment {
namespace {

TEST(Store, RemovingAcknowledgedRowsLeavesEveryOtherCommitDurable) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store);
    Store& s = **store;
    for (int i = 0; i < 5; ++i) {
        s.outbox_add("t/" + std::to_string(i), "{}", false);
    }
    std::vector<int64_t> ids;
    for (const auto& row : test::value_of(s.outbox_pending(0, 3))) {
        ids.push_back(row.id);
    }
    ASSERT_TRUE(s.outbox_remove(ids).ok());
    EXPECT_EQ(test::value_of(s.outbox_pending(0, 10)).size(), 2u);
    EXPECT_EQ(s.counts()->outbox, 2);
    auto sync = s.db().prepare("PRAGMA synchronous");
    ASSERT_TRUE(sync.step());
    EXPECT_EQ(sync.int64(0), 2) << "synchronous is FULL again after the removal";
}

TEST(Store, TellsHowLongTheOldestOutboxMessageHasWaited) {
    test::TempDir dir;
    auto store = Store::open(dir.file("packd.db"));
    ASSERT_TRUE(store);
    Store& s = **store;
    EXPECT_EQ(test::value_of(s.outbox_oldest_ms()), 0) << "an empty outbox has waited for nothing";
    s.outbox_add("t/old", "{}", false);
    s.outbox_add("t/new", "{}", false);
    // The first message has waited a minute, the second not at all: the age is the oldest one's.
    s.db()
        .prepare(
            "UPDATE outbox SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 seconds') "
            "WHERE topic = 't/old'")
        .run();
    // julianday() is a double: a minute can read as 59 999 ms, never as less than a second short.
    const int64_t age = test::value_of(s.outbox_oldest_ms());
    EXPECT_GE(age, 59000);
    EXPECT_LT(age, 3600000);
}

}  // namespace
}  // namespace packd::fulfillment
