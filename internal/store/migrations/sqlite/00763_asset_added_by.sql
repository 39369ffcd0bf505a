-- +goose Up
-- Who registered an asset: the operator (CLI import, analyst pages,
-- operator tokens) or a member through self-service (the organisation's
-- pages or credentials). A member's asset draws findings only once its
-- ownership is verified (ingest.BuildIndex), whether or not the
-- organisation is still pending approval. Existing assets are the
-- operator's, except those of organisations still waiting for approval:
-- they were registered through the portal's self-service registration.
ALTER TABLE assets ADD COLUMN added_by TEXT NOT NULL DEFAULT 'operator' CHECK (added_by IN ('operator', 'member'));
UPDATE assets SET added_by = 'member' WHERE org_id IN (SELECT org_id FROM org_pending);

-- +goose Down
ALTER TABLE assets DROP COLUMN added_by;
