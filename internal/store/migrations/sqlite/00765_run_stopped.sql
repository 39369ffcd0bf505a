-- +goose Up
-- An ingest that ends with an error (a file cut short, a refused audit
-- entry, a shutdown) marks its unfinished run stopped: the runs lists show
-- it stopped at once instead of after notify.run_grace. Resuming clears it.
ALTER TABLE ingest_runs ADD COLUMN stopped_at TIMESTAMP;

-- +goose Down
ALTER TABLE ingest_runs DROP COLUMN stopped_at;
