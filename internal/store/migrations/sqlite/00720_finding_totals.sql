-- +goose Up
-- finding_totals holds running totals of the findings per trigger and
-- organisation, kept by the triggers below in the transaction of every
-- write to findings (upserts, resolutions, cascaded deletes), so that the
-- analysts' dashboard and TriggerStats read at most one row per trigger and
-- organisation instead of aggregating every finding. A row whose findings
-- reach zero is deleted, so a row exists only while the organisation has a
-- finding of the trigger. No foreign keys: a cascaded delete of an
-- organisation or trigger removes its findings, whose triggers remove the
-- rows.
CREATE TABLE finding_totals (
    trigger_id   INTEGER NOT NULL,
    org_id       INTEGER NOT NULL,
    findings     INTEGER NOT NULL DEFAULT 0,
    open         INTEGER NOT NULL DEFAULT 0,
    observations INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (trigger_id, org_id)
) WITHOUT ROWID;
CREATE INDEX finding_totals_org ON finding_totals(org_id);

-- finding_total_deltas stays empty on SQLite (one writer at a time, so the
-- triggers change finding_totals directly); PostgreSQL's writers append
-- their differences to it. TriggerStats reads both on either engine.
CREATE TABLE finding_total_deltas (
    trigger_id   INTEGER NOT NULL,
    org_id       INTEGER NOT NULL,
    findings     INTEGER NOT NULL DEFAULT 0,
    open         INTEGER NOT NULL DEFAULT 0,
    observations INTEGER NOT NULL DEFAULT 0
);

INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations)
SELECT trigger_id, org_id, COUNT(*), SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), SUM(seen_count)
FROM findings GROUP BY trigger_id, org_id;

-- +goose StatementBegin
CREATE TRIGGER finding_totals_insert AFTER INSERT ON findings BEGIN
    INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations)
    VALUES (NEW.trigger_id, NEW.org_id, 1, NEW.status = 'open', NEW.seen_count)
    ON CONFLICT (trigger_id, org_id) DO UPDATE SET findings = findings + 1,
        open = open + excluded.open, observations = observations + excluded.observations;
END;
-- +goose StatementEnd

-- The common update (a re-sighting, a resolution, a reopening) keeps the
-- finding's trigger and organisation: one row changes by the difference.
-- +goose StatementBegin
CREATE TRIGGER finding_totals_update AFTER UPDATE OF status, seen_count ON findings
WHEN NEW.trigger_id = OLD.trigger_id AND NEW.org_id = OLD.org_id
  AND (NEW.status <> OLD.status OR NEW.seen_count <> OLD.seen_count) BEGIN
    UPDATE finding_totals SET open = open + (NEW.status = 'open') - (OLD.status = 'open'),
        observations = observations + NEW.seen_count - OLD.seen_count
    WHERE trigger_id = NEW.trigger_id AND org_id = NEW.org_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER finding_totals_move AFTER UPDATE OF trigger_id, org_id, status, seen_count ON findings
WHEN NEW.trigger_id <> OLD.trigger_id OR NEW.org_id <> OLD.org_id BEGIN
    UPDATE finding_totals SET findings = findings - 1, open = open - (OLD.status = 'open'),
        observations = observations - OLD.seen_count
    WHERE trigger_id = OLD.trigger_id AND org_id = OLD.org_id;
    DELETE FROM finding_totals WHERE trigger_id = OLD.trigger_id AND org_id = OLD.org_id AND findings <= 0;
    INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations)
    VALUES (NEW.trigger_id, NEW.org_id, 1, NEW.status = 'open', NEW.seen_count)
    ON CONFLICT (trigger_id, org_id) DO UPDATE SET findings = findings + 1,
        open = open + excluded.open, observations = observations + excluded.observations;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER finding_totals_delete AFTER DELETE ON findings BEGIN
    UPDATE finding_totals SET findings = findings - 1, open = open - (OLD.status = 'open'),
        observations = observations - OLD.seen_count
    WHERE trigger_id = OLD.trigger_id AND org_id = OLD.org_id;
    DELETE FROM finding_totals WHERE trigger_id = OLD.trigger_id AND org_id = OLD.org_id AND findings <= 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER finding_totals_delete;
DROP TRIGGER finding_totals_move;
DROP TRIGGER finding_totals_update;
DROP TRIGGER finding_totals_insert;
DROP TABLE finding_total_deltas;
DROP TABLE finding_totals;
