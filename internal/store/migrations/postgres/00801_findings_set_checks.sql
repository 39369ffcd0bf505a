-- +goose Up
-- The feed ingest writes a batch of findings in one statement (findingSetSQL).
-- Foreign keys check every row on their own: an after-row trigger per finding
-- and per event, each an index probe and a row lock (28 % of the statement's
-- server time on 20,000 new findings). The same rules are kept per statement
-- instead, over the statement's transition table:
-- - a finding's organisation and trigger exist: checked once per inserting
--   statement for the distinct organisations and triggers it wrote (and per
--   update that sets them), raising foreign_key_violation as the keys did;
-- - a finding goes with its organisation or trigger, and an event with its
--   finding: deleted by statement triggers on orgs, triggers and findings;
-- - an event's finding exists, with the event's organisation (which the
--   cascade relies on): checked once per inserting statement.
-- A check does not lock the organisation's row as a key did. Instead the
-- checking statement holds a shared advisory lock of the schema (key
-- 801801) until its commit, and a deleting statement takes it exclusively
-- before it deletes the findings: a delete waits for the batches that
-- checked the organisation while it still existed and then removes what
-- they wrote; a batch that comes later waits for the delete to commit and
-- then finds the organisation gone.
ALTER TABLE findings DROP CONSTRAINT findings_org_id_fkey;
ALTER TABLE findings DROP CONSTRAINT findings_trigger_id_fkey;
ALTER TABLE finding_events DROP CONSTRAINT finding_events_finding_id_fkey;
-- No query reads events by finding: the index served the key's cascade,
-- and the cascade below finds a finding's events through its
-- organisation (finding_events_org), so a new event keeps one index less.
DROP INDEX finding_events_finding;

-- +goose StatementBegin
CREATE FUNCTION findings_keys_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(801801, hashtext(current_schema()));
    SELECT n.org_id INTO missing FROM (SELECT DISTINCT org_id FROM new_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = n.org_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "findings" violates foreign key constraint "findings_org_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (org_id)=(%s) is not present in table "orgs".', missing),
                TABLE = 'findings', CONSTRAINT = 'findings_org_id_fkey';
    END IF;
    SELECT n.trigger_id INTO missing FROM (SELECT DISTINCT trigger_id FROM new_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM triggers t WHERE t.id = n.trigger_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "findings" violates foreign key constraint "findings_trigger_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (trigger_id)=(%s) is not present in table "triggers".', missing),
                TABLE = 'findings', CONSTRAINT = 'findings_trigger_id_fkey';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION finding_events_keys_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock_shared(801801, hashtext(current_schema()));
    SELECT n.finding_id INTO missing FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = n.finding_id AND f.org_id = n.org_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "finding_events" violates foreign key constraint "finding_events_finding_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (finding_id)=(%s) is not present in table "findings".', missing),
                TABLE = 'finding_events', CONSTRAINT = 'finding_events_finding_id_fkey';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A finding or event whose keys an update changes (nothing does so today)
-- is checked on its own.
-- +goose StatementBegin
CREATE FUNCTION findings_keys_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(801801, hashtext(current_schema()));
    IF NOT EXISTS (SELECT 1 FROM orgs WHERE id = NEW.org_id) OR NOT EXISTS (SELECT 1 FROM triggers WHERE id = NEW.trigger_id) THEN
        RAISE EXCEPTION 'update on table "findings" violates a foreign key'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (org_id, trigger_id)=(%s, %s) is not present.', NEW.org_id, NEW.trigger_id),
                TABLE = 'findings';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION finding_events_keys_check_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(801801, hashtext(current_schema()));
    IF NOT EXISTS (SELECT 1 FROM findings WHERE id = NEW.finding_id AND org_id = NEW.org_id) THEN
        RAISE EXCEPTION 'update on table "finding_events" violates foreign key constraint "finding_events_finding_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (finding_id)=(%s) is not present in table "findings".', NEW.finding_id),
                TABLE = 'finding_events', CONSTRAINT = 'finding_events_finding_id_fkey';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- findings_cascade deletes the findings of deleted organisations or
-- triggers, and finding_events_cascade the events of deleted findings.
-- +goose StatementBegin
CREATE FUNCTION findings_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(801801, hashtext(current_schema()));
    IF TG_TABLE_NAME = 'orgs' THEN
        DELETE FROM findings WHERE org_id IN (SELECT id FROM old_rows);
    ELSE
        DELETE FROM findings WHERE trigger_id IN (SELECT id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION finding_events_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM finding_events e USING old_rows o WHERE e.org_id = o.org_id AND e.finding_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER findings_keys_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION findings_keys_check();
CREATE TRIGGER findings_keys_update AFTER UPDATE OF org_id, trigger_id ON findings FOR EACH ROW
    WHEN (NEW.org_id <> OLD.org_id OR NEW.trigger_id <> OLD.trigger_id) EXECUTE FUNCTION findings_keys_check_row();
CREATE TRIGGER finding_events_keys_insert AFTER INSERT ON finding_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_events_keys_check();
CREATE TRIGGER finding_events_keys_update AFTER UPDATE OF finding_id, org_id ON finding_events FOR EACH ROW
    WHEN (NEW.finding_id <> OLD.finding_id OR NEW.org_id <> OLD.org_id) EXECUTE FUNCTION finding_events_keys_check_row();
CREATE TRIGGER orgs_findings_cascade AFTER DELETE ON orgs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION findings_cascade();
CREATE TRIGGER triggers_findings_cascade AFTER DELETE ON triggers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION findings_cascade();
CREATE TRIGGER findings_events_cascade AFTER DELETE ON findings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_events_cascade();

-- +goose Down
DROP TRIGGER findings_events_cascade ON findings;
DROP TRIGGER triggers_findings_cascade ON triggers;
DROP TRIGGER orgs_findings_cascade ON orgs;
DROP TRIGGER finding_events_keys_update ON finding_events;
DROP TRIGGER finding_events_keys_insert ON finding_events;
DROP TRIGGER findings_keys_update ON findings;
DROP TRIGGER findings_keys_insert ON findings;
DROP FUNCTION finding_events_keys_check_row();
DROP FUNCTION findings_keys_check_row();
DROP FUNCTION finding_events_cascade();
DROP FUNCTION findings_cascade();
DROP FUNCTION finding_events_keys_check();
DROP FUNCTION findings_keys_check();
DELETE FROM finding_events e WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = e.finding_id);
CREATE INDEX finding_events_finding ON finding_events(finding_id);
ALTER TABLE finding_events ADD CONSTRAINT finding_events_finding_id_fkey FOREIGN KEY (finding_id) REFERENCES findings(id) ON DELETE CASCADE;
ALTER TABLE findings ADD CONSTRAINT findings_trigger_id_fkey FOREIGN KEY (trigger_id) REFERENCES triggers(id) ON DELETE CASCADE;
ALTER TABLE findings ADD CONSTRAINT findings_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs(id) ON DELETE CASCADE;
