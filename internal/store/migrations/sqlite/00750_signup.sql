-- +goose Up
-- Self-service sign-up: an account made at /signup cannot sign in until its
-- e-mail address is confirmed (users.unconfirmed), through a one-time token
-- of purpose 'confirm' (SQLite cannot change a CHECK: account_tokens is
-- rebuilt with the same columns and data; no other table refers to it).
ALTER TABLE users ADD COLUMN unconfirmed BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE account_tokens_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('reset', 'invite', 'confirm')),
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    org_id      INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
INSERT INTO account_tokens_new (id, hash, purpose, user_id, org_id, email, role, created_by, created_at, expires_at, used_at)
SELECT id, hash, purpose, user_id, org_id, email, role, created_by, created_at, expires_at, used_at FROM account_tokens;
DROP TABLE account_tokens;
ALTER TABLE account_tokens_new RENAME TO account_tokens;

-- +goose Down
DELETE FROM account_tokens WHERE purpose = 'confirm';
DELETE FROM users WHERE unconfirmed;
ALTER TABLE users DROP COLUMN unconfirmed;
