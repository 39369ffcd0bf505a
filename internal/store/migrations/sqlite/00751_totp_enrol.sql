-- +goose Up
-- An administrator resets a person's lost second factor (vigil user
-- totp-reset, POST /api/v1/users/{uid}/totp/reset): the secret is removed
-- and users.totp_enrol makes the person enrol a new one at their next
-- sign-in, staff or not; enrolling clears it.
ALTER TABLE users ADD COLUMN totp_enrol BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN totp_enrol;
