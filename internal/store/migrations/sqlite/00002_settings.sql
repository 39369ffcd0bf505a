-- +goose Up
-- Installation-wide secrets and settings (credential-hash salt, link-signing keys).
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE settings;
