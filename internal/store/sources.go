// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/source"
	"vigil/internal/tlp"
)

// This file keeps the registry of scheduled sources (internal/source),
// their runs and the files they ingested. Sources belong to no
// organisation: the operator manages them.

const sourceCols = `id, name, kind, url, every_s, expect_s, alert_after_s, credentials, paused, next_run_at,
last_run_at, last_success_at, last_data_at, last_error, failures, alerted_at, created_at, resume,
COALESCE((SELECT m.tlp FROM source_tlp m WHERE m.source_id = sources.id), 0)`

func scanSource(r scanner) (source.Source, string, error) {
	var (
		s                                  source.Source
		every, expect, after               int64
		sealed                             string
		lastRun, lastOK, lastData, alerted sql.NullTime
	)
	err := r.Scan(&s.ID, &s.Name, &s.Kind, &s.URL, &every, &expect, &after, &sealed, &s.Paused, &s.NextRun,
		&lastRun, &lastOK, &lastData, &s.LastError, &s.Failures, &alerted, &s.Created, &s.Resume, &s.TLP)
	if err != nil {
		return s, "", err
	}
	s.Every, s.Expect, s.AlertAfter = source.Duration(time.Duration(every)*time.Second), source.Duration(time.Duration(expect)*time.Second), source.Duration(time.Duration(after)*time.Second)
	s.NextRun, s.Created = s.NextRun.UTC(), s.Created.UTC()
	s.LastRun, s.LastSuccess, s.LastData, s.Alerted = nullTimePtr(lastRun), nullTimePtr(lastOK), nullTimePtr(lastData), nullTimePtr(alerted)
	s.HasCredentials = sealed != ""
	return s, sealed, nil
}

func seconds(d source.Duration) int64 { return int64(time.Duration(d) / time.Second) }

