-- +goose Up
-- PostgreSQL only: the fold of finding_total_deltas locks per schema
-- (00820 there). SQLite keeps its totals in the writing transaction.
SELECT 1;

-- +goose Down
SELECT 1;
