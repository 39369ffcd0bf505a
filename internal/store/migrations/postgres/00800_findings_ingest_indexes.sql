-- +goose Up
-- Fewer indexes for the feed ingest to keep: every new finding pays one
-- entry in each index of findings, and two of them serve no query that
-- another index does not serve as well.
-- - findings_trigger_status (trigger, report type, status): resolving the
--   findings a full report no longer lists reads every open finding of the
--   trigger, which findings_trigger_seen (trigger, status, ...) finds; a
--   trigger's cascaded delete uses the same prefix.
-- - findings_org (organisation, status): an organisation's findings,
--   counted by status on its page or deleted with it, are found by
--   findings_org_order, which now carries the status (an index-only count).
DROP INDEX findings_trigger_status;
DROP INDEX findings_org;
DROP INDEX findings_org_order;
CREATE INDEX findings_org_order ON findings(org_id, id) INCLUDE (status);

-- +goose Down
DROP INDEX findings_org_order;
CREATE INDEX findings_org_order ON findings(org_id, id);
CREATE INDEX findings_org ON findings(org_id, status);
CREATE INDEX findings_trigger_status ON findings(trigger_id, report_type, status);
