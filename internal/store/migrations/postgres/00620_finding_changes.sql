-- +goose Up
-- The pull feed of an organisation's finding changes. Event ids come from
-- a sequence and transactions commit in any order, so an id cursor could
-- step over an event committed late. Each event keeps the transaction that
-- wrote it; the feed reads only transactions older than every one still
-- running (pg_snapshot_xmin), in (xid, id) order, a set that never grows
-- behind the cursor.
ALTER TABLE finding_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX finding_events_org ON finding_events(org_id, xid, id);

-- +goose Down
DROP INDEX finding_events_org;
ALTER TABLE finding_events DROP COLUMN xid;
