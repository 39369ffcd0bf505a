-- +goose Up
CREATE TABLE triggers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL DEFAULT 'feed',
    title               TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    notify_unregistered BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP NOT NULL
);

CREATE TABLE ingest_runs (
    id                INTEGER PRIMARY KEY,
    source            TEXT NOT NULL,
    feed_type         TEXT NOT NULL,
    report_type       TEXT NOT NULL DEFAULT '',
    trigger_id        INTEGER REFERENCES triggers(id) ON DELETE SET NULL,
    full_report       BOOLEAN NOT NULL DEFAULT TRUE,
    source_sha256     TEXT NOT NULL DEFAULT '',
    -- header is the source's column names as a JSON array: findings of the
    -- run keep their evidence as an array of the row's values.
    header            TEXT NOT NULL DEFAULT '',
    committed_line    INTEGER NOT NULL DEFAULT 0,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    rows_total        INTEGER NOT NULL DEFAULT 0,
    matched           INTEGER NOT NULL DEFAULT 0,
    unmatched         INTEGER NOT NULL DEFAULT 0,
    quarantined       INTEGER NOT NULL DEFAULT 0,
    findings_new      INTEGER NOT NULL DEFAULT 0,
    findings_updated  INTEGER NOT NULL DEFAULT 0,
    findings_resolved INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE findings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    trigger_id   INTEGER NOT NULL REFERENCES triggers(id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    report_type  TEXT NOT NULL DEFAULT '',
    key          TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    port         INTEGER NOT NULL DEFAULT 0,
    asn          BIGINT NOT NULL DEFAULT 0,
    hostname     TEXT NOT NULL DEFAULT '',
    device_id    INTEGER,
    cve          TEXT NOT NULL DEFAULT '',
    severity     INTEGER NOT NULL DEFAULT 0,
    class        TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open',
    first_seen   TIMESTAMP NOT NULL,
    last_seen    TIMESTAMP NOT NULL,
    seen_count   BIGINT NOT NULL DEFAULT 1,
    resolved_at  TIMESTAMP,
    last_run_id  INTEGER,
    tie          BOOLEAN NOT NULL DEFAULT FALSE,
    -- evidence is the latest source row: a JSON object, or a JSON array of
    -- values named by the header of run evidence_run_id.
    evidence     TEXT NOT NULL DEFAULT '',
    evidence_run_id INTEGER,
    -- ident is finding.Ident(org_id, trigger_id, type, key): the identity
    -- as one integer, so that the hot upsert maintains one small unique
    -- index instead of one over the text columns.
    ident        BIGINT NOT NULL,
    -- last_change is what the latest upsert did: 1 created, 2 reopened,
    -- 3 raised the severity, 0 nothing to tell (a re-sighting).
    last_change  INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX findings_ident ON findings(ident);
CREATE INDEX findings_trigger_status ON findings(trigger_id, report_type, status);
CREATE INDEX findings_org ON findings(org_id, status);
CREATE INDEX findings_device ON findings(device_id) WHERE device_id IS NOT NULL;

CREATE TABLE finding_events (
    id          INTEGER PRIMARY KEY,
    finding_id  INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL, -- copied from the finding, for the notifier
    kind        TEXT NOT NULL,
    severity    INTEGER NOT NULL DEFAULT 0,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events(finding_id);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES ingest_runs(id) ON DELETE CASCADE,
    file        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE quarantine;
DROP TABLE finding_events;
DROP TABLE findings;
DROP TABLE ingest_runs;
DROP TABLE triggers;
