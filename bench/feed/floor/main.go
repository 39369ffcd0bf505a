// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command floor measures the storage engine's floor for feed ingestion: it
// inserts n finding-shaped rows (the columns vigil keeps per finding, an
// evidence text of the given size, random identity hashes) into a new
// SQLite database opened with vigil's settings, with nothing but the unique
// identity index, one prepared single-row INSERT each, in transactions of
// 20,000. No parsing, no matching, no events, no upsert: any design that
// keeps one row per finding with a unique identity pays at least this. It
// prints one JSON line.
//
// With -db postgres://… it measures PostgreSQL's floor instead: the same
// rows streamed with COPY into a new table "floor" (in the DSN's
// search_path) with only the unique identity index, 20,000 rows a
// transaction. Two more variants explain what lies between that floor and
// vigil's ingest; each COPYs the same rows into vigil's own findings table
// (every index and statement trigger it has) in a new schema "floor_vigil"
// of the database, with 20,000 organisations and one trigger:
//
//	-variant findings         the finding rows only
//	-variant findings+events  and one finding_events row per finding, as a
//	                          new finding gets (COPY too, same transaction)
//
// With a SQLite -db the two variants insert the same rows into vigil's own
// tables of a new SQLite database (vigil's migrations applied: every index,
// trigger and foreign key), with one prepared single-row INSERT each, as
// the identity floor does, 20,000 findings a transaction.
//
//	floor -findings 600000 -evidence 400 -db /tmp/floor.db
//	floor -findings 600000 -db 'postgres://postgres@127.0.0.1/vigil_bench?search_path=bench'
//	floor -findings 600000 -variant findings+events -db 'postgres://postgres@127.0.0.1/vigil_bench'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"vigil/internal/finding"
	"vigil/internal/store"
)

