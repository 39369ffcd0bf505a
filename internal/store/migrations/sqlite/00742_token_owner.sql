-- +goose Up
-- The account that made an API token (the administrator on the tokens
-- page, the owner of the token that called the API, or the account named
-- with vigil token create --by); NULL for tokens made before, by the demo
-- or by the command line without --by. An erased account leaves its tokens
-- without an owner.
ALTER TABLE api_tokens ADD COLUMN created_by INTEGER REFERENCES users(id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN created_by;
