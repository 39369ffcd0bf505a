-- +goose Up
-- Limits on guessing the second factor. sessions.totp_failures counts the
-- wrong codes given in a session waiting for its second factor: at the
-- third the session ends and the person signs in with the password again.
-- totp_failures keeps each wrong code of an account, from any client, for
-- the account's ceiling (so many an hour); reaching it locks the account's
-- second factor until users.totp_locked_until and tells the owner.
ALTER TABLE sessions ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_locked_until TIMESTAMP;
CREATE TABLE totp_failures (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client  TEXT NOT NULL,
    at      TIMESTAMP NOT NULL
);
CREATE INDEX totp_failures_user ON totp_failures (user_id, at);

-- +goose Down
DROP TABLE totp_failures;
ALTER TABLE users DROP COLUMN totp_locked_until;
ALTER TABLE sessions DROP COLUMN totp_failures;
