-- +goose Up
-- Tables whose ids leave the database (in findings, notices, labels, links and API paths) use AUTOINCREMENT:
-- a plain INTEGER PRIMARY KEY would hand the highest id of a deleted row to the next insert.
CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    sector        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    languages     TEXT NOT NULL DEFAULT '',
    policy        TEXT NOT NULL DEFAULT '{}',
    verify_token  TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    lang        TEXT NOT NULL DEFAULT '',
    verified    BOOLEAN NOT NULL DEFAULT FALSE,
    bounced_at  TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, email, phone)
);
CREATE INDEX contacts_org ON contacts(org_id);

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('cidr', 'asn', 'domain')),
    value         TEXT NOT NULL,
    verified_at   TIMESTAMP,
    verify_method TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (org_id, kind, value)
);
CREATE INDEX assets_kind_value ON assets(kind, value);

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    vendor      TEXT NOT NULL,
    model       TEXT NOT NULL,
    firmware    TEXT NOT NULL DEFAULT '',
    cpe         TEXT NOT NULL DEFAULT '',
    purl        TEXT NOT NULL DEFAULT '',
    serial      TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    asset_id    INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX devices_org ON devices(org_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER REFERENCES orgs(id) ON DELETE CASCADE,
    name          TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL UNIQUE,
    scopes        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    revoked_at    TIMESTAMP
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE devices;
DROP TABLE assets;
DROP TABLE contacts;
DROP TABLE orgs;
