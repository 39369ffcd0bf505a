-- +goose Up
-- Running totals for the analysts' dashboard, kept by the triggers below
-- in the transaction of every write that changes them, so that the
-- dashboard reads a row per trigger and a few rows per day instead of a
-- row per trigger and organisation (finding_totals) or probing every
-- notice.

-- trigger_totals: per trigger, the organisations with findings and the
-- sums of finding_totals (findings, open ones, observations). Only
-- finding_totals_compact writes finding_totals (one at a time), so these
-- rows are written by one transaction at a time and ingest writers never
-- wait for them; a reader adds the differences not folded yet, as
-- TriggerStats does per organisation. A row stays (at zero) when its
-- trigger has no finding left.
CREATE TABLE trigger_totals (
    trigger_id   BIGINT PRIMARY KEY,
    orgs         BIGINT NOT NULL DEFAULT 0,
    findings     BIGINT NOT NULL DEFAULT 0,
    open         BIGINT NOT NULL DEFAULT 0,
    observations BIGINT NOT NULL DEFAULT 0
);

INSERT INTO trigger_totals (trigger_id, orgs, findings, open, observations)
SELECT trigger_id, COUNT(*) FILTER (WHERE findings > 0), SUM(findings), SUM(open), SUM(observations)
FROM finding_totals GROUP BY trigger_id;

-- +goose StatementBegin
CREATE FUNCTION trigger_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO trigger_totals AS tt (trigger_id, orgs, findings, open, observations)
        SELECT trigger_id, COUNT(*) FILTER (WHERE findings > 0), SUM(findings), SUM(open), SUM(observations)
        FROM new_rows GROUP BY trigger_id ORDER BY trigger_id
        ON CONFLICT (trigger_id) DO UPDATE SET orgs = tt.orgs + excluded.orgs, findings = tt.findings + excluded.findings,
            open = tt.open + excluded.open, observations = tt.observations + excluded.observations;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO trigger_totals AS tt (trigger_id, orgs, findings, open, observations)
        SELECT trigger_id, SUM(g), SUM(n), SUM(o), SUM(s) FROM (
            SELECT trigger_id, CASE WHEN findings > 0 THEN 1 ELSE 0 END AS g, findings AS n, open AS o, observations AS s FROM new_rows
            UNION ALL
            SELECT trigger_id, CASE WHEN findings > 0 THEN -1 ELSE 0 END, -findings, -open, -observations FROM old_rows
        ) d GROUP BY trigger_id ORDER BY trigger_id
        ON CONFLICT (trigger_id) DO UPDATE SET orgs = tt.orgs + excluded.orgs, findings = tt.findings + excluded.findings,
            open = tt.open + excluded.open, observations = tt.observations + excluded.observations;
    ELSE
        INSERT INTO trigger_totals AS tt (trigger_id, orgs, findings, open, observations)
        SELECT trigger_id, -COUNT(*) FILTER (WHERE findings > 0), -SUM(findings), -SUM(open), -SUM(observations)
        FROM old_rows GROUP BY trigger_id ORDER BY trigger_id
        ON CONFLICT (trigger_id) DO UPDATE SET orgs = tt.orgs + excluded.orgs, findings = tt.findings + excluded.findings,
            open = tt.open + excluded.open, observations = tt.observations + excluded.observations;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER trigger_totals_insert AFTER INSERT ON finding_totals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trigger_totals_apply();
CREATE TRIGGER trigger_totals_update AFTER UPDATE ON finding_totals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trigger_totals_apply();
CREATE TRIGGER trigger_totals_delete AFTER DELETE ON finding_totals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trigger_totals_apply();

-- Each notice carries what the dashboard counts it by: whether it has an
-- item (only notices with items are counted, as NoticeStatRows does) and
-- how many of its deliveries were sent and are dead. The triggers of
-- notice_items and outbox keep them.
ALTER TABLE notices ADD COLUMN has_items BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE notices ADD COLUMN deliveries_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN deliveries_dead INTEGER NOT NULL DEFAULT 0;

