-- +goose Up
-- A notice's Traffic Light Protocol marking (internal/tlp), the most
-- restrictive of its items': tenants never read a notice marked TLP:RED
-- (5), which waits on the analysts' call list.
ALTER TABLE notices ADD COLUMN tlp INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE notices DROP COLUMN tlp;
