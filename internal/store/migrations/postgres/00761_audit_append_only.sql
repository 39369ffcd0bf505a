-- +goose Up
-- The audit log is append-only. Every change made through the CLI, the API
-- or the portal adds an entry: who (actor, user_id), when, what (action,
-- object, detail), through what (via: cli, api, portal, link) and, for
-- registry data, the record before and after as JSON (never secrets).
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN before_json TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_json TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_actor ON audit_log(actor, id);

-- UPDATE, DELETE and TRUNCATE are refused, with two documented exceptions
-- that run in the store's own transaction with a row in audit_unlock
-- (inserted and deleted again before the commit, so no other transaction
-- ever sees it): the daily retention purge (retention.audit_days) and the
-- erasure of a person (vigil privacy erase), which pseudonymises the
-- address in entries. The user_id of an entry is also set to NULL when its
-- user is deleted (the foreign key); nothing else about the entry may
-- change.
CREATE TABLE audit_unlock (reason TEXT NOT NULL);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_unlock) THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.org_id, NEW.object, NEW.detail, NEW.via, NEW.before_json, NEW.after_json)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.org_id, OLD.object, OLD.detail, OLD.via, OLD.before_json, OLD.after_json) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_unlock;
DROP INDEX audit_log_actor;
ALTER TABLE audit_log DROP COLUMN after_json;
ALTER TABLE audit_log DROP COLUMN before_json;
ALTER TABLE audit_log DROP COLUMN via;
