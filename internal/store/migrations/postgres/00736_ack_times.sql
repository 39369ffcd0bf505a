-- +goose Up
-- Time to acknowledge per UTC day of creation, kept in notice_days beside
-- the day's counts: of the notices with items that were sent and then
-- acknowledged, how many (ack_timed), the sum of their seconds from first
-- sending to acknowledgement (ack_seconds, a negative span counts as 0),
-- and how many took under an hour, an hour to a day, a day to a week, and
-- longer. The triggers below keep them in the writing transaction, beside
-- those of 00730 (which keep the counts of the same rows), in the same
-- slot (id % 16) of the day.
ALTER TABLE notice_days ADD COLUMN ack_timed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_hour BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_day BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_week BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN ack_later BIGINT NOT NULL DEFAULT 0;

INSERT INTO notice_days AS nd (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
SELECT day, slot, COUNT(*), SUM(s), COUNT(*) FILTER (WHERE s < 3600), COUNT(*) FILTER (WHERE s >= 3600 AND s < 86400),
    COUNT(*) FILTER (WHERE s >= 86400 AND s < 604800), COUNT(*) FILTER (WHERE s >= 604800)
FROM (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, id % 16 AS slot,
        GREATEST(0, round(extract(epoch FROM acked_at - first_sent_at)))::bigint AS s
      FROM notices WHERE has_items AND acked_at IS NOT NULL AND first_sent_at IS NOT NULL) x
GROUP BY day, slot
ON CONFLICT (day, slot) DO UPDATE SET ack_timed = excluded.ack_timed, ack_seconds = excluded.ack_seconds,
    ack_hour = excluded.ack_hour, ack_day = excluded.ack_day, ack_week = excluded.ack_week, ack_later = excluded.ack_later;

-- notice_ack_days_add adds a notice's time to acknowledge (k = 1) to its
-- day or takes it away (k = -1).
-- +goose StatementBegin
CREATE FUNCTION notice_ack_days_add(n notices, k INTEGER) RETURNS void LANGUAGE sql AS $$
    INSERT INTO notice_days AS nd (day, slot, ack_timed, ack_seconds, ack_hour, ack_day, ack_week, ack_later)
    SELECT to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), n.id % 16, k, k * s,
        CASE WHEN s < 3600 THEN k ELSE 0 END, CASE WHEN s >= 3600 AND s < 86400 THEN k ELSE 0 END,
        CASE WHEN s >= 86400 AND s < 604800 THEN k ELSE 0 END, CASE WHEN s >= 604800 THEN k ELSE 0 END
    FROM (SELECT GREATEST(0, round(extract(epoch FROM n.acked_at - n.first_sent_at)))::bigint AS s) x
    ON CONFLICT (day, slot) DO UPDATE SET ack_timed = nd.ack_timed + excluded.ack_timed, ack_seconds = nd.ack_seconds + excluded.ack_seconds,
        ack_hour = nd.ack_hour + excluded.ack_hour, ack_day = nd.ack_day + excluded.ack_day, ack_week = nd.ack_week + excluded.ack_week,
        ack_later = nd.ack_later + excluded.ack_later;
$$;
-- +goose StatementEnd

-- A notice counts while it has items and was sent and acknowledged: its
-- part is taken away (the old row) and added (the new row) when one of
-- those or its day changes.
-- +goose StatementBegin
CREATE FUNCTION notice_ack_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL THEN
        PERFORM notice_ack_days_add(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL THEN
        PERFORM notice_ack_days_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER notice_ack_days_insert AFTER INSERT ON notices FOR EACH ROW
    WHEN (NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL)
    EXECUTE FUNCTION notice_ack_days_apply();
CREATE TRIGGER notice_ack_days_update AFTER UPDATE ON notices FOR EACH ROW
    WHEN (((OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL)
        OR (NEW.has_items AND NEW.acked_at IS NOT NULL AND NEW.first_sent_at IS NOT NULL))
        AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.acked_at IS DISTINCT FROM NEW.acked_at OR OLD.first_sent_at IS DISTINCT FROM NEW.first_sent_at))
    EXECUTE FUNCTION notice_ack_days_apply();
CREATE TRIGGER notice_ack_days_delete AFTER DELETE ON notices FOR EACH ROW
    WHEN (OLD.has_items AND OLD.acked_at IS NOT NULL AND OLD.first_sent_at IS NOT NULL)
    EXECUTE FUNCTION notice_ack_days_apply();

-- +goose Down
DROP TRIGGER notice_ack_days_delete ON notices;
DROP TRIGGER notice_ack_days_update ON notices;
DROP TRIGGER notice_ack_days_insert ON notices;
DROP FUNCTION notice_ack_days_apply();
DROP FUNCTION notice_ack_days_add(notices, INTEGER);
ALTER TABLE notice_days DROP COLUMN ack_later;
ALTER TABLE notice_days DROP COLUMN ack_week;
ALTER TABLE notice_days DROP COLUMN ack_day;
ALTER TABLE notice_days DROP COLUMN ack_hour;
ALTER TABLE notice_days DROP COLUMN ack_seconds;
ALTER TABLE notice_days DROP COLUMN ack_timed;
