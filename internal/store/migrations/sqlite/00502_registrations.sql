-- +goose Up
-- Organisations registered through the portal wait here until ownership
-- of one of their domains or ranges is proven or an analyst approves them.
CREATE TABLE org_pending (
    org_id         INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    registered_by  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at     TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE org_pending;
