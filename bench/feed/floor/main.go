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
// transaction.
//
//	floor -findings 600000 -evidence 400 -db /tmp/floor.db
//	floor -findings 600000 -db 'postgres://postgres@127.0.0.1/vigil_bench?search_path=bench'
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
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
	flag.Parse()
	if err := run(*db, *n, *evidence); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(path string, n, evidence int) error {
	if n < 0 || n > 1<<24 {
		return fmt.Errorf("-findings %d: must be between 0 and %d", n, 1<<24)
	}
	ctx := context.Background()
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return runPostgres(ctx, path, n, evidence)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
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
