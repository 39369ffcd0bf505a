-- +goose Up
-- The suppression list: addresses that get nothing more from vigil, on any
-- path (the composer, the fallback chain, unregistered warnings, the
-- dispatcher right before a send). how: link (the recipient opted out
-- through the link in a warning), bounce (mail bounced for good), analyst.
-- address is normalised: a bare address, lower-cased.
CREATE TABLE suppressions (
    id          INTEGER PRIMARY KEY,
    address     TEXT NOT NULL UNIQUE,
    how         TEXT NOT NULL CHECK (how IN ('link', 'bounce', 'analyst')),
    actor       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
INSERT INTO suppressions (address, how, actor, reason, created_at)
SELECT lower(address), 'bounce', MIN(source), '', MIN(created_at) FROM bounces GROUP BY lower(address);

-- An e-mail whose recipient came on the list after the row was made ends
-- in state suppressed (SQLite cannot change a CHECK: the table is rebuilt
-- with the same columns, indexes, triggers and data).
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY,
    notice_id        INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    contact_id       INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    lang             TEXT NOT NULL DEFAULT 'en',
    idem_key         TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead', 'unknown', 'suppressed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    lease_until      TIMESTAMP,
    send_started_at  TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);
INSERT INTO outbox_new (id, notice_id, channel, recipient, contact_id, lang, idem_key, state, attempts, next_attempt_at, lease_until,
    send_started_at, last_error, created_at, sent_at, updated_at)
SELECT id, notice_id, channel, recipient, contact_id, lang, idem_key, state, attempts, next_attempt_at, lease_until,
    send_started_at, last_error, created_at, sent_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_notice ON outbox(notice_id);
CREATE INDEX outbox_recipient ON outbox(recipient);
-- Dropping the old table dropped its triggers: those of 00730 (the
-- dashboard's delivery counts) come back unchanged.
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
DELETE FROM outbox WHERE state = 'suppressed';
DROP TABLE suppressions;
