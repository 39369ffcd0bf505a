-- +goose Up
-- An ingest that ends with an error (a file cut short, a refused audit
-- entry, a shutdown) marks its unfinished run stopped: the same content
-- handed in again resumes it at once instead of being skipped as still
-- being ingested until notify.run_grace has passed. Resuming clears it.
ALTER TABLE ingest_runs ADD COLUMN stopped_at TIMESTAMP;

-- +goose Down
ALTER TABLE ingest_runs DROP COLUMN stopped_at;
