-- +goose Up
-- EN 303 645 assessments, their evidence, probe runs, and the signed labels
-- issued from them (see internal/store/assess.go).
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    org_id      INTEGER REFERENCES orgs(id) ON DELETE SET NULL,
    vendor      TEXT NOT NULL,
    model       TEXT NOT NULL,
    firmware    TEXT NOT NULL DEFAULT '',
    edition     TEXT NOT NULL,
    state       TEXT NOT NULL,
    answers     TEXT NOT NULL,
    findings    TEXT NOT NULL DEFAULT '[]',
    label_id    TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX assessments_device ON assessments(device_id) WHERE device_id IS NOT NULL;
CREATE INDEX assessments_state ON assessments(state);

CREATE TABLE assessment_transitions (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             TIMESTAMP NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessment_transitions_a ON assessment_transitions(assessment_id, id);

-- Evidence content, stored once per SHA-256 (content-addressed).
CREATE TABLE evidence_blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    content     BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE assessment_evidence (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    sha256         TEXT NOT NULL REFERENCES evidence_blobs(sha256),
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL DEFAULT '',
    added_by       TEXT NOT NULL,
    added_at       TIMESTAMP NOT NULL,
    UNIQUE (assessment_id, name, sha256)
);

CREATE TABLE assessment_probes (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    target         TEXT NOT NULL,
    report         TEXT NOT NULL,
    failed         INTEGER NOT NULL DEFAULT 0,
    actor          TEXT NOT NULL,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX assessment_probes_a ON assessment_probes(assessment_id, id);

CREATE TABLE labels (
    id             TEXT PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    device_id      INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    org_id         INTEGER REFERENCES orgs(id) ON DELETE SET NULL,
    grade          TEXT NOT NULL,
    rule           TEXT NOT NULL,
    kid            TEXT NOT NULL,
    signed         TEXT NOT NULL,
    score          TEXT NOT NULL DEFAULT '{}',
    issued_at      TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    revoke_reason  TEXT NOT NULL DEFAULT '',
    superseded_by  TEXT REFERENCES labels(id),
    superseded_at  TIMESTAMP
);
CREATE INDEX labels_assessment ON labels(assessment_id);
CREATE INDEX labels_device ON labels(device_id) WHERE device_id IS NOT NULL;

-- Grade history of an assessment's labels: issue, regrade (with the facts
-- that changed it), revocation, expiry.
CREATE TABLE label_events (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    label_id       TEXT NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    grade          TEXT NOT NULL DEFAULT '',
    prev_grade     TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    actor          TEXT NOT NULL,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX label_events_a ON label_events(assessment_id, id);

-- +goose Down
DROP TABLE label_events;
DROP TABLE labels;
DROP TABLE assessment_probes;
DROP TABLE assessment_evidence;
DROP TABLE evidence_blobs;
DROP TABLE assessment_transitions;
DROP TABLE assessments;
