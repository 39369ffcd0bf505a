-- +goose Up
-- Operator tokens carry one of the operator scopes read (GET routes),
-- operate (the analyst's actions) and admin (accounts, tokens, settings);
-- every operator token made before had admin, which it keeps (an earlier
-- list such as "read,write,admin" becomes "admin"). A token may expire
-- (expires_at; NULL: never, as every token made before) and notes when it
-- last authenticated a request (last_used_at; at most once a minute).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMP;
UPDATE api_tokens SET scopes = 'admin' WHERE org_id IS NULL;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN last_used_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
