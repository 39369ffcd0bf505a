-- +goose Up
-- The outcome of each telephone call an analyst made about an escalated
-- warning (the call list): reached (someone responsible heard it),
-- no_answer, wrong_number (the number is not the organisation's) or
-- left_message, with a note and who called. The list shows the latest.
CREATE TABLE call_outcomes (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'wrong_number', 'left_message')),
    note        TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX call_outcomes_notice ON call_outcomes(notice_id, id);

-- +goose Down
DROP TABLE call_outcomes;
