-- +goose Up
-- Why a notice could be sent to nobody (no contact, every address bounced,
-- no channel): such a notice goes to the analysts' call list when it is
-- composed, with this reason, instead of waiting unseen.
ALTER TABLE notices ADD COLUMN undeliverable TEXT;

-- +goose Down
ALTER TABLE notices DROP COLUMN undeliverable;
