-- +goose Up
-- Portal accounts: users, their memberships in organisations, browser
-- sessions, one-time tokens (password reset, invitation) and the audit log
-- of staff actions (see internal/store/accounts.go).
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL DEFAULT '' CHECK (role IN ('', 'admin', 'analyst')),
    password_hash   TEXT NOT NULL DEFAULT '',
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP NOT NULL,
    last_login      TIMESTAMP
);

CREATE TABLE memberships (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id   INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('member', 'maker')),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships(org_id);

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    verified    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    seen_at     TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- One-time tokens sent by e-mail: purpose 'reset' (password reset of
-- user_id) or 'invite' (membership of org_id for email).
CREATE TABLE account_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hash        TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    org_id      INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    email       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);

-- Who did what, when: every staff action of the portal and API.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TIMESTAMP NOT NULL,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    org_id      INTEGER,
    object      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE account_tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
