-- +goose Up
-- An organisation's disputes of its findings (false positive, already
-- fixed, not ours), each decided by an analyst with a reason. At most one
-- dispute of a finding waits at a time.
CREATE TABLE finding_disputes (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (reason IN ('false_positive', 'fixed', 'not_ours')),
    comment     TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TIMESTAMP,
    decision    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX finding_disputes_pending ON finding_disputes(finding_id) WHERE state = 'pending';
CREATE INDEX finding_disputes_state ON finding_disputes(state, id);
CREATE INDEX finding_disputes_org ON finding_disputes(org_id, id);

-- +goose Down
DROP TABLE finding_disputes;
