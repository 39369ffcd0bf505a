-- +goose Up
-- A member's findings page lists one organisation's findings in id order
-- (FindingList, keyset on id): with this index it reads the page's rows
-- in order instead of sorting all of the organisation's findings.
CREATE INDEX findings_org_order ON findings(org_id, id);

-- +goose Down
DROP INDEX findings_org_order;
