-- +goose Up
-- Traffic Light Protocol 2.0 markings (internal/tlp: 0 unmarked, 1 CLEAR,
-- 2 GREEN, 3 AMBER, 4 AMBER+STRICT, 5 RED): the marking a run's data
-- arrived under, a finding's most restrictive marking of every sighting,
-- and a scheduled source's default marking. The sources table comes from a
-- later-numbered migration, so a source's marking is a row of its own,
-- keyed by the source's id and written with the source.
ALTER TABLE ingest_runs ADD COLUMN tlp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN tlp INTEGER NOT NULL DEFAULT 0;
CREATE TABLE source_tlp (
    source_id INTEGER PRIMARY KEY,
    tlp       INTEGER NOT NULL
);

-- +goose Down
DROP TABLE source_tlp;
ALTER TABLE findings DROP COLUMN tlp;
ALTER TABLE ingest_runs DROP COLUMN tlp;
