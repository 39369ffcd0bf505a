-- +goose Up
-- Running totals for the analysts' dashboard, kept by the triggers below
-- in the transaction of every write that changes them, so that the
-- dashboard reads a row per trigger and a row per day instead of a row per
-- trigger and organisation (finding_totals) or probing every notice.

-- trigger_totals: per trigger, the organisations with findings and the
-- sums of finding_totals (findings, open ones, observations). Kept from
-- finding_totals' own rows: one small write per change of a totals row.
-- A row stays (at zero) when its trigger has no finding left.
CREATE TABLE trigger_totals (
    trigger_id   INTEGER PRIMARY KEY,
    orgs         INTEGER NOT NULL DEFAULT 0,
    findings     INTEGER NOT NULL DEFAULT 0,
    open         INTEGER NOT NULL DEFAULT 0,
    observations INTEGER NOT NULL DEFAULT 0
);

INSERT INTO trigger_totals (trigger_id, orgs, findings, open, observations)
SELECT trigger_id, SUM(findings > 0), SUM(findings), SUM(open), SUM(observations)
FROM finding_totals GROUP BY trigger_id;

-- +goose StatementBegin
CREATE TRIGGER trigger_totals_insert AFTER INSERT ON finding_totals BEGIN
    INSERT INTO trigger_totals (trigger_id, orgs, findings, open, observations)
    VALUES (NEW.trigger_id, NEW.findings > 0, NEW.findings, NEW.open, NEW.observations)
    ON CONFLICT (trigger_id) DO UPDATE SET orgs = orgs + excluded.orgs, findings = findings + excluded.findings,
        open = open + excluded.open, observations = observations + excluded.observations;
END;
-- +goose StatementEnd

-- finding_totals' key (trigger, organisation) is never updated, so the
-- trigger's row exists and changes by the difference.
-- +goose StatementBegin
CREATE TRIGGER trigger_totals_update AFTER UPDATE ON finding_totals
WHEN NEW.findings <> OLD.findings OR NEW.open <> OLD.open OR NEW.observations <> OLD.observations BEGIN
    UPDATE trigger_totals SET orgs = orgs + (NEW.findings > 0) - (OLD.findings > 0), findings = findings + NEW.findings - OLD.findings,
        open = open + NEW.open - OLD.open, observations = observations + NEW.observations - OLD.observations
    WHERE trigger_id = NEW.trigger_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trigger_totals_delete AFTER DELETE ON finding_totals BEGIN
    UPDATE trigger_totals SET orgs = orgs - (OLD.findings > 0), findings = findings - OLD.findings,
        open = open - OLD.open, observations = observations - OLD.observations
    WHERE trigger_id = OLD.trigger_id;
END;
-- +goose StatementEnd

-- Each notice carries what the dashboard counts it by: whether it has an
-- item (only notices with items are counted, as NoticeStatRows does) and
-- how many of its deliveries were sent and are dead. The triggers of
-- notice_items and outbox keep them.
ALTER TABLE notices ADD COLUMN has_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN deliveries_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN deliveries_dead INTEGER NOT NULL DEFAULT 0;

UPDATE notices SET has_items = EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = notices.id),
    deliveries_sent = (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = notices.id AND o.state = 'sent'),
    deliveries_dead = (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = notices.id AND o.state = 'dead');

-- notice_days: per UTC day of creation, the notices with items and how
-- many of them were sent (a delivery succeeded), failed (none did and one
-- is dead), found no recipient (undeliverable) and were acknowledged.
-- slot spreads a day over several rows on PostgreSQL (concurrent
-- writers); SQLite has one writer and uses slot 0.
CREATE TABLE notice_days (
    day           TEXT NOT NULL,
    slot          INTEGER NOT NULL DEFAULT 0,
    notices       INTEGER NOT NULL DEFAULT 0,
    sent          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    undeliverable INTEGER NOT NULL DEFAULT 0,
    acked         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, slot)
) WITHOUT ROWID;

INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
SELECT substr(created_at, 1, 10), 0, COUNT(*), SUM(deliveries_sent > 0), SUM(deliveries_sent = 0 AND deliveries_dead > 0),
    SUM(undeliverable IS NOT NULL), SUM(acked_at IS NOT NULL)
FROM notices WHERE has_items GROUP BY substr(created_at, 1, 10);

-- A notice counts on its day while it has items: its part is taken away
-- (the old row) and added (the new row) when a counted property changes.
-- +goose StatementBegin
CREATE TRIGGER notice_days_insert AFTER INSERT ON notices WHEN NEW.has_items BEGIN
    INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
    SELECT substr(NEW.created_at, 1, 10), 0, 1, NEW.deliveries_sent > 0, NEW.deliveries_sent = 0 AND NEW.deliveries_dead > 0,
        NEW.undeliverable IS NOT NULL, NEW.acked_at IS NOT NULL WHERE true
    ON CONFLICT (day, slot) DO UPDATE SET notices = notices + excluded.notices, sent = sent + excluded.sent,
        failed = failed + excluded.failed, undeliverable = undeliverable + excluded.undeliverable, acked = acked + excluded.acked;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_days_update AFTER UPDATE ON notices
