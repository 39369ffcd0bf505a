-- +goose Up
-- A source's resume point (the end of the last NVD window fetched), moved
-- only by a run that succeeded.
ALTER TABLE sources ADD COLUMN resume TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sources DROP COLUMN resume;