UPDATE notices n SET has_items = EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = n.id),
    deliveries_sent = (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'sent'),
    deliveries_dead = (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'dead');

-- notice_days: per UTC day of creation, the notices with items and how
-- many of them were sent (a delivery succeeded), failed (none did and one
-- is dead), found no recipient (undeliverable) and were acknowledged. A
-- notice counts in slot id % 16 of its day, so that concurrent writers of
-- different notices seldom wait for the same row (writers of one notice
-- already wait for its notices row); a reader sums a day's slots.
CREATE TABLE notice_days (
    day           TEXT NOT NULL,
    slot          INTEGER NOT NULL DEFAULT 0,
    notices       BIGINT NOT NULL DEFAULT 0,
    sent          BIGINT NOT NULL DEFAULT 0,
    failed        BIGINT NOT NULL DEFAULT 0,
    undeliverable BIGINT NOT NULL DEFAULT 0,
    acked         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, slot)
);

INSERT INTO notice_days (day, slot, notices, sent, failed, undeliverable, acked)
SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), id % 16, COUNT(*), COUNT(*) FILTER (WHERE deliveries_sent > 0),
    COUNT(*) FILTER (WHERE deliveries_sent = 0 AND deliveries_dead > 0), COUNT(*) FILTER (WHERE undeliverable IS NOT NULL),
    COUNT(*) FILTER (WHERE acked_at IS NOT NULL)
FROM notices WHERE has_items GROUP BY 1, 2;

-- notice_days_add adds a notice's part (k = 1) to its day or takes it
-- away (k = -1).
-- +goose StatementBegin
CREATE FUNCTION notice_days_add(n notices, k INTEGER) RETURNS void LANGUAGE sql AS $$
    INSERT INTO notice_days AS nd (day, slot, notices, sent, failed, undeliverable, acked)
    VALUES (to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), n.id % 16, k,
        CASE WHEN n.deliveries_sent > 0 THEN k ELSE 0 END,
        CASE WHEN n.deliveries_sent = 0 AND n.deliveries_dead > 0 THEN k ELSE 0 END,
        CASE WHEN n.undeliverable IS NOT NULL THEN k ELSE 0 END,
        CASE WHEN n.acked_at IS NOT NULL THEN k ELSE 0 END)
    ON CONFLICT (day, slot) DO UPDATE SET notices = nd.notices + excluded.notices, sent = nd.sent + excluded.sent,
        failed = nd.failed + excluded.failed, undeliverable = nd.undeliverable + excluded.undeliverable, acked = nd.acked + excluded.acked;
$$;
-- +goose StatementEnd

-- A notice counts on its day while it has items: its part is taken away
-- (the old row) and added (the new row) when a counted property changes.
-- +goose StatementBegin
CREATE FUNCTION notice_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.has_items THEN
        PERFORM notice_days_add(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.has_items THEN
        PERFORM notice_days_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER notice_days_insert AFTER INSERT ON notices FOR EACH ROW WHEN (NEW.has_items)
    EXECUTE FUNCTION notice_days_apply();
CREATE TRIGGER notice_days_update AFTER UPDATE ON notices FOR EACH ROW
    WHEN ((OLD.has_items OR NEW.has_items) AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR (OLD.deliveries_sent > 0) <> (NEW.deliveries_sent > 0) OR (OLD.deliveries_dead > 0) <> (NEW.deliveries_dead > 0)
        OR (OLD.undeliverable IS NULL) <> (NEW.undeliverable IS NULL) OR (OLD.acked_at IS NULL) <> (NEW.acked_at IS NULL)))
    EXECUTE FUNCTION notice_days_apply();
CREATE TRIGGER notice_days_delete AFTER DELETE ON notices FOR EACH ROW WHEN (OLD.has_items)
    EXECUTE FUNCTION notice_days_apply();

