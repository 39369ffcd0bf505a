-- +goose Up
-- Vendor aliases operators add to the generated table (vigil vendor alias add).
CREATE TABLE vendor_aliases (
    alias_key   TEXT PRIMARY KEY,
    alias       TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE vendor_aliases;
