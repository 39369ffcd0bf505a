-- +goose Up
-- One warning per organisation per source run (internal/notify).

-- kind says what the run read: a feed file, an advisory load, a re-match
-- of the inventory; checkpoint_at is its last committed batch (a run not
-- finished and quiet for the grace period is composed as it is).
ALTER TABLE ingest_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'feed';
ALTER TABLE ingest_runs ADD COLUMN checkpoint_at TIMESTAMPTZ;

-- The run whose batch made the event; NULL for changes outside a run.
ALTER TABLE finding_events ADD COLUMN run_id BIGINT;
CREATE INDEX finding_events_run ON finding_events(run_id, id) WHERE run_id IS NOT NULL;

-- wait_run is the run whose end an immediate item waits for (NULL once it
-- is in a notice, or when it waits for nothing); folded marks items that
-- went to the digest because the organisation's cap was reached.
ALTER TABLE notice_items ADD COLUMN wait_run BIGINT;
ALTER TABLE notice_items ADD COLUMN folded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX notice_items_wait ON notice_items(wait_run) WHERE wait_run IS NOT NULL;

-- The run an immediate notice reports (NULL: no run, or a digest).
ALTER TABLE notices ADD COLUMN run_id BIGINT;
CREATE INDEX notices_org_kind ON notices(org_id, kind, created_at);

-- +goose Down
DROP INDEX notices_org_kind;
ALTER TABLE notices DROP COLUMN run_id;
DROP INDEX notice_items_wait;
ALTER TABLE notice_items DROP COLUMN folded;
ALTER TABLE notice_items DROP COLUMN wait_run;
DROP INDEX finding_events_run;
ALTER TABLE finding_events DROP COLUMN run_id;
ALTER TABLE ingest_runs DROP COLUMN checkpoint_at;
ALTER TABLE ingest_runs DROP COLUMN kind;
