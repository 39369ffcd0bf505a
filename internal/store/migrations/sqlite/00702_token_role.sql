-- +goose Up
-- The role an organisation's token acts in: 'member' (everything of the
-- organisation its scopes allow) or 'maker' (a maker or test lab: only the
-- organisation routes open to makers, web.Route.Makers).
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'maker'));

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN role;
