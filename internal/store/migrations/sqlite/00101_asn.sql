-- +goose Up
-- IP-to-AS tables (pfx2as / ip2asn), kept gzipped; the newest is used.
CREATE TABLE asn_tables (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    prefixes   INTEGER NOT NULL,
    data       BLOB NOT NULL,
    loaded_at  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE asn_tables;
