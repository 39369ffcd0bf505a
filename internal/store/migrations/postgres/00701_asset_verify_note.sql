-- +goose Up
-- How an analyst checked the ownership of an asset that cannot be proven
-- by DNS or a well-known file (an AS number: the RIR's contact confirmed by
-- telephone), kept beside the method "manual".
ALTER TABLE assets ADD COLUMN verify_note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE assets DROP COLUMN verify_note;
