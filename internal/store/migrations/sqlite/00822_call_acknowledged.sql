-- +goose Up
-- A call may end with the organisation acknowledging the warning on the
-- telephone ('acknowledged'): the call records it and acknowledges the
-- notice. SQLite changes a CHECK by rebuilding the table.
CREATE TABLE call_outcomes_new (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('reached', 'acknowledged', 'no_answer', 'wrong_number', 'left_message')),
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
INSERT INTO call_outcomes_new (id, notice_id, outcome, note, actor, created_at)
SELECT id, notice_id, outcome, note, actor, created_at FROM call_outcomes;
DROP TABLE call_outcomes;
ALTER TABLE call_outcomes_new RENAME TO call_outcomes;
CREATE INDEX call_outcomes_notice ON call_outcomes(notice_id, id);

-- +goose Down
CREATE TABLE call_outcomes_old (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'wrong_number', 'left_message')),
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
INSERT INTO call_outcomes_old (id, notice_id, outcome, note, actor, created_at)
SELECT id, notice_id, CASE outcome WHEN 'acknowledged' THEN 'reached' ELSE outcome END, note, actor, created_at FROM call_outcomes;
DROP TABLE call_outcomes;
ALTER TABLE call_outcomes_old RENAME TO call_outcomes;
CREATE INDEX call_outcomes_notice ON call_outcomes(notice_id, id);