func main() {
	n := flag.Int("findings", 600000, "rows to insert")
	evidence := flag.Int("evidence", 400, "bytes of evidence text per row")
	db := flag.String("db", "bench/out/feed/floor.db", "SQLite file (replaced)")
	variant := flag.String("variant", "ident", "ident, findings or findings+events (see the package comment)")
	flag.Parse()
	if err := run(*db, *n, *evidence, *variant); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(path string, n, evidence int, variant string) error {
	if n < 0 || n > 1<<24 {
		return fmt.Errorf("-findings %d: must be between 0 and %d", n, 1<<24)
	}
	ctx := context.Background()
	pg := strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
	switch {
	case variant == "ident" && pg:
		return runPostgres(ctx, path, n, evidence)
	case (variant == "findings" || variant == "findings+events") && pg:
		return runVigilTable(ctx, path, n, evidence, variant == "findings+events")
	case variant == "findings" || variant == "findings+events":
		return runVigilSQLite(ctx, path, n, evidence, variant == "findings+events")
	case variant != "ident":
		return fmt.Errorf("-variant %q: must be ident, findings or findings+events", variant)
	}
	s, err := openFreshSQLite(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Exec(ctx, `CREATE TABLE floor (id INTEGER PRIMARY KEY, ident BIGINT NOT NULL, org_id INTEGER NOT NULL, trigger_id INTEGER NOT NULL,
  type TEXT NOT NULL, report_type TEXT NOT NULL, key TEXT NOT NULL, ip TEXT NOT NULL, port INTEGER NOT NULL, asn BIGINT NOT NULL,
  severity INTEGER NOT NULL, status TEXT NOT NULL, first_seen TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL, seen_count BIGINT NOT NULL,
  last_run_id INTEGER, evidence TEXT NOT NULL);
CREATE UNIQUE INDEX floor_ident ON floor(ident);`); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(7, 7))
	ev := strings.Repeat("x", evidence)
	now := s.Now()
	start := time.Now()
	const per = 20000
	for done := 0; done < n; done += per {
		err := s.Tx(ctx, func(tx *store.Store) error {
			st, err := tx.Prepare(ctx, `INSERT INTO floor (ident, org_id, trigger_id, type, report_type, key, ip, port, asn, severity, status,
  first_seen, last_seen, seen_count, last_run_id, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer st.Close()
			for i := done; i < done+min(per, n-done); i++ {
				if _, err := st.ExecContext(ctx, floorRow(r, i, now, ev)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return report(n, start)
}

// openFreshSQLite opens a new SQLite database at path (any old one
// removed) with vigil's settings and migrations.
func openFreshSQLite(ctx context.Context, path string) (*store.Store, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	return store.Open(ctx, "sqlite:"+path, store.Options{})
}

// runVigilSQLite is the floor of vigil's own findings table on SQLite: the
// rows of floorRow, with explicit ids, inserted into findings of a new
// database with vigil's migrations applied, and with events, one
// finding_events row "new" per finding, each a prepared single-row INSERT,
// 20,000 findings a transaction.
func runVigilSQLite(ctx context.Context, path string, n, evidence int, events bool) error {
	s, err := openFreshSQLite(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	now := s.Now()
	if _, err := s.Exec(ctx, `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 20000)
INSERT INTO orgs (id, name, verify_token, created_at, updated_at) SELECT i, 'org ' || i, 'token ' || i, ?, ? FROM g`, now, now); err != nil {
		return fmt.Errorf("organisations: %w", err)
	}
	if _, err := s.Exec(ctx, `INSERT INTO triggers (id, name, created_at) VALUES (1, 'vulnerable-system', ?)`, now); err != nil {
		return fmt.Errorf("trigger: %w", err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	ev := strings.Repeat("x", evidence)
	start := time.Now()
	const per = 20000
	for done := 0; done < n; done += per {
		err := s.Tx(ctx, func(tx *store.Store) error {
			st, err := tx.Prepare(ctx, `INSERT INTO findings (id, `+strings.Join(floorCols, ", ")+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer st.Close()
			evst, err := tx.Prepare(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at, run_id) VALUES (?, ?, 'new', 3, ?, 1)`)
			if err != nil {
				return err
			}
			defer evst.Close()
			for i := done; i < done+min(per, n-done); i++ {
				row := append([]any{int64(i + 1)}, floorRow(r, i, now, ev)...)
				if _, err := st.ExecContext(ctx, row...); err != nil {
					return fmt.Errorf("finding %d: %w", i+1, err)
				}
				if !events {
					continue
				}
				if _, err := evst.ExecContext(ctx, int64(i+1), row[2], now); err != nil {
					return fmt.Errorf("event of finding %d: %w", i+1, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return report(n, start)
}

// report prints the JSON line of n rows written since start.
func report(n int, start time.Time) error {
	secs := time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"findings": n, "seconds": secs, "findings_per_second": float64(n) / secs})
}

// floorCols are the columns of a floor row, in floorRow's order.
var floorCols = []string{"ident", "org_id", "trigger_id", "type", "report_type", "key", "ip", "port", "asn", "severity", "status",
	"first_seen", "last_seen", "seen_count", "last_run_id", "evidence"}

// floorRow returns the i-th finding-shaped row: an odd multiplier permutes
// 24-bit numbers, so keys are distinct and come in random order.
func floorRow(r *rand.Rand, i int, now time.Time, ev string) []any {
	v := uint32(i) * 2654435761
	ip := netip.AddrFrom4([4]byte{11, byte(v >> 16), byte(v >> 8), byte(v)})
	key := finding.KeyFor(ip, 443)
	org := int64(r.IntN(20000) + 1)
	return []any{finding.Ident(org, 1, "vulnerable-system", key), org, int64(1), "vulnerable-system",
		"scan_http_vulnerable", key, ip.String(), int64(443), int64(64500), int64(3), "open", now, now, int64(1), int64(1), ev}
}

// runPostgres is the floor on PostgreSQL: COPY into a table with only the
// identity index (and an identity column without an index, as findings
// have ids), 20,000 rows a transaction.
func runPostgres(ctx context.Context, dsn string, n, evidence int) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP TABLE IF EXISTS floor`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE floor (id BIGINT GENERATED BY DEFAULT AS IDENTITY, ident BIGINT NOT NULL, org_id BIGINT NOT NULL,
  trigger_id BIGINT NOT NULL, type TEXT NOT NULL, report_type TEXT NOT NULL, key TEXT NOT NULL, ip TEXT NOT NULL, port BIGINT NOT NULL,
  asn BIGINT NOT NULL, severity BIGINT NOT NULL, status TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL, last_seen TIMESTAMPTZ NOT NULL,
  seen_count BIGINT NOT NULL, last_run_id BIGINT, evidence TEXT NOT NULL)`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `CREATE UNIQUE INDEX floor_ident ON floor(ident)`); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `DROP TABLE IF EXISTS floor`) //nolint:errcheck // a leftover table is dropped by the next run
	r := rand.New(rand.NewPCG(7, 7))
	ev := strings.Repeat("x", evidence)
	now := time.Now().UTC().Truncate(time.Microsecond)
	start := time.Now()
	const per = 20000
	rows := make([][]any, 0, per)
	for done := 0; done < n; done += per {
		rows = rows[:0]
		for i := done; i < done+min(per, n-done); i++ {
			rows = append(rows, floorRow(r, i, now, ev))
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"floor"}, floorCols, pgx.CopyFromRows(rows))
			return err
		})
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	return report(n, start)
}

