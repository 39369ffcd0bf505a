-- +goose Up
-- org_warnings: which organisations were warned about which trigger on
-- which UTC day of sending, one row each, written (insert-only, a repeat
-- ignored) in the transaction that marks a notice's delivery sent. A
-- warning that went out stays a fact: the rows are not taken back when a
-- notice's items move, its findings resolve or the notice is purged, and
-- they have no foreign key. The key serves the dashboard's count of
-- organisations per (day, trigger) over the last days.
CREATE TABLE org_warnings (
    day        TEXT NOT NULL,
    trigger_id INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    PRIMARY KEY (day, trigger_id, org_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO org_warnings (day, trigger_id, org_id)
SELECT DISTINCT substr(o.sent_at, 1, 10), i.trigger_id, n.org_id
FROM outbox o JOIN notices n ON n.id = o.notice_id JOIN notice_items i ON i.notice_id = n.id
WHERE o.state = 'sent' AND o.sent_at IS NOT NULL AND n.org_id IS NOT NULL AND i.trigger_id IS NOT NULL;

-- +goose Down
DROP TABLE org_warnings;