// SourceCreate stores a new source with its sealed credentials; its first
// run is due at once. A name taken is errs.Conflict.
func (s *Store) SourceCreate(ctx context.Context, src *source.Source, sealed string) error {
	now := s.Now()
	var id int64
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO sources (name, kind, url, every_s, expect_s, alert_after_s, credentials, paused, next_run_at, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, src.Name, string(src.Kind), src.URL, seconds(src.Every), seconds(src.Expect), seconds(src.AlertAfter),
			sealed, src.Paused, now, now)
		if err != nil {
			return fmt.Errorf("source %s: %w", src.Name, interpret(err))
		}
		// A source's marking is its own row (see migration 00740); an id
		// used before gets the new source's.
		if _, err := tx.Exec(ctx, `DELETE FROM source_tlp WHERE source_id = ?`, id); err != nil {
			return fmt.Errorf("source %s marking: %w", src.Name, err)
		}
		if src.TLP != tlp.None {
			if _, err := tx.Exec(ctx, `INSERT INTO source_tlp (source_id, tlp) VALUES (?, ?)`, id, src.TLP); err != nil {
				return fmt.Errorf("source %s marking: %w", src.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	src.ID, src.NextRun, src.Created, src.HasCredentials = id, now, now, sealed != ""
	return nil
}

// SourceGet returns the source named name (or with id name) and its sealed
// credentials, or errs.NotFound.
func (s *Store) SourceGet(ctx context.Context, name string) (source.Source, string, error) {
	src, sealed, err := scanSource(s.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE name = ?`, name))
	return src, sealed, Scan(err, fmt.Sprintf("source %q", name))
}

// SourceGetByID returns the source with id and its sealed credentials.
func (s *Store) SourceGetByID(ctx context.Context, id int64) (source.Source, string, error) {
	src, sealed, err := scanSource(s.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id))
	return src, sealed, Scan(err, fmt.Sprintf("source %d", id))
}

// SourceList lists every source by name.
func (s *Store) SourceList(ctx context.Context) ([]source.Source, error) {
	out, err := queryAll(ctx, s, func(r scanner) (source.Source, error) {
		src, _, err := scanSource(r)
		return src, err
	}, `SELECT `+sourceCols+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	return out, nil
}

// SourcePause pauses (or resumes) the source named name; a resumed source
// is due at once.
func (s *Store) SourcePause(ctx context.Context, name string, paused bool) error {
	return s.updateOne(ctx, fmt.Sprintf("source %q", name), `UPDATE sources SET paused = ?, next_run_at = ? WHERE name = ?`, paused, s.Now(), name)
}

// SourceRunSoon makes the source named name due at once, so that the
// next sweep enqueues its run (a paused source stays paused and is not
// run).
func (s *Store) SourceRunSoon(ctx context.Context, name string) error {
	return s.updateOne(ctx, fmt.Sprintf("source %q", name), `UPDATE sources SET next_run_at = ? WHERE name = ?`, s.Now(), name)
}

// SourceDue returns the sources not paused whose next run is due at now
// and moves their next run one interval on, so that a sweep enqueues each
// once.
func (s *Store) SourceDue(ctx context.Context, now time.Time) ([]source.Source, error) {
	var due []source.Source
	err := s.Tx(ctx, func(tx *Store) error {
		rows, err := tx.Query(ctx, `SELECT `+sourceCols+` FROM sources WHERE NOT paused AND next_run_at <= ? ORDER BY next_run_at, id`, now)
		if err != nil {
			return err
		}
		for rows.Next() {
			src, _, err := scanSource(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, src)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, src := range due {
			if _, err := tx.Exec(ctx, `UPDATE sources SET next_run_at = ? WHERE id = ?`, now.Add(time.Duration(src.Every)), src.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due sources: %w", err)
	}
	return due, nil
}

// SourceRunStart takes the source's lease until until and records a new
// run. When another run holds an unexpired lease it returns errs.Conflict:
// one run of a source at a time, whichever node or command starts it. A
// run that crashed leaves its lease to expire.
func (s *Store) SourceRunStart(ctx context.Context, id int64, until time.Time) (int64, error) {
	var run int64
	err := s.Tx(ctx, func(tx *Store) error {
		now := tx.Now()
		r, err := tx.Exec(ctx, `UPDATE sources SET lease_until = ?, last_run_at = ? WHERE id = ? AND (lease_until IS NULL OR lease_until < ?)`, until, now, id, now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			if _, _, err := tx.SourceGetByID(ctx, id); err != nil {
				return err
			}
			return errs.Errorf(errs.Conflict, "source %d is running already", id)
		}
		// A run a crash left running is failed now.
		if _, err := tx.Exec(ctx, `UPDATE source_runs SET state = 'failed', error = 'stopped without ending (crash or stop)', finished_at = ? WHERE source_id = ? AND state = 'running'`, now, id); err != nil {
			return err
		}
		run, err = tx.InsertID(ctx, `INSERT INTO source_runs (source_id, started_at) VALUES (?, ?)`, id, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("start source run: %w", err)
	}
	return run, nil
}

// SourceFileSeen reports whether a file with this digest was ingested by
// any source.
func (s *Store) SourceFileSeen(ctx context.Context, sha256 string) (bool, error) {
	return s.exists(ctx, `SELECT 1 FROM source_files WHERE sha256 = ?`, sha256)
}

// SourceKeySeen reports whether source id ingested a file with this key
// (a report id) before.
func (s *Store) SourceKeySeen(ctx context.Context, id int64, key string) (bool, error) {
	return s.exists(ctx, `SELECT 1 FROM source_files WHERE source_id = ? AND key = ?`, id, key)
}

func (s *Store) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := s.QueryRow(ctx, q+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SourceFileAdd records a file run ingested for source id. A digest
// recorded before is errs.Conflict.
func (s *Store) SourceFileAdd(ctx context.Context, id, run int64, f source.File) error {
	_, err := s.Exec(ctx, `INSERT INTO source_files (source_id, run_id, name, key, sha256, size, rows, findings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, run, f.Name, f.Key, f.SHA256, f.Size, f.Rows, f.Findings, s.Now())
	if err != nil {
		return fmt.Errorf("record file %s: %w", f.Name, interpret(err))
	}
	return nil
}

// SourceRunFinish ends run of source id and releases the lease: a run
// without failure is the source's last success (and, when it brought new
// data, its last data, which clears a raised alert) and moves its resume
// point to resume (when set); a failure counts one more in a row, is the
// source's last error and, when retry is set, moves the source's next run
// to retry (its backoff).
func (s *Store) SourceRunFinish(ctx context.Context, id, run int64, failure string, data, skipped int, resume string, retry time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		now := tx.Now()
		state := "ok"
		if failure != "" {
			state = "failed"
		}
		if _, err := tx.Exec(ctx, `UPDATE source_runs SET state = ?, error = ?, skipped = ?, finished_at = ? WHERE id = ?`, state, failure, skipped, now, run); err != nil {
			return fmt.Errorf("finish source run: %w", err)
		}
		if failure == "" && resume != "" {
			if _, err := tx.Exec(ctx, `UPDATE sources SET resume = ? WHERE id = ?`, resume, id); err != nil {
				return fmt.Errorf("finish source run: %w", err)
			}
		}
		var err error
		switch {
		case failure != "" && !retry.IsZero():
			_, err = tx.Exec(ctx, `UPDATE sources SET lease_until = NULL, last_error = ?, failures = failures + 1, next_run_at = ? WHERE id = ?`, failure, retry, id)
		case failure != "":
			_, err = tx.Exec(ctx, `UPDATE sources SET lease_until = NULL, last_error = ?, failures = failures + 1 WHERE id = ?`, failure, id)
		case data > 0:
			_, err = tx.Exec(ctx, `UPDATE sources SET lease_until = NULL, last_error = '', failures = 0, last_success_at = ?, last_data_at = ?, alerted_at = NULL WHERE id = ?`, now, now, id)
		default:
			_, err = tx.Exec(ctx, `UPDATE sources SET lease_until = NULL, last_error = '', failures = 0, last_success_at = ? WHERE id = ?`, now, id)
		}
		if err != nil {
			return fmt.Errorf("finish source run: %w", err)
		}
		return nil
	})
}

// SourceRuns returns the last limit runs of source id, newest first, each
// with its files.
func (s *Store) SourceRuns(ctx context.Context, id int64, limit int) ([]source.Run, error) {
	rows, err := s.Query(ctx, `SELECT id, source_id, started_at, finished_at, state, error, skipped FROM source_runs WHERE source_id = ? ORDER BY id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("source runs: %w", err)
	}
	var out []source.Run
	for rows.Next() {
		var r source.Run
		var fin sql.NullTime
		if err := rows.Scan(&r.ID, &r.SourceID, &r.Started, &fin, &r.State, &r.Error, &r.Skipped); err != nil {
			rows.Close()
			return nil, err
		}
		r.Started, r.Finished, r.Files = r.Started.UTC(), nullTimePtr(fin), []source.File{}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		fr, err := s.Query(ctx, `SELECT name, key, sha256, size, rows, findings FROM source_files WHERE run_id = ? ORDER BY id`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for fr.Next() {
			var f source.File
			if err := fr.Scan(&f.Name, &f.Key, &f.SHA256, &f.Size, &f.Rows, &f.Findings); err != nil {
				fr.Close()
				return nil, err
			}
			out[i].Files = append(out[i].Files, f)
		}
		fr.Close()
		if err := fr.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SourceAlertClear ends source id's raised alert (it recovered), so that
// the next silence or failure raises a new one.
func (s *Store) SourceAlertClear(ctx context.Context, id int64) error {
	_, err := s.Exec(ctx, `UPDATE sources SET alerted_at = NULL WHERE id = ?`, id)
	return err
}

// SourceAlertRaise raises the one alert of source id: unless an alert is
// raised already (then it returns 0), it marks the source alerted at now
// and, in the same transaction, puts a notice of no organisation on the
// call list (escalated, with reason as its escalation reason) with message
// m and, when address is set, queues it as an e-mail to address in the
// outbox. It returns the notice id.
func (s *Store) SourceAlertRaise(ctx context.Context, id int64, now time.Time, reason, address string, m notify.Message) (int64, error) {
	var notice int64
	err := s.Tx(ctx, func(tx *Store) error {
		r, err := tx.Exec(ctx, `UPDATE sources SET alerted_at = ? WHERE id = ? AND alerted_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return nil
		}
		payload, err := json.Marshal(notify.Content{Kind: notify.KindAccount, Created: now, Message: &m, Languages: []string{"en"}})
		if err != nil {
			return err
		}
		notice, err = tx.InsertID(ctx, `INSERT INTO notices (kind, severity, state, payload, created_at, escalated_at, escalation_reason) VALUES (?, ?, 'escalated', ?, ?, ?, ?)`,
			string(notify.KindAccount), int64(finding.High), string(payload), now, now, reason)
		if err != nil {
			return err
		}
		if err := tx.noticeTickets(ctx, []int64{notice}); err != nil {
			return err
		}
		if address == "" {
			return nil
		}
		return tx.outboxInsert(ctx, now, []outboxRow{{notice, notify.Delivery{Channel: notify.Email, Recipient: address, Lang: "en"}}})
	})
	if err != nil {
		return 0, fmt.Errorf("source alert: %w", err)
	}
	return notice, nil
}
