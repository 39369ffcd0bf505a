-- +goose Up
-- Self-service sign-up: an account made at /signup cannot sign in until its
-- e-mail address is confirmed (users.unconfirmed), through a one-time token
-- of purpose 'confirm'.
ALTER TABLE users ADD COLUMN unconfirmed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('reset', 'invite', 'confirm'));

-- +goose Down
DELETE FROM account_tokens WHERE purpose = 'confirm';
DELETE FROM users WHERE unconfirmed;
ALTER TABLE users DROP COLUMN unconfirmed;
ALTER TABLE account_tokens DROP CONSTRAINT account_tokens_purpose_check;
ALTER TABLE account_tokens ADD CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('reset', 'invite'));
