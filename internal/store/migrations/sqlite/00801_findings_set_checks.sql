-- +goose Up
-- PostgreSQL checks the keys of findings and finding events per statement
-- (see its 00801); SQLite keeps its foreign keys.
SELECT 1;

-- +goose Down
SELECT 1;
