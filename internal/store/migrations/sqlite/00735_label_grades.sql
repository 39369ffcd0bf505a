-- +goose Up
-- The analysts' dashboard counts the valid labels per grade: a partial
-- index of the labels neither revoked nor superseded, by grade and expiry,
-- answers the count from the index alone.
CREATE INDEX labels_live_grade ON labels(grade, expires_at) WHERE revoked_at IS NULL AND superseded_by IS NULL;

-- +goose Down
DROP INDEX labels_live_grade;