-- An item marks its notice when the first arrives; the last one to go
-- (moved to another notice or deleted) clears the mark. Per statement: a
-- composition writes many items of a notice at once.
-- +goose StatementBegin
CREATE FUNCTION notice_items_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        UPDATE notices SET has_items = true
        WHERE id IN (SELECT notice_id FROM new_rows WHERE notice_id IS NOT NULL) AND NOT has_items;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        UPDATE notices n SET has_items = false
        WHERE n.id IN (SELECT notice_id FROM old_rows WHERE notice_id IS NOT NULL) AND n.has_items
          AND NOT EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = n.id);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER notice_items_mark_insert AFTER INSERT ON notice_items
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_items_mark();
CREATE TRIGGER notice_items_mark_update AFTER UPDATE ON notice_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_items_mark();
CREATE TRIGGER notice_items_mark_delete AFTER DELETE ON notice_items
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notice_items_mark();

-- +goose StatementBegin
CREATE FUNCTION outbox_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state IN ('sent', 'dead') THEN
        UPDATE notices SET deliveries_sent = deliveries_sent - CASE WHEN OLD.state = 'sent' THEN 1 ELSE 0 END,
            deliveries_dead = deliveries_dead - CASE WHEN OLD.state = 'dead' THEN 1 ELSE 0 END
        WHERE id = OLD.notice_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.state IN ('sent', 'dead') THEN
        UPDATE notices SET deliveries_sent = deliveries_sent + CASE WHEN NEW.state = 'sent' THEN 1 ELSE 0 END,
            deliveries_dead = deliveries_dead + CASE WHEN NEW.state = 'dead' THEN 1 ELSE 0 END
        WHERE id = NEW.notice_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER outbox_mark_insert AFTER INSERT ON outbox FOR EACH ROW WHEN (NEW.state IN ('sent', 'dead'))
    EXECUTE FUNCTION outbox_mark();
CREATE TRIGGER outbox_mark_update AFTER UPDATE OF state, notice_id ON outbox FOR EACH ROW
    WHEN ((OLD.state <> NEW.state OR OLD.notice_id <> NEW.notice_id) AND (OLD.state IN ('sent', 'dead') OR NEW.state IN ('sent', 'dead')))
    EXECUTE FUNCTION outbox_mark();
CREATE TRIGGER outbox_mark_delete AFTER DELETE ON outbox FOR EACH ROW WHEN (OLD.state IN ('sent', 'dead'))
    EXECUTE FUNCTION outbox_mark();

-- +goose Down
DROP TRIGGER outbox_mark_delete ON outbox;
DROP TRIGGER outbox_mark_update ON outbox;
DROP TRIGGER outbox_mark_insert ON outbox;
DROP FUNCTION outbox_mark();
DROP TRIGGER notice_items_mark_delete ON notice_items;
DROP TRIGGER notice_items_mark_update ON notice_items;
DROP TRIGGER notice_items_mark_insert ON notice_items;
DROP FUNCTION notice_items_mark();
DROP TRIGGER notice_days_delete ON notices;
DROP TRIGGER notice_days_update ON notices;
DROP TRIGGER notice_days_insert ON notices;
DROP FUNCTION notice_days_apply();
DROP FUNCTION notice_days_add(notices, INTEGER);
DROP TABLE notice_days;
ALTER TABLE notices DROP COLUMN deliveries_dead;
ALTER TABLE notices DROP COLUMN deliveries_sent;
ALTER TABLE notices DROP COLUMN has_items;
DROP TRIGGER trigger_totals_delete ON finding_totals;
DROP TRIGGER trigger_totals_update ON finding_totals;
DROP TRIGGER trigger_totals_insert ON finding_totals;
DROP FUNCTION trigger_totals_apply();
DROP TABLE trigger_totals;
