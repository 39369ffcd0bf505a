-- +goose Up
-- Scheduled sources (internal/source): what is fetched, how often, the
-- sealed credentials, the schedule and lease of its runs, and the state
-- the missing-feed alert reads. Sources belong to no organisation.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    url             TEXT NOT NULL DEFAULT '',
    every_s         INTEGER NOT NULL,
    expect_s        INTEGER NOT NULL DEFAULT 0,
    alert_after_s   INTEGER NOT NULL DEFAULT 0,
    credentials     TEXT NOT NULL DEFAULT '',
    paused          BOOLEAN NOT NULL DEFAULT FALSE,
    next_run_at     TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    last_run_at     TIMESTAMP,
    last_success_at TIMESTAMP,
    last_data_at    TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    alerted_at      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX sources_next ON sources(next_run_at);

-- One run of a source.
CREATE TABLE source_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    state       TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'ok', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    skipped     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX source_runs_source ON source_runs(source_id, id);

-- Every file a source run ingested, by digest: the same file is never
-- ingested twice, whichever source brings it.
CREATE TABLE source_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL REFERENCES source_runs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    key         TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    rows        INTEGER NOT NULL DEFAULT 0,
    findings    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX source_files_run ON source_files(run_id, id);
CREATE INDEX source_files_key ON source_files(source_id, key);

-- +goose Down
DROP TABLE source_files;
DROP TABLE source_runs;
DROP TABLE sources;
