-- +goose Up
-- An analyst may reject an organisation that waits for approval, with a
-- reason. Its row stays here, marked rejected (who, when, why), so that it
-- draws no findings at all; its members may change its registry and ask
-- again (the row waits once more, with their note), and an analyst may
-- still approve it (the row goes).
ALTER TABLE org_pending ADD COLUMN rejected_at TIMESTAMP;
ALTER TABLE org_pending ADD COLUMN rejected_by TEXT NOT NULL DEFAULT '';
ALTER TABLE org_pending ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE org_pending ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE org_pending DROP COLUMN note;
ALTER TABLE org_pending DROP COLUMN reason;
ALTER TABLE org_pending DROP COLUMN rejected_by;
ALTER TABLE org_pending DROP COLUMN rejected_at;
