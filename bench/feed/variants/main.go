// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command variants takes the SQLite feed ingest's write path apart: it
// folds the same n new finding-shaped sightings (20,000 organisations, one
// trigger, an evidence array like a CSV report's) into a new database with
// the store's FindingUpsert, in transactions of 10,000 as the ingest does,
// once per variant, each variant removing one part of what the schema makes
// an upsert pay (indexes, foreign-key checks); and, in the same run, the
// floor (bench/feed/floor's bare prepared inserts with only the identity
// index). It prints one JSON line per variant with the CPU seconds of the
// timed part, findings per CPU second and the share of the floor, so the
// figures are ratios of one run (CPU time, which the load of a shared
// machine moves less than wall time).
//
//	variants -findings 200000 -dir /tmp/variants
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/store"
)

// variant is a schema change applied to the new database before the timed
// upserts.
type variant struct {
	name string
	sql  []string
}

var variants = []variant{
	{name: "full"},
	{name: "no portal indexes on findings", sql: []string{
		`DROP INDEX findings_trigger_seen`, `DROP INDEX findings_status_seen`, `DROP INDEX findings_org_order`}},
	{name: "no event indexes", sql: []string{
		`DROP INDEX finding_events_finding`, `DROP INDEX finding_events_run`, `DROP INDEX finding_events_org`}},
	{name: "no foreign keys", sql: []string{`PRAGMA foreign_keys = OFF`}},
}

func main() {
	n := flag.Int("findings", 200000, "new findings per variant")
	dir := flag.String("dir", os.TempDir(), "directory for the databases")
	only := flag.String("only", "", "comma-separated variant numbers (default all)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the timed part of every variant to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "variants:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*dir, *n, *only); err != nil {
		fmt.Fprintln(os.Stderr, "variants:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(dir string, n int, only string) error {
	ctx := context.Background()
	sightings := make([]finding.Sighting, n)
	r := rand.New(rand.NewPCG(7, 7))
	now := time.Now().UTC()
	for i := range sightings {
		v := uint32(i) * 2654435761
		ip := netip.AddrFrom4([4]byte{11, byte(v >> 16), byte(v >> 8), byte(v)})
		ev, _ := json.Marshal([]string{"2025-06-01 00:00:00", ip.String(), "443", "tcp", "", "AS64500", "NL", "Noord-Holland",
			"Amsterdam", "", "64500", "", "", "", "", "", "", "", "", "", "", "", "", "", "cve-2021-41773", "", "", "", ""})
		sightings[i] = finding.Sighting{OrgID: int64(r.IntN(20000) + 1), TriggerID: 1, Type: "vulnerable-system",
			ReportType: "scan_http_vulnerable", Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, ASN: 64500,
			Severity: finding.High, Class: "vulnerable", Time: now, Evidence: ev}
	}
	var floor float64
	{
		secs, err := floorRun(ctx, filepath.Join(dir, "variants-floor.db"), sightings)
		if err != nil {
			return err
		}
		floor = float64(n) / secs
		report("floor (prepared inserts, identity index only)", n, secs, floor)
	}
	for i, v := range variants {
		if only != "" && !strings.Contains(","+only+",", ","+strconv.Itoa(i)+",") {
			continue
		}
		secs, err := upsertRun(ctx, filepath.Join(dir, "variants.db"), v, sightings)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		report(v.name, n, secs, floor)
	}
	return nil
}

func report(name string, n int, secs, floor float64) {
	fps := float64(n) / secs
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"variant": name, "findings": n, "cpu_seconds": secs,
		"findings_per_cpu_second": int(fps), "share_of_floor": fmt.Sprintf("%.1f%%", 100*fps/floor)})
}

// cpu returns the CPU time (user and system) this process used so far: on
// a shared machine wall time follows the load, CPU time much less.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fresh opens a new database at path with 20,000 organisations and one
// trigger.
func fresh(ctx context.Context, path string) (*store.Store, error) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		return nil, err
	}
	if _, err := s.Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO orgs (name, verify_token, created_at, updated_at) SELECT 'org ' || i, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n`); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_http_vulnerable"}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func upsertRun(ctx context.Context, path string, v variant, sightings []finding.Sighting) (float64, error) {
	s, err := fresh(ctx, path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	for _, q := range v.sql {
		if _, err := s.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("%s: %w", q, err)
		}
	}
	run := ingest.Run{Source: "variants", FeedType: "shadowserver", ReportType: "scan_http_vulnerable", TriggerID: 1, Header: "[]"}
	if err := s.RunStart(ctx, &run); err != nil {
		return 0, err
	}
	start := cpu()
	for i := 0; i < len(sightings); i += 10000 {
		b := sightings[i:min(i+10000, len(sightings))]
		if err := s.IngestTx(ctx, func(tx ingest.Store) error {
			_, _, err := tx.FindingUpsert(ctx, run.ID, b)
			if err == nil {
				run.CommittedLine = int64(i)
				err = tx.RunCheckpoint(ctx, &run)
			}
			return err
		}); err != nil {
			return 0, err
		}
	}
	return (cpu() - start).Seconds(), nil
}

// floorRun is bench/feed/floor's loop on the same sightings.
func floorRun(ctx context.Context, path string, sightings []finding.Sighting) (float64, error) {
	s, err := fresh(ctx, path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if _, err := s.Exec(ctx, `CREATE TABLE floor (id INTEGER PRIMARY KEY, ident BIGINT NOT NULL, org_id INTEGER NOT NULL, trigger_id INTEGER NOT NULL,
  type TEXT NOT NULL, report_type TEXT NOT NULL, key TEXT NOT NULL, ip TEXT NOT NULL, port INTEGER NOT NULL, asn BIGINT NOT NULL,
  severity INTEGER NOT NULL, status TEXT NOT NULL, first_seen TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL, seen_count BIGINT NOT NULL,
  last_run_id INTEGER, evidence TEXT NOT NULL);
CREATE UNIQUE INDEX floor_ident ON floor(ident);`); err != nil {
		return 0, err
	}
	start := cpu()
	for i := 0; i < len(sightings); i += 20000 {
		b := sightings[i:min(i+20000, len(sightings))]
		if err := s.Tx(ctx, func(tx *store.Store) error {
			st, err := tx.Prepare(ctx, `INSERT INTO floor (ident, org_id, trigger_id, type, report_type, key, ip, port, asn, severity, status,
  first_seen, last_seen, seen_count, last_run_id, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, sg := range b {
				if _, err := st.ExecContext(ctx, finding.Ident(sg.OrgID, 1, sg.Type, sg.Key), sg.OrgID, int64(1), sg.Type, sg.ReportType, sg.Key,
					sg.IP.String(), int64(443), int64(64500), int64(3), "open", sg.Time, sg.Time, int64(1), int64(1), string(sg.Evidence)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return (cpu() - start).Seconds(), nil
}
