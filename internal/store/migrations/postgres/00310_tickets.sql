-- +goose Up
-- The ticket of a notice (internal/ticket): its public reference in the
-- warning and on the verification page. Notices written before this
-- migration get theirs when the store opens (ticketBackfill).
ALTER TABLE notices ADD COLUMN ticket TEXT;
CREATE UNIQUE INDEX notices_ticket ON notices(ticket);
CREATE INDEX notices_no_ticket ON notices(id) WHERE ticket IS NULL;

-- +goose Down
DROP INDEX notices_no_ticket;
DROP INDEX notices_ticket;
ALTER TABLE notices DROP COLUMN ticket;
