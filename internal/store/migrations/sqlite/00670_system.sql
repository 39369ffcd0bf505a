-- +goose Up
-- Versioned product documents of the whole-system rating (internal/system):
-- the system model, the risk register, the update posture and external
-- test reports, per product (vendor and model, compared without case).
CREATE TABLE system_docs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    product_key  TEXT NOT NULL,
    vendor       TEXT NOT NULL,
    model        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (kind, product_key, version)
);

-- +goose Down
DROP TABLE system_docs;
