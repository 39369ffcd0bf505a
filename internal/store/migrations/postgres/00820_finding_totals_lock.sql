-- The fold of finding_total_deltas takes an advisory lock so that only one
-- runs at a time. Advisory locks belong to the whole database, not to a
-- schema: with the key 720720 alone, a fold in one schema of a shared
-- database (test schemas, a second installation) made a fold in another
-- return without folding. The key now carries the schema.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION finding_totals_compact() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(720720, hashtext(current_schema())) THEN
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION finding_totals_compact() RETURNS void LANGUAGE plpgsql AS $$
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
