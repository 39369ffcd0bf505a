-- +goose Up
-- A call may end with the organisation acknowledging the warning on the
-- telephone ('acknowledged'): the call records it and acknowledges the
-- notice.
ALTER TABLE call_outcomes DROP CONSTRAINT call_outcomes_outcome_check;
ALTER TABLE call_outcomes ADD CONSTRAINT call_outcomes_outcome_check
    CHECK (outcome IN ('reached', 'acknowledged', 'no_answer', 'wrong_number', 'left_message'));

-- +goose Down
UPDATE call_outcomes SET outcome = 'reached' WHERE outcome = 'acknowledged';
ALTER TABLE call_outcomes DROP CONSTRAINT call_outcomes_outcome_check;
ALTER TABLE call_outcomes ADD CONSTRAINT call_outcomes_outcome_check
    CHECK (outcome IN ('reached', 'no_answer', 'wrong_number', 'left_message'));