WHEN (OLD.has_items OR NEW.has_items) AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS NOT NEW.created_at
    OR (OLD.deliveries_sent > 0) <> (NEW.deliveries_sent > 0) OR (OLD.deliveries_dead > 0) <> (NEW.deliveries_dead > 0)
    OR (OLD.undeliverable IS NULL) <> (NEW.undeliverable IS NULL) OR (OLD.acked_at IS NULL) <> (NEW.acked_at IS NULL)) BEGIN
    INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
    SELECT substr(OLD.created_at, 1, 10), 0, -1, -(OLD.deliveries_sent > 0), -(OLD.deliveries_sent = 0 AND OLD.deliveries_dead > 0),
        -(OLD.undeliverable IS NOT NULL), -(OLD.acked_at IS NOT NULL) WHERE OLD.has_items
    ON CONFLICT (day, slot) DO UPDATE SET notices = notices + excluded.notices, sent = sent + excluded.sent,
        failed = failed + excluded.failed, undeliverable = undeliverable + excluded.undeliverable, acked = acked + excluded.acked;
    INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
    SELECT substr(NEW.created_at, 1, 10), 0, 1, NEW.deliveries_sent > 0, NEW.deliveries_sent = 0 AND NEW.deliveries_dead > 0,
        NEW.undeliverable IS NOT NULL, NEW.acked_at IS NOT NULL WHERE NEW.has_items
    ON CONFLICT (day, slot) DO UPDATE SET notices = notices + excluded.notices, sent = sent + excluded.sent,
        failed = failed + excluded.failed, undeliverable = undeliverable + excluded.undeliverable, acked = acked + excluded.acked;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_days_delete AFTER DELETE ON notices WHEN OLD.has_items BEGIN
    INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
    SELECT substr(OLD.created_at, 1, 10), 0, -1, -(OLD.deliveries_sent > 0), -(OLD.deliveries_sent = 0 AND OLD.deliveries_dead > 0),
        -(OLD.undeliverable IS NOT NULL), -(OLD.acked_at IS NOT NULL) WHERE true
    ON CONFLICT (day, slot) DO UPDATE SET notices = notices + excluded.notices, sent = sent + excluded.sent,
        failed = failed + excluded.failed, undeliverable = undeliverable + excluded.undeliverable, acked = acked + excluded.acked;
END;
-- +goose StatementEnd

-- An item marks its notice when the first arrives; the last one to go
-- (moved to another notice or deleted) clears the mark. A probe by index,
-- a write only when the mark changes.
-- +goose StatementBegin
CREATE TRIGGER notice_items_mark_insert AFTER INSERT ON notice_items WHEN NEW.notice_id IS NOT NULL BEGIN
    UPDATE notices SET has_items = 1 WHERE id = NEW.notice_id AND has_items = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_items_mark_update AFTER UPDATE OF notice_id ON notice_items
WHEN OLD.notice_id IS NOT NEW.notice_id BEGIN
    UPDATE notices SET has_items = 1 WHERE id = NEW.notice_id AND has_items = 0;
    UPDATE notices SET has_items = 0 WHERE id = OLD.notice_id AND has_items = 1
        AND NOT EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = OLD.notice_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_items_mark_delete AFTER DELETE ON notice_items WHEN OLD.notice_id IS NOT NULL BEGIN
    UPDATE notices SET has_items = 0 WHERE id = OLD.notice_id AND has_items = 1
        AND NOT EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = OLD.notice_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_mark_insert AFTER INSERT ON outbox WHEN NEW.state IN ('sent', 'dead') BEGIN
    UPDATE notices SET deliveries_sent = deliveries_sent + (NEW.state = 'sent'), deliveries_dead = deliveries_dead + (NEW.state = 'dead')
    WHERE id = NEW.notice_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_mark_update AFTER UPDATE OF state, notice_id ON outbox
WHEN (OLD.state <> NEW.state OR OLD.notice_id <> NEW.notice_id)
    AND (OLD.state IN ('sent', 'dead') OR NEW.state IN ('sent', 'dead')) BEGIN
    UPDATE notices SET deliveries_sent = deliveries_sent - (OLD.state = 'sent'), deliveries_dead = deliveries_dead - (OLD.state = 'dead')
    WHERE id = OLD.notice_id AND OLD.state IN ('sent', 'dead');
    UPDATE notices SET deliveries_sent = deliveries_sent + (NEW.state = 'sent'), deliveries_dead = deliveries_dead + (NEW.state = 'dead')
    WHERE id = NEW.notice_id AND NEW.state IN ('sent', 'dead');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_mark_delete AFTER DELETE ON outbox WHEN OLD.state IN ('sent', 'dead') BEGIN
    UPDATE notices SET deliveries_sent = deliveries_sent - (OLD.state = 'sent'), deliveries_dead = deliveries_dead - (OLD.state = 'dead')
    WHERE id = OLD.notice_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER outbox_mark_delete;
DROP TRIGGER outbox_mark_update;
DROP TRIGGER outbox_mark_insert;
DROP TRIGGER notice_items_mark_delete;
DROP TRIGGER notice_items_mark_update;
DROP TRIGGER notice_items_mark_insert;
DROP TRIGGER notice_days_delete;
DROP TRIGGER notice_days_update;
DROP TRIGGER notice_days_insert;
DROP TABLE notice_days;
ALTER TABLE notices DROP COLUMN deliveries_dead;
ALTER TABLE notices DROP COLUMN deliveries_sent;
ALTER TABLE notices DROP COLUMN has_items;
DROP TRIGGER trigger_totals_delete;
DROP TRIGGER trigger_totals_update;
DROP TRIGGER trigger_totals_insert;
DROP TABLE trigger_totals;
