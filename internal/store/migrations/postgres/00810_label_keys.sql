-- +goose Up
-- Label signing keys kept with the data (a database without a key directory): the public keys document and the
-- private keys, the latter encrypted by the application with a secret that is not in the database.
CREATE TABLE label_keys (
    name       TEXT PRIMARY KEY,
    data       BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE label_keys;
