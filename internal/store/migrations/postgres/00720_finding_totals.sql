-- +goose Up
-- Running totals of the findings per trigger and organisation, so that the
-- analysts' dashboard and TriggerStats read at most one row per trigger and
-- organisation instead of aggregating every finding. The statement
-- triggers below append each write's differences (grouped by trigger and
-- organisation) to finding_total_deltas in the writing transaction: an
-- insert only, so concurrent writers of the same organisation never wait
-- for one another on a totals row. finding_totals_compact() folds the
-- committed differences into finding_totals (one writer at a time, the
-- others skip); the store calls it after each ingest, vulnerability and
-- rating transaction. A reader sums both tables, so a total is exact
-- whether or not its differences were folded yet. No foreign keys: a
-- cascaded delete of an organisation or trigger removes its findings,
-- whose trigger appends the differences.
CREATE TABLE finding_totals (
    trigger_id   BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    findings     BIGINT NOT NULL DEFAULT 0,
    open         BIGINT NOT NULL DEFAULT 0,
    observations BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (trigger_id, org_id)
);
CREATE INDEX finding_totals_org ON finding_totals(org_id);
CREATE INDEX finding_totals_empty ON finding_totals(trigger_id, org_id) WHERE findings <= 0;

CREATE TABLE finding_total_deltas (
    trigger_id   BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    findings     BIGINT NOT NULL DEFAULT 0,
    open         BIGINT NOT NULL DEFAULT 0,
    observations BIGINT NOT NULL DEFAULT 0
);

INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations)
SELECT trigger_id, org_id, COUNT(*), COUNT(*) FILTER (WHERE status = 'open'), SUM(seen_count)
FROM findings GROUP BY trigger_id, org_id;

-- +goose StatementBegin
CREATE FUNCTION finding_totals_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO finding_total_deltas (trigger_id, org_id, findings, open, observations)
        SELECT trigger_id, org_id, COUNT(*), COUNT(*) FILTER (WHERE status = 'open'), SUM(seen_count)
        FROM new_rows GROUP BY trigger_id, org_id;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO finding_total_deltas (trigger_id, org_id, findings, open, observations)
        SELECT trigger_id, org_id, SUM(n), SUM(o), SUM(s) FROM (
            SELECT trigger_id, org_id, 1 AS n, CASE WHEN status = 'open' THEN 1 ELSE 0 END AS o, seen_count AS s FROM new_rows
            UNION ALL
            SELECT trigger_id, org_id, -1, CASE WHEN status = 'open' THEN -1 ELSE 0 END, -seen_count FROM old_rows
        ) d GROUP BY trigger_id, org_id
        HAVING SUM(n) <> 0 OR SUM(o) <> 0 OR SUM(s) <> 0;
    ELSE
        INSERT INTO finding_total_deltas (trigger_id, org_id, findings, open, observations)
        SELECT trigger_id, org_id, -COUNT(*), -COUNT(*) FILTER (WHERE status = 'open'), -SUM(seen_count)
        FROM old_rows GROUP BY trigger_id, org_id;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER finding_totals_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_totals_apply();
CREATE TRIGGER finding_totals_update AFTER UPDATE ON findings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_totals_apply();
CREATE TRIGGER finding_totals_delete AFTER DELETE ON findings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION finding_totals_apply();

-- finding_totals_compact folds the committed differences into the totals
-- and drops totals without findings. Only one runs at a time (a second
-- returns at once); writers only insert differences, so it never waits
-- for them.
-- +goose StatementBegin
CREATE FUNCTION finding_totals_compact() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(720720) THEN
        RETURN;
    END IF;
    WITH d AS (DELETE FROM finding_total_deltas RETURNING trigger_id, org_id, findings, open, observations)
    INSERT INTO finding_totals AS ft (trigger_id, org_id, findings, open, observations)
    SELECT trigger_id, org_id, SUM(findings), SUM(open), SUM(observations) FROM d
    GROUP BY trigger_id, org_id ORDER BY trigger_id, org_id
    ON CONFLICT (trigger_id, org_id) DO UPDATE SET findings = ft.findings + excluded.findings,
        open = ft.open + excluded.open, observations = ft.observations + excluded.observations;
    DELETE FROM finding_totals WHERE findings <= 0;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION finding_totals_compact();
DROP TRIGGER finding_totals_delete ON findings;
DROP TRIGGER finding_totals_update ON findings;
DROP TRIGGER finding_totals_insert ON findings;
DROP FUNCTION finding_totals_apply();
DROP TABLE finding_total_deltas;
DROP TABLE finding_totals;
