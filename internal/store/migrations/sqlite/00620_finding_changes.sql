-- +goose Up
-- The pull feed of an organisation's finding changes reads finding_events
-- by organisation after a cursor. SQLite commits one writer at a time, so
-- event ids are in commit order and the id alone is the cursor.
CREATE INDEX finding_events_org ON finding_events(org_id, id);

-- +goose Down
DROP INDEX finding_events_org;
