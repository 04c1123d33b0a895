#include "packd/fulfillment/store/schema.hpp"

#include <array>

namespace packd::fulfillment {
namespace {

// Each entry takes the schema from version i to i+1. Never edit a shipped entry: add one.
constexpr std::array<std::string_view, kSchemaVersion> kMigrations = {
    R"sql(
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    topic       TEXT NOT NULL,
    payload     BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE applied_events (
    event_id   TEXT PRIMARY KEY,
    outcome    TEXT NOT NULL,
    applied_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('received','accepted','held','picking','packed',
                                              'labelled','shipped','cancelled','rejected')),
    event_id   TEXT NOT NULL,
    source     TEXT NOT NULL,
    ship_to    TEXT NOT NULL,
    carrier    TEXT NOT NULL DEFAULT '',
    service    TEXT NOT NULL DEFAULT '',
    original   BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE order_lines (
    order_id TEXT NOT NULL REFERENCES orders(id),
    line_no  INTEGER NOT NULL,
    sku      TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE TABLE print_jobs (
    id         INTEGER PRIMARY KEY,
    printer    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    zpl        BLOB NOT NULL,
    preview    BLOB NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending','done','cancelled')),
    reprint    INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    done_at    TEXT
);
CREATE INDEX print_jobs_pending ON print_jobs (printer, id) WHERE state = 'pending';
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a late PUBACK must not remove a newer row
    topic      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    retain     INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
)sql",
    // 2: inventory (catalogue, locations, stock, movements ledger, reservations), the order
    // state machine's extra columns, shipments, returns and tracking-number ranges.
    R"sql(
CREATE TABLE products (
    sku           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    unit_weight_g INTEGER NOT NULL DEFAULT 0 CHECK (unit_weight_g >= 0),
    length_mm     INTEGER CHECK (length_mm > 0),
    width_mm      INTEGER CHECK (width_mm > 0),
    height_mm     INTEGER CHECK (height_mm > 0),
    reorder_point INTEGER NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
    reorder_qty   INTEGER NOT NULL DEFAULT 0 CHECK (reorder_qty >= 0),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- 1 while available stock is below the reorder point: alerts go out once per crossing.
    below_reorder INTEGER NOT NULL DEFAULT 0 CHECK (below_reorder IN (0, 1))
) WITHOUT ROWID;
CREATE TABLE barcodes (
    code     TEXT PRIMARY KEY,
    sku      TEXT NOT NULL REFERENCES products(sku),
    kind     TEXT NOT NULL CHECK (kind IN ('gtin8','gtin12','gtin13','gtin14','internal')),
    pack_qty INTEGER NOT NULL DEFAULT 1 CHECK (pack_qty > 0)
) WITHOUT ROWID;
CREATE INDEX barcodes_by_sku ON barcodes (sku);
CREATE TABLE locations (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('bin','receiving','packing','returns','quarantine'))
) WITHOUT ROWID;
INSERT INTO locations (code, kind) VALUES
    ('RECEIVING', 'receiving'), ('PACKING', 'packing'), ('RETURNS', 'returns'), ('QUARANTINE', 'quarantine');
CREATE TABLE stock (
    sku      TEXT NOT NULL REFERENCES products(sku),
    location TEXT NOT NULL REFERENCES locations(code),
    lot      TEXT NOT NULL DEFAULT '',
    expiry   TEXT NOT NULL DEFAULT '',
    on_hand  INTEGER NOT NULL,
    PRIMARY KEY (sku, location, lot, expiry)
) WITHOUT ROWID;
CREATE TABLE movements (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    sku       TEXT NOT NULL REFERENCES products(sku),
    location  TEXT NOT NULL REFERENCES locations(code),
    lot       TEXT NOT NULL DEFAULT '',
    expiry    TEXT NOT NULL DEFAULT '',
    delta     INTEGER NOT NULL CHECK (delta <> 0),
    reason    TEXT NOT NULL CHECK (reason IN ('receive','pick','ship','adjust','count','return','transfer')),
    reference TEXT NOT NULL DEFAULT '',
    station   TEXT NOT NULL DEFAULT '',
    operator  TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX movements_by_stock ON movements (sku, location, lot, expiry);
-- The ledger is append-only: corrections are new movements.
CREATE TRIGGER movements_append_only_update BEFORE UPDATE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
CREATE TRIGGER movements_append_only_delete BEFORE DELETE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
CREATE TABLE reservations (
    order_id TEXT NOT NULL REFERENCES orders(id),
    sku      TEXT NOT NULL REFERENCES products(sku),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;
CREATE INDEX reservations_by_sku ON reservations (sku);
ALTER TABLE orders ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN late_cancel_event TEXT NOT NULL DEFAULT '';
CREATE TABLE shipments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        TEXT NOT NULL REFERENCES orders(id),
    carrier         TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL,
    weight_g        INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
    label_ref       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    shipped_at      TEXT
);
CREATE UNIQUE INDEX shipments_by_tracking ON shipments (carrier, tracking_number) WHERE tracking_number <> '';
CREATE TABLE returns (
    rma        TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('requested','approved','received','closed','rejected')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE return_lines (
    rma         TEXT NOT NULL REFERENCES returns(rma),
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    received    INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
    disposition TEXT NOT NULL DEFAULT '' CHECK (disposition IN ('','restock','quarantine')),
    PRIMARY KEY (rma, line_no)
) WITHOUT ROWID;
CREATE TABLE tracking_ranges (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    carrier     TEXT NOT NULL,
    scheme      TEXT NOT NULL CHECK (scheme IN ('sscc','ups_1z','generic_mod10','generic_mod11')),
    prefix      TEXT NOT NULL DEFAULT '',
    next_serial INTEGER NOT NULL CHECK (next_serial >= 0),
    last_serial INTEGER NOT NULL,
    low_water   INTEGER NOT NULL DEFAULT 0,
    low_alerted INTEGER NOT NULL DEFAULT 0 CHECK (low_alerted IN (0, 1)),
    CHECK (next_serial <= last_serial + 1)
);
)sql",
    // 3: stock levels waiting to be published, one row per SKU: the latest level wins, so a burst of
    // movements publishes once. `version` grows with every change; a PUBACK clears only the version
    // it carried.
    R"sql(
CREATE TABLE stock_out (
    sku     TEXT PRIMARY KEY REFERENCES products(sku),
    version INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 4: the tracking number an order ships under (the shop's, or one packd allocated), and pack stations:
    // the order a station has open and the items verified into its parcel so far, so a restart resumes
    // where the packer was.
    R"sql(
ALTER TABLE orders ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_tracking ON orders (tracking_number) WHERE tracking_number <> '';
CREATE TABLE station_sessions (
    station   TEXT PRIMARY KEY,
    order_id  TEXT NOT NULL UNIQUE REFERENCES orders(id),
    state     TEXT NOT NULL CHECK (state IN ('packing','weighing')),
    opened_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE station_items (
    id        INTEGER PRIMARY KEY,
    station   TEXT NOT NULL REFERENCES station_sessions(station),
    sku       TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    code      TEXT NOT NULL,
    device    TEXT NOT NULL,
    scanned_at TEXT NOT NULL
);
CREATE INDEX station_items_by_station ON station_items (station, id);
)sql",
    // 5: orders by state, so that the held orders to retry and the open orders to count are found without
    // reading every order's original body (a full scan grows with the history and stalls the loop).
    R"sql(
CREATE INDEX orders_by_state ON orders (state, created_at);
-- The length of the inbox and the outbox, kept by triggers: counting their rows would read every payload.
CREATE TABLE queue_lengths (
    queue  TEXT PRIMARY KEY,
    length INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO queue_lengths VALUES ('inbox', (SELECT count(*) FROM inbox)), ('outbox', (SELECT count(*) FROM outbox));
CREATE TRIGGER inbox_length_up AFTER INSERT ON inbox
    BEGIN UPDATE queue_lengths SET length = length + 1 WHERE queue = 'inbox'; END;
CREATE TRIGGER inbox_length_down AFTER DELETE ON inbox
    BEGIN UPDATE queue_lengths SET length = length - 1 WHERE queue = 'inbox'; END;
CREATE TRIGGER outbox_length_up AFTER INSERT ON outbox
    BEGIN UPDATE queue_lengths SET length = length + 1 WHERE queue = 'outbox'; END;
CREATE TRIGGER outbox_length_down AFTER DELETE ON outbox
    BEGIN UPDATE queue_lengths SET length = length - 1 WHERE queue = 'outbox'; END;
)sql",
    // 6: a SKU's published stock level keeps its row, so its version only ever grows: `version` is the
    // latest change, `published` the version the broker acknowledged; a level is due while it is newer.
    R"sql(
ALTER TABLE stock_out ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stock_out_due ON stock_out (sku) WHERE version > published;
)sql",
    // 7: a print job keeps the label model its preview is drawn from when someone asks (label_model.hpp),
    // a few hundred bytes, instead of a PNG drawn for every job inside the order's transaction. New jobs
    // leave `preview` empty unless the label came as an image; the previews of older jobs stay.
    R"sql(
ALTER TABLE print_jobs ADD COLUMN label_model BLOB;
)sql",
    // 8: a job is marked 'sending', durably, before its first byte goes to the printer, and settles as
    // 'done', back to 'pending' (known not printed) or 'uncertain' (the bytes went out and the printer never
    // said whether it printed): an uncertain job waits for the operator and is never sent again by itself.
    // SQLite cannot change a CHECK constraint in place, so the table is rebuilt with its rows. And an index
    // of the jobs by order, the units reserved per SKU kept as a total, and the order counts kept likewise.
    R"sql(
CREATE TABLE print_jobs_v8 (
    id          INTEGER PRIMARY KEY,
    printer     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    zpl         BLOB NOT NULL,
    preview     BLOB NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending','sending','uncertain','done','cancelled')),
    reprint     INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    done_at     TEXT,
    label_model BLOB,
    sent_at     TEXT
);
INSERT INTO print_jobs_v8 (id, printer, kind, order_id, zpl, preview, state, reprint, attempts, last_error,
                           created_at, done_at, label_model)
    SELECT id, printer, kind, order_id, zpl, preview, state, reprint, attempts, last_error, created_at,
           done_at, label_model FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs_v8 RENAME TO print_jobs;
CREATE INDEX print_jobs_pending ON print_jobs (printer, id) WHERE state = 'pending';
CREATE INDEX print_jobs_unsettled ON print_jobs (printer, id) WHERE state IN ('sending','uncertain');
-- An order's labels by kind: whether one printed, its reprint, its preview, cancelling them with the order.
-- Without it each of those read every print job ever stored, so a backlog slowed down as it drained.
CREATE INDEX print_jobs_by_order ON print_jobs (order_id, kind, id);
-- Units reserved per SKU, kept by triggers: summing a SKU's reservations cost each order time in proportion to
-- the open orders of its SKU (5 ms at 20,000), exactly during a flash sale of one product.
CREATE TABLE reserved_by_sku (
    sku      TEXT PRIMARY KEY,
    quantity INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO reserved_by_sku (sku, quantity) SELECT sku, sum(quantity) FROM reservations GROUP BY sku;
CREATE TRIGGER reserved_by_sku_insert AFTER INSERT ON reservations BEGIN
    INSERT INTO reserved_by_sku (sku, quantity) VALUES (NEW.sku, NEW.quantity)
        ON CONFLICT (sku) DO UPDATE SET quantity = quantity + excluded.quantity;
END;
CREATE TRIGGER reserved_by_sku_delete AFTER DELETE ON reservations BEGIN
    UPDATE reserved_by_sku SET quantity = quantity - OLD.quantity WHERE sku = OLD.sku;
END;
-- The number of orders and of open orders, kept by triggers beside the queue lengths: counting them read the
-- whole orders index on every status request (64-172 ms at 200,000 orders, inside one handler).
INSERT INTO queue_lengths VALUES
    ('orders', (SELECT count(*) FROM orders)),
    ('orders_open', (SELECT count(*) FROM orders
                     WHERE state IN ('received','accepted','held','picking','packed','labelled')));
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders BEGIN
    UPDATE queue_lengths SET length = length + 1 WHERE queue = 'orders';
    UPDATE queue_lengths SET length = length + 1 WHERE queue = 'orders_open'
        AND NEW.state IN ('received','accepted','held','picking','packed','labelled');
END;
CREATE TRIGGER orders_count_delete AFTER DELETE ON orders BEGIN
    UPDATE queue_lengths SET length = length - 1 WHERE queue = 'orders';
    UPDATE queue_lengths SET length = length - 1 WHERE queue = 'orders_open'
        AND OLD.state IN ('received','accepted','held','picking','packed','labelled');
END;
CREATE TRIGGER orders_open_state AFTER UPDATE OF state ON orders BEGIN
    UPDATE queue_lengths
        SET length = length + (NEW.state IN ('received','accepted','held','picking','packed','labelled'))
                            - (OLD.state IN ('received','accepted','held','picking','packed','labelled'))
        WHERE queue = 'orders_open';
END;
CREATE TRIGGER reserved_by_sku_update AFTER UPDATE OF sku, quantity ON reservations BEGIN
    UPDATE reserved_by_sku SET quantity = quantity - OLD.quantity WHERE sku = OLD.sku;
    INSERT INTO reserved_by_sku (sku, quantity) VALUES (NEW.sku, NEW.quantity)
        ON CONFLICT (sku) DO UPDATE SET quantity = quantity + excluded.quantity;
END;
)sql",
    // 9: station modes beyond pack. The deliveries the shop announces (receipts and their expected lines);
    // the return label's tracking number, so a parcel coming back is found by it; a station's shift (the
    // mode a command barcode switched it to, the operator badge scanned at its start); and the task a
    // receive, put-away, count or returns station has open with the lines scanned into it, so a restart
    // resumes where the operator was; returned items as received with their condition; stock by location,
    // for a count; pick waves (totes, the walk) and the count tasks a short pick leaves.
    R"sql(
CREATE TABLE receipts (
    id         TEXT PRIMARY KEY,
    supplier   TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL CHECK (state IN ('expected','received','cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE receipt_lines (
    receipt  TEXT NOT NULL REFERENCES receipts(id),
    sku      TEXT NOT NULL,
    expected INTEGER NOT NULL CHECK (expected > 0),
    PRIMARY KEY (receipt, sku)
);
ALTER TABLE returns ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
CREATE INDEX returns_by_tracking ON returns (tracking_number) WHERE tracking_number <> '';
CREATE TABLE return_receipts (
    id        INTEGER PRIMARY KEY,
    rma       TEXT NOT NULL REFERENCES returns(rma),
    sku       TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    condition TEXT NOT NULL CHECK (condition IN ('restock','quarantine','scrap')),
    location  TEXT NOT NULL DEFAULT '',
    expected  INTEGER NOT NULL CHECK (expected IN (0, 1)),
    station   TEXT NOT NULL DEFAULT '',
    operator  TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL
);
CREATE TABLE station_shifts (
    station TEXT PRIMARY KEY,
    mode    TEXT NOT NULL DEFAULT '',
    badge   TEXT NOT NULL DEFAULT '',
    since   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE station_tasks (
    station       TEXT PRIMARY KEY,
    mode          TEXT NOT NULL CHECK (mode IN ('pick','receive','putaway','count','returns')),
    reference     TEXT NOT NULL DEFAULT '',
    step          TEXT NOT NULL,
    next_quantity INTEGER NOT NULL DEFAULT 0 CHECK (next_quantity >= 0),
    pending       TEXT NOT NULL DEFAULT '',
    attempt       INTEGER NOT NULL DEFAULT 0,
    opened_at     TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE station_task_lines (
    id         INTEGER PRIMARY KEY,
    station    TEXT NOT NULL REFERENCES station_tasks(station),
    sku        TEXT NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    lot        TEXT NOT NULL DEFAULT '',
    expiry     TEXT NOT NULL DEFAULT '',
    condition  TEXT NOT NULL DEFAULT '',
    location   TEXT NOT NULL DEFAULT '',
    code       TEXT NOT NULL,
    device     TEXT NOT NULL,
    scanned_at TEXT NOT NULL
);
CREATE INDEX station_task_lines_by_station ON station_task_lines (station, id);
CREATE INDEX stock_by_location ON stock (location);
-- Pick waves: which tote holds which order ('wave' while a pick station walks it, 'pack' once its items
-- are in and it waits for a pack station), and the walk itself, one line per stock row to take from.
CREATE TABLE pick_totes (
    tote     TEXT PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE REFERENCES orders(id),
    station  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('wave','pack'))
) WITHOUT ROWID;
CREATE TABLE pick_lines (
    station  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    order_id TEXT NOT NULL REFERENCES orders(id),
    sku      TEXT NOT NULL,
    location TEXT NOT NULL,
    lot      TEXT NOT NULL DEFAULT '',
    expiry   TEXT NOT NULL DEFAULT '',
    wanted   INTEGER NOT NULL CHECK (wanted > 0),
    picked   INTEGER NOT NULL DEFAULT 0 CHECK (picked >= 0 AND picked <= wanted),
    state    TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','picked','short','dropped')),
    PRIMARY KEY (station, seq)
) WITHOUT ROWID;
-- A location found short while picking, to be counted.
CREATE TABLE count_tasks (
    id         INTEGER PRIMARY KEY,
    location   TEXT NOT NULL,
    sku        TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
)sql",
    // 10: merchant rules. Every run of a rule (its trace, kept for a bounded time); the marks that keep a
    // rule to once per order, SKU or return within a period, or to a cool-down; what rules set on an order
    // (who held it, its tags, the station or printer it is routed to, a return label in the parcel); and the
    // SKUs that are out of stock, so "out of stock" and "back in stock" fire once per crossing. Orders by
    // ship-to (earlier orders to the same address). A rule's hold cancels an order's unprinted labels through
    // print_jobs_by_order (schema 8), whose order_id prefix serves it.
    R"sql(
CREATE TABLE rule_runs (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    trig        TEXT NOT NULL,
    event_id    TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    matched     INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('done','skipped','failed','limited')),
    actions     TEXT NOT NULL DEFAULT '[]',
    reason      TEXT NOT NULL DEFAULT '',
    micros      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rule_runs_by_rule ON rule_runs (rule, id);
CREATE TABLE rule_marks (
    rule     TEXT NOT NULL,
    subject  TEXT NOT NULL,
    fired_ms INTEGER NOT NULL,
    PRIMARY KEY (rule, subject)
) WITHOUT ROWID;
ALTER TABLE orders ADD COLUMN hold_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN route_station TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN route_printer TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN return_label INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN out_of_stock INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_by_ship_to ON orders (ship_to, created_at);
)sql",
    // 11: the lookups an operator's screen makes. An order's history, one row per state it entered (the
    // hold reason or what moved it, and the station and operator when known), written with the change;
    // orders older than the table get one row, their state at the upgrade, timed at their arrival. The
    // tracking number a label carries, so an order is found by the number on any of its labels (shipping
    // labels stored before get their order's number). Tracking numbers, SKUs and location codes looked up
    // alone or by a prefix in any case, and the ledger's newest rows of a SKU or a location, each by an
    // index rather than a read of the whole table.
    R"sql(
CREATE TABLE order_history (
    id       INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    at_ms    INTEGER NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('received','accepted','held','picking','packed',
                                            'labelled','shipped','cancelled','rejected')),
    detail   TEXT NOT NULL DEFAULT '',
    station  TEXT NOT NULL DEFAULT '',
    operator TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_history_by_order ON order_history (order_id, id);
INSERT INTO order_history (order_id, at_ms, state, detail)
    SELECT id, coalesce(CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER), 0), state,
           CASE WHEN hold_reason <> '' THEN hold_reason ELSE 'state at the upgrade to schema 11' END
    FROM orders ORDER BY created_at, id;
ALTER TABLE print_jobs ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
UPDATE print_jobs SET tracking_number = coalesce((SELECT tracking_number FROM orders
                                                  WHERE orders.id = print_jobs.order_id), '')
    WHERE kind = 'shipping';
CREATE INDEX print_jobs_by_tracking ON print_jobs (tracking_number) WHERE tracking_number <> '';
CREATE INDEX shipments_by_tracking_number ON shipments (tracking_number) WHERE tracking_number <> '';
CREATE INDEX products_by_sku_nocase ON products (sku COLLATE NOCASE);
CREATE INDEX locations_by_code_nocase ON locations (code COLLATE NOCASE);
CREATE INDEX movements_by_sku ON movements (sku, id);
CREATE INDEX movements_by_location ON movements (location, id);
)sql",
};

}  // namespace

std::span<const std::string_view> schema_migrations() {
    return kMigrations;
}

}  // namespace packd::fulfillment
