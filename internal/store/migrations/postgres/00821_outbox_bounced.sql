-- +goose Up
-- A bounce that answers a sent e-mail marks that delivery (bounced_at), so
-- the dashboard counts the warnings that came back: the notice carries how
-- many of its sent deliveries bounced (deliveries_bounced) and notice_days
-- how many notices of the day (of creation, as its other counts) had one
-- (bounced), in the notice's slot (id % 16) of the day. The triggers below
-- keep both in the writing transaction, beside those of 00730 and 00736.
ALTER TABLE outbox ADD COLUMN bounced_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN deliveries_bounced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN bounced BIGINT NOT NULL DEFAULT 0;

-- A delivery counts while it is sent and bounced.
-- +goose StatementBegin
CREATE FUNCTION outbox_bounce_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL THEN
        UPDATE notices SET deliveries_bounced = deliveries_bounced - 1 WHERE id = OLD.notice_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL THEN
        UPDATE notices SET deliveries_bounced = deliveries_bounced + 1 WHERE id = NEW.notice_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER outbox_bounce_mark_insert AFTER INSERT ON outbox FOR EACH ROW
    WHEN (NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL)
    EXECUTE FUNCTION outbox_bounce_mark();
CREATE TRIGGER outbox_bounce_mark_update AFTER UPDATE OF state, notice_id, bounced_at ON outbox FOR EACH ROW
    WHEN (((OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL) OR (NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL))
        AND ((OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL) <> (NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL)
        OR OLD.notice_id <> NEW.notice_id))
    EXECUTE FUNCTION outbox_bounce_mark();
CREATE TRIGGER outbox_bounce_mark_delete AFTER DELETE ON outbox FOR EACH ROW
    WHEN (OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL)
    EXECUTE FUNCTION outbox_bounce_mark();

-- A notice counts on its day while it has items and a bounced delivery:
-- its part is taken away (the old row) and added (the new row) when one of
-- those or its day changes.
-- +goose StatementBegin
CREATE FUNCTION notice_bounce_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.has_items AND OLD.deliveries_bounced > 0 THEN
        INSERT INTO notice_days AS nd (day, slot, bounced) VALUES (to_char(OLD.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), OLD.id % 16, -1)
        ON CONFLICT (day, slot) DO UPDATE SET bounced = nd.bounced + excluded.bounced;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.has_items AND NEW.deliveries_bounced > 0 THEN
        INSERT INTO notice_days AS nd (day, slot, bounced) VALUES (to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), NEW.id % 16, 1)
        ON CONFLICT (day, slot) DO UPDATE SET bounced = nd.bounced + excluded.bounced;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER notice_bounce_days_insert AFTER INSERT ON notices FOR EACH ROW
    WHEN (NEW.has_items AND NEW.deliveries_bounced > 0)
    EXECUTE FUNCTION notice_bounce_days_apply();
CREATE TRIGGER notice_bounce_days_update AFTER UPDATE ON notices FOR EACH ROW
    WHEN (((OLD.has_items AND OLD.deliveries_bounced > 0) OR (NEW.has_items AND NEW.deliveries_bounced > 0))
        AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR (OLD.deliveries_bounced > 0) <> (NEW.deliveries_bounced > 0)))
    EXECUTE FUNCTION notice_bounce_days_apply();
CREATE TRIGGER notice_bounce_days_delete AFTER DELETE ON notices FOR EACH ROW
    WHEN (OLD.has_items AND OLD.deliveries_bounced > 0)
    EXECUTE FUNCTION notice_bounce_days_apply();

-- +goose Down
DROP TRIGGER notice_bounce_days_delete ON notices;
DROP TRIGGER notice_bounce_days_update ON notices;
DROP TRIGGER notice_bounce_days_insert ON notices;
DROP FUNCTION notice_bounce_days_apply();
DROP TRIGGER outbox_bounce_mark_delete ON outbox;
DROP TRIGGER outbox_bounce_mark_update ON outbox;
DROP TRIGGER outbox_bounce_mark_insert ON outbox;
DROP FUNCTION outbox_bounce_mark();
ALTER TABLE notice_days DROP COLUMN bounced;
ALTER TABLE notices DROP COLUMN deliveries_bounced;
ALTER TABLE outbox DROP COLUMN bounced_at;
