-- +goose Up
-- A sign-up keeps the password it chose with its confirmation token
-- (account_tokens.password_hash): the account takes it only when that
-- token confirms the address, so signing up again with an address that is
-- not confirmed yet never changes the password of its account.
ALTER TABLE account_tokens ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE account_tokens DROP COLUMN password_hash;
