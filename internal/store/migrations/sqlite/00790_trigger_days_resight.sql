-- +goose Up
-- PostgreSQL only: trigger_days_update compares the days of first sighting
-- only when first_seen changed (00790 there). SQLite's condition compares
-- two substrings, which costs next to nothing.
SELECT 1;

-- +goose Down
SELECT 1;
