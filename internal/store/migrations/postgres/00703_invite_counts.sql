-- +goose Up
-- The daily invitation limits count an organisation's and an account's
-- invitations of the last 24 hours (store.OrgInvitationsSince); used,
-- revoked and expired ones count too, since their e-mail went out.
CREATE INDEX account_tokens_org_created ON account_tokens (org_id, created_at) WHERE purpose = 'invite';
CREATE INDEX account_tokens_by_created ON account_tokens (created_by, created_at) WHERE purpose = 'invite';

-- +goose Down
DROP INDEX account_tokens_by_created;
DROP INDEX account_tokens_org_created;
