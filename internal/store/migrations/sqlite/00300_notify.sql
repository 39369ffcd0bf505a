-- +goose Up
-- Notices, their items and the outbox (internal/notify).

-- How far notice composition has read finding_events.
CREATE TABLE notify_cursor (
    name           TEXT PRIMARY KEY,
    last_event_id  INTEGER NOT NULL DEFAULT 0,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE notices (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    severity       INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL DEFAULT 'open',
    dedup_key      TEXT NOT NULL DEFAULT '',
    payload        TEXT NOT NULL,
    contact_source TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    first_sent_at  TIMESTAMP,
    acked_at       TIMESTAMP,
    acked_by       TEXT NOT NULL DEFAULT '',
    resolved_at    TIMESTAMP,
    escalated_at   TIMESTAMP
);
CREATE INDEX notices_org ON notices(org_id, id);
CREATE INDEX notices_state ON notices(state, severity);
CREATE INDEX notices_created ON notices(created_at);
CREATE INDEX notices_dedup ON notices(dedup_key, created_at) WHERE dedup_key <> '';

-- One accepted finding event; notice_id is NULL while held for a digest.
CREATE TABLE notice_items (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    finding_id  INTEGER REFERENCES findings(id) ON DELETE CASCADE,
    event_id    INTEGER,
    trigger_id  INTEGER NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    severity    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    notice_id   INTEGER REFERENCES notices(id) ON DELETE CASCADE
);
CREATE INDEX notice_items_pending ON notice_items(org_id, id) WHERE notice_id IS NULL;
CREATE INDEX notice_items_finding ON notice_items(finding_id, id);
CREATE INDEX notice_items_notice ON notice_items(notice_id);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    notice_id        INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    channel          TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    contact_id       INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    lang             TEXT NOT NULL DEFAULT 'en',
    idem_key         TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead', 'unknown')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    lease_until      TIMESTAMP,
    -- send_started_at is the pre-send journal: set (and committed) just
    -- before the message leaves, cleared with the outcome. A claimed row
    -- whose lease ended with it set may have been sent: e-mail goes to
    -- state unknown for an operator, never out again by itself.
    send_started_at  TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_notice ON outbox(notice_id);
CREATE INDEX outbox_recipient ON outbox(recipient);

-- Bounce reports received (DSN files, the API, SMTP refusals).
CREATE TABLE bounces (
    id          INTEGER PRIMARY KEY,
    address     TEXT NOT NULL,
    source      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX bounces_address ON bounces(address);

-- RDAP lookup results (contact/rdap Cache).
CREATE TABLE rdap_cache (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    stored_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE rdap_cache;
DROP TABLE bounces;
DROP TABLE outbox;
DROP TABLE notice_items;
DROP TABLE notices;
DROP TABLE notify_cursor;
