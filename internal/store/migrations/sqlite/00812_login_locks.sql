-- +goose Up
-- Failed sign-ins count, and lock, per account and client address: a
-- stranger who guesses from one address locks out only that address, not
-- the account's owner (users.locked_until keeps the newest lock, for the
-- administrators' view).
CREATE TABLE login_locks (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client       TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client)
);

-- +goose Down
DROP TABLE login_locks;
