-- +goose Up
-- A feed file split by byte ranges is one run ingested as several parts
-- (jobs any node may claim). Each part keeps its own resume point and
-- counters; the run counts its parts and the parts done, and the part that
-- completes the count ends the run (resolution, notices) once.
ALTER TABLE ingest_runs ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN parts_done INTEGER NOT NULL DEFAULT 0;
CREATE TABLE ingest_run_parts (
    run_id            BIGINT NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE,
    part              INTEGER NOT NULL,
    start_offset      BIGINT NOT NULL,
    end_offset        BIGINT NOT NULL,
    first_line        BIGINT NOT NULL,
    committed_line    BIGINT NOT NULL DEFAULT 0,
    rows_total        BIGINT NOT NULL DEFAULT 0,
    matched           BIGINT NOT NULL DEFAULT 0,
    unmatched         BIGINT NOT NULL DEFAULT 0,
    quarantined       BIGINT NOT NULL DEFAULT 0,
    findings_new      BIGINT NOT NULL DEFAULT 0,
    findings_updated  BIGINT NOT NULL DEFAULT 0,
    checkpoint_at     TIMESTAMP,
    done_at           TIMESTAMP,
    PRIMARY KEY (run_id, part)
);

-- +goose Down
DROP TABLE ingest_run_parts;
ALTER TABLE ingest_runs DROP COLUMN parts_done;
ALTER TABLE ingest_runs DROP COLUMN parts;
