-- +goose Up
-- trigger_days: per UTC day of first sighting and trigger, how many
-- findings were new, kept by the triggers below in the writing
-- transaction, so that the dashboard's findings per trigger over time read
-- a row per day and trigger. slot spreads a day over several rows on
-- PostgreSQL (one per writing connection); SQLite has one writer and uses
-- slot 0. A row stays (at zero) when its findings are gone.
CREATE TABLE trigger_days (
    day        TEXT NOT NULL,
    trigger_id INTEGER NOT NULL,
    slot       INTEGER NOT NULL DEFAULT 0,
    findings   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, trigger_id, slot)
) WITHOUT ROWID;

INSERT INTO trigger_days (day, trigger_id, slot, findings)
SELECT substr(first_seen, 1, 10), trigger_id, 0, COUNT(*) FROM findings GROUP BY 1, 2;

-- +goose StatementBegin
CREATE TRIGGER trigger_days_insert AFTER INSERT ON findings BEGIN
    INSERT INTO trigger_days (day, trigger_id, slot, findings) VALUES (substr(NEW.first_seen, 1, 10), NEW.trigger_id, 0, 1)
    ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = findings + 1;
END;
-- +goose StatementEnd

-- A finding moves when its trigger or its first sighting changes (an
-- older sighting arrives later).
-- +goose StatementBegin
CREATE TRIGGER trigger_days_update AFTER UPDATE OF trigger_id, first_seen ON findings
WHEN NEW.trigger_id <> OLD.trigger_id OR substr(NEW.first_seen, 1, 10) <> substr(OLD.first_seen, 1, 10) BEGIN
    UPDATE trigger_days SET findings = findings - 1 WHERE day = substr(OLD.first_seen, 1, 10) AND trigger_id = OLD.trigger_id AND slot = 0;
    INSERT INTO trigger_days (day, trigger_id, slot, findings) VALUES (substr(NEW.first_seen, 1, 10), NEW.trigger_id, 0, 1)
    ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = findings + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trigger_days_delete AFTER DELETE ON findings BEGIN
    UPDATE trigger_days SET findings = findings - 1 WHERE day = substr(OLD.first_seen, 1, 10) AND trigger_id = OLD.trigger_id AND slot = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trigger_days_delete;
DROP TRIGGER trigger_days_update;
DROP TRIGGER trigger_days_insert;
DROP TABLE trigger_days;
