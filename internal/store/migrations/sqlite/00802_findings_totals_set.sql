-- +goose Up
-- The feed ingest keeps the totals of what it writes itself, set-based:
-- FindingUpsert (the only writer that inserts findings or changes their
-- seen count) adds one row per trigger and organisation to finding_totals
-- and one per day and trigger to trigger_days for each batch, in the
-- batch's transaction, instead of three trigger upserts per new finding
-- (finding_totals, its trigger_totals, trigger_days). What stays with
-- triggers is what other writers do: a finding's status changing (a
-- resolution, a dispute accepted, a reopening by a re-sighting), a finding
-- moved to another trigger or organisation, a finding deleted, and a first
-- sighting that moves to another day.
DROP TRIGGER finding_totals_insert;
DROP TRIGGER trigger_days_insert;
DROP TRIGGER finding_totals_update;
DROP TRIGGER finding_totals_move;

-- +goose StatementBegin
CREATE TRIGGER finding_totals_update AFTER UPDATE OF status ON findings
WHEN NEW.trigger_id = OLD.trigger_id AND NEW.org_id = OLD.org_id AND NEW.status <> OLD.status BEGIN
    UPDATE finding_totals SET open = open + (NEW.status = 'open') - (OLD.status = 'open'),
        observations = observations + NEW.seen_count - OLD.seen_count
    WHERE trigger_id = NEW.trigger_id AND org_id = NEW.org_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER finding_totals_move AFTER UPDATE OF trigger_id, org_id ON findings
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

-- +goose Down
DROP TRIGGER finding_totals_move;
DROP TRIGGER finding_totals_update;

-- +goose StatementBegin
CREATE TRIGGER finding_totals_insert AFTER INSERT ON findings BEGIN
    INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations)
    VALUES (NEW.trigger_id, NEW.org_id, 1, NEW.status = 'open', NEW.seen_count)
    ON CONFLICT (trigger_id, org_id) DO UPDATE SET findings = findings + 1,
        open = open + excluded.open, observations = observations + excluded.observations;
END;
-- +goose StatementEnd

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
CREATE TRIGGER trigger_days_insert AFTER INSERT ON findings BEGIN
    INSERT INTO trigger_days (day, trigger_id, slot, findings) VALUES (substr(NEW.first_seen, 1, 10), NEW.trigger_id, 0, 1)
    ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = findings + 1;
END;
-- +goose StatementEnd
