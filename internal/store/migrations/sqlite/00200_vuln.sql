-- +goose Up
-- Vulnerability intelligence (issue 5): advisories as loaded (JSON body plus a
-- digest for "unchanged" detection), per-CVE enrichment (CVSS, EPSS, KEV),
-- SBOM components of devices, the index keys advisories and inventory are
-- matched by, and the matches with rule, confidence and evidence.
CREATE TABLE vuln_advisories (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    ext_id      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    publisher   TEXT NOT NULL DEFAULT '',
    published   TIMESTAMP,
    modified    TIMESTAMP,
    withdrawn   BOOLEAN NOT NULL DEFAULT FALSE,
    origin      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    UNIQUE (source, ext_id)
);

CREATE TABLE vuln_advisory_keys (
    advisory_id INTEGER NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    PRIMARY KEY (key, advisory_id)
);
CREATE INDEX vuln_advisory_keys_adv ON vuln_advisory_keys(advisory_id);

CREATE TABLE vuln_advisory_cves (
    advisory_id INTEGER NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,
    cve         TEXT NOT NULL,
    PRIMARY KEY (cve, advisory_id)
);
CREATE INDEX vuln_advisory_cves_adv ON vuln_advisory_cves(advisory_id);

CREATE TABLE vuln_cves (
    cve             TEXT PRIMARY KEY,
    title           TEXT NOT NULL DEFAULT '',
    cvss_base       REAL NOT NULL DEFAULT 0,
    cvss_version    TEXT NOT NULL DEFAULT '',
    cvss_vector     TEXT NOT NULL DEFAULT '',
    cvss_severity   TEXT NOT NULL DEFAULT '',
    cvss_source     TEXT NOT NULL DEFAULT '',
    epss            REAL,
    epss_percentile REAL,
    epss_date       TIMESTAMP,
    kev             BOOLEAN NOT NULL DEFAULT FALSE,
    kev_added       TIMESTAMP,
    kev_due         TIMESTAMP,
    kev_ransomware  BOOLEAN NOT NULL DEFAULT FALSE,
    kev_action      TEXT NOT NULL DEFAULT '',
    kev_name        TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE vuln_components (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    grp         TEXT NOT NULL DEFAULT '',
    version     TEXT NOT NULL DEFAULT '',
    purl        TEXT NOT NULL DEFAULT '',
    cpe         TEXT NOT NULL DEFAULT '',
    supplier    TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL DEFAULT '',
    bom_ref     TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX vuln_components_device ON vuln_components(device_id);

-- Index keys of inventory: "v:<vendor>", "n:<name>", "cpe:<vendor>:<product>",
-- "purl:<package>". component_id is NULL for the device itself.
CREATE TABLE vuln_target_keys (
    key          TEXT NOT NULL,
    target       TEXT NOT NULL,
    device_id    INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    component_id INTEGER REFERENCES vuln_components(id) ON DELETE CASCADE,
    PRIMARY KEY (key, target)
);
CREATE INDEX vuln_target_keys_target ON vuln_target_keys(target);

-- What a device looked like when it was last matched: a device whose row in
-- devices differs (or that has none here) is matched again.
CREATE TABLE vuln_device_state (
    device_id  INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    vendor     TEXT NOT NULL,
    model      TEXT NOT NULL,
    firmware   TEXT NOT NULL,
    cpe        TEXT NOT NULL,
    purl       TEXT NOT NULL,
    synced_at  TIMESTAMP NOT NULL
);

CREATE TABLE vuln_matches (
    id           INTEGER PRIMARY KEY,
    target       TEXT NOT NULL,
    device_id    INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    component_id INTEGER REFERENCES vuln_components(id) ON DELETE CASCADE,
    cve          TEXT NOT NULL,
    advisory_id  INTEGER NOT NULL REFERENCES vuln_advisories(id) ON DELETE CASCADE,
    product_id   TEXT NOT NULL DEFAULT '',
    rule         TEXT NOT NULL,
    confidence   REAL NOT NULL,
    evidence     TEXT NOT NULL DEFAULT '',
    matched_at   TIMESTAMP NOT NULL,
    UNIQUE (target, cve, advisory_id)
);
CREATE INDEX vuln_matches_adv ON vuln_matches(advisory_id);
CREATE INDEX vuln_matches_cve ON vuln_matches(cve);
CREATE INDEX vuln_matches_device ON vuln_matches(device_id);

-- +goose Down
DROP TABLE vuln_matches;
DROP TABLE vuln_device_state;
DROP TABLE vuln_target_keys;
DROP TABLE vuln_components;
DROP TABLE vuln_cves;
DROP TABLE vuln_advisory_cves;
DROP TABLE vuln_advisory_keys;
DROP TABLE vuln_advisories;
