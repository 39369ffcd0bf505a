-- +goose Up
-- Time to acknowledge per UTC day of creation, kept in notice_days beside
-- the day's counts: of the notices with items that were sent and then
-- acknowledged, how many (ack_timed), the sum of their seconds from first
-- sending to acknowledgement (ack_seconds, a negative span counts as 0),
-- and how many took under an hour, an hour to a day, a day to a week, and
-- longer. The triggers below keep them in the writing transaction, beside
-- those of 00730 (which keep the counts of the same rows).
ALTER TABLE notice_days ADD COLUMN ack_timed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_hour INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_week INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_later INTEGER NOT NULL DEFAULT 0;

INSERT INTO notice_days (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
SELECT day, 0, COUNT(*), SUM(s), SUM(s < 3600), SUM(s >= 3600 AND s < 86400), SUM(s >= 86400 AND s < 604800), SUM(s >= 604800)
FROM (SELECT substr(created_at, 1, 10) AS day,
        max(0, CAST(round((julianday(acked_at) - julianday(first_sent_at)) * 86400) AS INTEGER)) AS s
      FROM notices WHERE has_items AND acked_at IS NOT NULL AND first_sent_at IS NOT NULL) x
GROUP BY day
ON CONFLICT (day, slot) DO UPDATE SET ack_timed = excluded.ack_timed, ack_seconds = excluded.ack_seconds,
    ack_hour = excluded.ack_hour, ack_day = excluded.ack_day, ack_week = excluded.ack_week, ack_later = excluded.ack_later;

-- A notice counts while it has items and was sent and acknowledged: its
-- part is taken away (the old row) and added (the new row) when one of
-- those or its day changes.
-- +goose StatementBegin
CREATE TRIGGER notice_ack_days_insert AFTER INSERT ON notices
WHEN NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL BEGIN
    INSERT INTO notice_days (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
    SELECT substr(NEW.created_at, 1, 10), 0, 1, s, s < 3600, s >= 3600 AND s < 86400, s >= 86400 AND s < 604800, s >= 604800
    FROM (SELECT max(0, CAST(round((julianday(NEW.acked_at) - julianday(NEW.first_sent_at)) * 86400) AS INTEGER)) AS s) WHERE true
    ON CONFLICT (day, slot) DO UPDATE SET ack_timed = ack_timed + excluded.ack_timed, ack_seconds = ack_seconds + excluded.ack_seconds,
        ack_hour = ack_hour + excluded.ack_hour, ack_day = ack_day + excluded.ack_day, ack_week = ack_week + excluded.ack_week,
        ack_later = ack_later + excluded.ack_later;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_ack_days_update AFTER UPDATE ON notices
WHEN ((OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL)
    OR (NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL))
    AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS NOT NEW.created_at
    OR OLD.acked_at IS NOT NEW.acked_at OR OLD.first_sent_at IS NOT NEW.first_sent_at) BEGIN
    INSERT INTO notice_days (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
    SELECT substr(OLD.created_at, 1, 10), 0, -1, -s, -(s < 3600), -(s >= 3600 AND s < 86400), -(s >= 86400 AND s < 604800), -(s >= 604800)
    FROM (SELECT max(0, CAST(round((julianday(OLD.acked_at) - julianday(OLD.first_sent_at)) * 86400) AS INTEGER)) AS s)
    WHERE OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL
    ON CONFLICT (day, slot) DO UPDATE SET ack_timed = ack_timed + excluded.ack_timed, ack_seconds = ack_seconds + excluded.ack_seconds,
        ack_hour = ack_hour + excluded.ack_hour, ack_day = ack_day + excluded.ack_day, ack_week = ack_week + excluded.ack_week,
        ack_later = ack_later + excluded.ack_later;
    INSERT INTO notice_days (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
    SELECT substr(NEW.created_at, 1, 10), 0, 1, s, s < 3600, s >= 3600 AND s < 86400, s >= 86400 AND s < 604800, s >= 604800
    FROM (SELECT max(0, CAST(round((julianday(NEW.acked_at) - julianday(NEW.first_sent_at)) * 86400) AS INTEGER)) AS s)
    WHERE NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL
    ON CONFLICT (day, slot) DO UPDATE SET ack_timed = ack_timed + excluded.ack_timed, ack_seconds = ack_seconds + excluded.ack_seconds,
        ack_hour = ack_hour + excluded.ack_hour, ack_day = ack_day + excluded.ack_day, ack_week = ack_week + excluded.ack_week,
        ack_later = ack_later + excluded.ack_later;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_ack_days_delete AFTER DELETE ON notices
WHEN OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL BEGIN
    INSERT INTO notice_days (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
    SELECT substr(OLD.created_at, 1, 10), 0, -1, -s, -(s < 3600), -(s >= 3600 AND s < 86400), -(s >= 86400 AND s < 604800), -(s >= 604800)
    FROM (SELECT max(0, CAST(round((julianday(OLD.acked_at) - julianday(OLD.first_sent_at)) * 86400) AS INTEGER)) AS s) WHERE true
    ON CONFLICT (day, slot) DO UPDATE SET ack_timed = ack_timed + excluded.ack_timed, ack_seconds = ack_seconds + excluded.ack_seconds,
        ack_hour = ack_hour + excluded.ack_hour, ack_day = ack_day + excluded.ack_day, ack_week = ack_week + excluded.ack_week,
        ack_later = ack_later + excluded.ack_later;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER notice_ack_days_delete;
DROP TRIGGER notice_ack_days_update;
DROP TRIGGER notice_ack_days_insert;
ALTER TABLE notice_days DROP COLUMN ack_later;
ALTER TABLE notice_days DROP COLUMN ack_week;
ALTER TABLE notice_days DROP COLUMN ack_day;
ALTER TABLE notice_days DROP COLUMN ack_hour;
ALTER TABLE notice_days DROP COLUMN ack_seconds;
ALTER TABLE notice_days DROP COLUMN ack_timed;
