-- +goose Up
-- The public label registry searches labels by the device's vendor and
-- model (copied from the signed document when the label is issued) and
-- pages newest first.
ALTER TABLE labels ADD COLUMN vendor TEXT NOT NULL DEFAULT '';
ALTER TABLE labels ADD COLUMN model TEXT NOT NULL DEFAULT '';
UPDATE labels SET vendor = COALESCE(signed::jsonb #>> '{device,vendor}', ''),
                  model = COALESCE(signed::jsonb #>> '{device,model}', '');
CREATE INDEX labels_issued ON labels(issued_at, id);

-- +goose Down
DROP INDEX labels_issued;
ALTER TABLE labels DROP COLUMN model;
ALTER TABLE labels DROP COLUMN vendor;
