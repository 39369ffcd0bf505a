-- +goose Up
-- The analysts' findings page lists every organisation's findings of a
-- trigger and status, the most recently seen first (FindingListBySeen).
CREATE INDEX findings_trigger_seen ON findings(trigger_id, status, last_seen DESC, id DESC);
CREATE INDEX findings_status_seen ON findings(status, last_seen DESC, id DESC);

-- +goose Down
DROP INDEX findings_status_seen;
DROP INDEX findings_trigger_seen;
