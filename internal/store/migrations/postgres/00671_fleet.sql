-- +goose Up
-- Fleet aggregates of the whole-system rating (internal/system): per
-- product and feed source, counts of the rows that named the product, of
-- exposed management services and of firmware versions, and per
-- certificate or host-key fingerprint the sightings in each network.
-- Counts, never rows: they outlive the retention of raw feed data.
CREATE TABLE fleet_counts (
    product_key  TEXT NOT NULL,
    source       TEXT NOT NULL,
    metric       TEXT NOT NULL,
    value        TEXT NOT NULL DEFAULT '',
    count        BIGINT NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_key, source, metric, value)
);

CREATE TABLE fleet_keys (
    product_key  TEXT NOT NULL,
    source       TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    network      TEXT NOT NULL,
    addresses    BIGINT NOT NULL,
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_key, source, fingerprint, network)
);

-- +goose Down
DROP TABLE fleet_keys;
DROP TABLE fleet_counts;
