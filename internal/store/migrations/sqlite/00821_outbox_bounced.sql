-- +goose Up
-- A bounce that answers a sent e-mail marks that delivery (bounced_at), so
-- the dashboard counts the warnings that came back: the notice carries how
-- many of its sent deliveries bounced (deliveries_bounced) and notice_days
-- how many notices of the day (of creation, as its other counts) had one
-- (bounced). The triggers below keep both in the writing transaction,
-- beside those of 00730 and 00736. After 00760, which rebuilt outbox.
ALTER TABLE outbox ADD COLUMN bounced_at TIMESTAMP;
ALTER TABLE notices ADD COLUMN deliveries_bounced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_days ADD COLUMN bounced INTEGER NOT NULL DEFAULT 0;

-- A delivery counts while it is sent and bounced.
-- +goose StatementBegin
CREATE TRIGGER outbox_bounce_mark_insert AFTER INSERT ON outbox
WHEN NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL BEGIN
    UPDATE notices SET deliveries_bounced = deliveries_bounced + 1 WHERE id = NEW.notice_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_bounce_mark_update AFTER UPDATE OF state, notice_id, bounced_at ON outbox
WHEN ((OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL) OR (NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL))
    AND ((OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL) <> (NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL)
    OR OLD.notice_id <> NEW.notice_id) BEGIN
    UPDATE notices SET deliveries_bounced = deliveries_bounced - 1
    WHERE id = OLD.notice_id AND OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL;
    UPDATE notices SET deliveries_bounced = deliveries_bounced + 1
    WHERE id = NEW.notice_id AND NEW.state = 'sent' AND NEW.bounced_at IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outbox_bounce_mark_delete AFTER DELETE ON outbox
WHEN OLD.state = 'sent' AND OLD.bounced_at IS NOT NULL BEGIN
    UPDATE notices SET deliveries_bounced = deliveries_bounced - 1 WHERE id = OLD.notice_id;
END;
-- +goose StatementEnd

-- A notice counts on its day while it has items and a bounced delivery:
-- its part is taken away (the old row) and added (the new row) when one of
-- those or its day changes.
-- +goose StatementBegin
CREATE TRIGGER notice_bounce_days_insert AFTER INSERT ON notices
WHEN NEW.has_items AND NEW.deliveries_bounced > 0 BEGIN
    INSERT INTO notice_days (day, slot, bounced) VALUES (substr(NEW.created_at, 1, 10), 0, 1)
    ON CONFLICT (day, slot) DO UPDATE SET bounced = bounced + excluded.bounced;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_bounce_days_update AFTER UPDATE ON notices
WHEN ((OLD.has_items AND OLD.deliveries_bounced > 0) OR (NEW.has_items AND NEW.deliveries_bounced > 0))
    AND (OLD.has_items <> NEW.has_items OR OLD.created_at IS NOT NEW.created_at
    OR (OLD.deliveries_bounced > 0) <> (NEW.deliveries_bounced > 0)) BEGIN
    INSERT INTO notice_days (day, slot, bounced) SELECT substr(OLD.created_at, 1, 10), 0, -1
    WHERE OLD.has_items AND OLD.deliveries_bounced > 0
    ON CONFLICT (day, slot) DO UPDATE SET bounced = bounced + excluded.bounced;
    INSERT INTO notice_days (day, slot, bounced) SELECT substr(NEW.created_at, 1, 10), 0, 1
    WHERE NEW.has_items AND NEW.deliveries_bounced > 0
    ON CONFLICT (day, slot) DO UPDATE SET bounced = bounced + excluded.bounced;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_bounce_days_delete AFTER DELETE ON notices
WHEN OLD.has_items AND OLD.deliveries_bounced > 0 BEGIN
    INSERT INTO notice_days (day, slot, bounced) VALUES (substr(OLD.created_at, 1, 10), 0, -1)
    ON CONFLICT (day, slot) DO UPDATE SET bounced = bounced + excluded.bounced;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER notice_bounce_days_delete;
DROP TRIGGER notice_bounce_days_update;
DROP TRIGGER notice_bounce_days_insert;
DROP TRIGGER outbox_bounce_mark_delete;
DROP TRIGGER outbox_bounce_mark_update;
DROP TRIGGER outbox_bounce_mark_insert;
ALTER TABLE notice_days DROP COLUMN bounced;
ALTER TABLE notices DROP COLUMN deliveries_bounced;
ALTER TABLE outbox DROP COLUMN bounced_at;