// floorSchema is the schema runVigilTable makes (and drops) for vigil's
// tables.
const floorSchema = "floor_vigil"

// runVigilTable is the floor of vigil's own findings table on PostgreSQL:
// the rows of floorRow, with explicit ids, streamed with COPY into findings
// of a new schema with vigil's migrations applied (every index and trigger
// of the table), and with events, one finding_events row "new" per
// finding, 20,000 findings a transaction.
func runVigilTable(ctx context.Context, dsn string, n, evidence int, events bool) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	q := u.Query()
	q.Set("search_path", floorSchema)
	u.RawQuery = q.Encode()
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	for _, stmt := range []string{`SET client_min_messages = warning`, `DROP SCHEMA IF EXISTS ` + floorSchema + ` CASCADE`, `CREATE SCHEMA ` + floorSchema} {
		if _, err := admin.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("schema %s: %w", floorSchema, err)
		}
	}
	defer admin.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+floorSchema+` CASCADE`) //nolint:errcheck // the next run drops it too
	s, err := store.Open(ctx, u.String(), store.Options{})
	if err != nil {
		return err
	}
	s.Close()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if _, err := conn.Exec(ctx, `INSERT INTO orgs (id, name, verify_token, created_at, updated_at)
SELECT g, 'org ' || g, 'token ' || g, $1, $1 FROM generate_series(1, 20000) g`, now); err != nil {
		return fmt.Errorf("organisations: %w", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO triggers (id, name, created_at) VALUES (1, 'vulnerable-system', $1)`, now); err != nil {
		return fmt.Errorf("trigger: %w", err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	ev := strings.Repeat("x", evidence)
	cols := append([]string{"id"}, floorCols...)
	evCols := []string{"finding_id", "org_id", "kind", "severity", "at", "run_id"}
	start := time.Now()
	const per = 20000
	rows := make([][]any, 0, per)
	evs := make([][]any, 0, per)
	for done := 0; done < n; done += per {
		rows, evs = rows[:0], evs[:0]
		for i := done; i < done+min(per, n-done); i++ {
			row := append([]any{int64(i + 1)}, floorRow(r, i, now, ev)...)
			rows = append(rows, row)
			evs = append(evs, []any{int64(i + 1), row[2], "new", int64(3), now, int64(1)})
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"findings"}, cols, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
			if !events {
				return nil
			}
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"finding_events"}, evCols, pgx.CopyFromRows(evs))
			return err
		})
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	return report(n, start)
}
