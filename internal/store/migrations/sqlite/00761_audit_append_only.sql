-- +goose Up
-- The audit log is append-only. Every change made through the CLI, the API
-- or the portal adds an entry: who (actor, user_id), when, what (action,
-- object, detail), through what (via: cli, api, portal, link) and, for
-- registry data, the record before and after as JSON (never secrets).
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN before_json TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_json TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_actor ON audit_log(actor, id);

-- UPDATE and DELETE are refused, with two documented exceptions that run
-- in the store's own transaction with a row in audit_unlock (inserted and
-- deleted again before the commit, so no other writer ever sees it): the
-- daily retention purge (retention.audit_days) and the erasure of a person
-- (vigil privacy erase), which pseudonymises the address in entries. The
-- user_id of an entry is also set to NULL when its user is deleted (the
-- foreign key); nothing else about the entry may change.
CREATE TABLE audit_unlock (reason TEXT NOT NULL);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
  AND NOT (NEW.user_id IS NULL AND OLD.user_id IS NOT NULL AND NEW.id = OLD.id AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor
    AND NEW.action IS OLD.action AND NEW.org_id IS OLD.org_id AND NEW.object IS OLD.object AND NEW.detail IS OLD.detail
    AND NEW.via IS OLD.via AND NEW.before_json IS OLD.before_json AND NEW.after_json IS OLD.after_json)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_unlock;
DROP INDEX audit_log_actor;
ALTER TABLE audit_log DROP COLUMN after_json;
ALTER TABLE audit_log DROP COLUMN before_json;
ALTER TABLE audit_log DROP COLUMN via;
