-- +goose Up
-- trigger_days: per UTC day of first sighting and trigger, how many
-- findings were new, kept by the triggers below in the writing
-- transaction, so that the dashboard's findings per trigger over time read
-- a few rows per day and trigger. A writer adds to the slot of its own
-- connection (pg_backend_pid()), which no concurrent transaction writes:
-- no writer waits for another's row and no two lock rows in different
-- orders; a reader sums a day's slots.
CREATE TABLE trigger_days (
    day        TEXT NOT NULL,
    trigger_id BIGINT NOT NULL,
    slot       INTEGER NOT NULL DEFAULT 0,
    findings   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, trigger_id, slot)
);

INSERT INTO trigger_days (day, trigger_id, slot, findings)
SELECT to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'), trigger_id, 0, COUNT(*) FROM findings GROUP BY 1, 2;

-- Per statement: an ingest batch adds its new findings in one write per
-- day and trigger.
-- +goose StatementBegin
CREATE FUNCTION trigger_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO trigger_days AS td (day, trigger_id, slot, findings)
        SELECT to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'), trigger_id, pg_backend_pid(), COUNT(*)
        FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = td.findings + excluded.findings;
    ELSE
        INSERT INTO trigger_days AS td (day, trigger_id, slot, findings)
        SELECT to_char(first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'), trigger_id, pg_backend_pid(), -COUNT(*)
        FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = td.findings + excluded.findings;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A finding moves when its trigger or its first sighting changes (an
-- older sighting arrives later): per row, and only then.
-- +goose StatementBegin
CREATE FUNCTION trigger_days_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO trigger_days AS td (day, trigger_id, slot, findings)
    VALUES (to_char(OLD.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'), OLD.trigger_id, pg_backend_pid(), -1)
    ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = td.findings - 1;
    INSERT INTO trigger_days AS td (day, trigger_id, slot, findings)
    VALUES (to_char(NEW.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'), NEW.trigger_id, pg_backend_pid(), 1)
    ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = td.findings + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER trigger_days_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION trigger_days_apply();
CREATE TRIGGER trigger_days_delete AFTER DELETE ON findings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION trigger_days_apply();
CREATE TRIGGER trigger_days_update AFTER UPDATE OF trigger_id, first_seen ON findings FOR EACH ROW
    WHEN (NEW.trigger_id <> OLD.trigger_id
        OR to_char(NEW.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD') <> to_char(OLD.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD'))
    EXECUTE FUNCTION trigger_days_move();

-- +goose Down
DROP TRIGGER trigger_days_update ON findings;
DROP TRIGGER trigger_days_delete ON findings;
DROP TRIGGER trigger_days_insert ON findings;
DROP FUNCTION trigger_days_move();
DROP FUNCTION trigger_days_apply();
DROP TABLE trigger_days;
