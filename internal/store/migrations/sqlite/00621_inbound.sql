-- +goose Up
-- Why a notice is on the analysts' call list when not for want of an
-- acknowledgement (a bounce: the address and the reporting server's
-- reason).
ALTER TABLE notices ADD COLUMN escalation_reason TEXT NOT NULL DEFAULT '';

-- Answers to warnings that came back by e-mail, attached to the notice
-- their ticket names. message_id makes a message attach once.
CREATE TABLE notice_replies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    org_id      INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    from_addr   TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX notice_replies_message ON notice_replies(notice_id, message_id);
CREATE INDEX notice_replies_org ON notice_replies(org_id, notice_id);

-- +goose Down
DROP TABLE notice_replies;
ALTER TABLE notices DROP COLUMN escalation_reason;
