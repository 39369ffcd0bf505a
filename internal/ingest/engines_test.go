// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestFeedSameOnBothEngines runs the same three days of reports through
// SQLite (multi-row upserts) and PostgreSQL (COPY into a staging table and
// one set-based upsert a batch) and compares what each keeps: every
// finding's state (seen count, first and last seen, severity, status,
// evidence, last run) and every finding's events in order. The days make
// every kind of change: sightings repeated within a batch and across
// batches (batches of 4 rows), severities raised, a full report that
// resolves, and one that reopens.
func TestFeedSameOnBothEngines(t *testing.T) {
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip(storetest.EnvPG + " not set: nothing to compare SQLite with")
	}
	clock := func() time.Time { return time.Date(2025, 6, 4, 8, 0, 0, 0, time.UTC) }
	days := feedDays(t)
	var results [2]engineState
	for i, s := range []*store.Store{
		storetest.OpenSQLite(t, storetest.Options{Now: clock}),
		storetest.OpenPostgres(t, storetest.Options{Now: clock}),
	} {
		registryFixture(t, s)
		for _, path := range days {
			sum := ingestFile(t, s, path, ingest.Options{FullReport: true, BatchSize: 4})
			results[i].summaries = append(results[i].summaries, fmt.Sprintf("%s: rows %d new %d updated %d resolved %d ties %d",
				sum.Source, sum.Rows, sum.FindingsNew, sum.FindingsUpdated, sum.FindingsResolved, sum.Ties))
		}
		results[i].findings, results[i].events = readState(t, s)
	}
	sq, pg := results[0], results[1]
	if len(sq.findings) == 0 || len(sq.events) <= len(sq.findings) {
		t.Fatalf("SQLite kept %d findings with %d events: the days should make more", len(sq.findings), len(sq.events))
	}
	for _, kind := range []string{"new", "severity_up", "resolved", "reopened"} {
		if !slices.ContainsFunc(sq.events, func(e string) bool { return strings.Contains(e, " "+kind+" ") }) {
			t.Errorf("no %s event on SQLite: the days should make every kind", kind)
		}
	}
	if d := cmp.Diff(sq, pg, cmp.AllowUnexported(engineState{})); d != "" {
		t.Errorf("SQLite (-) and PostgreSQL (+) differ:\n%s", d)
	}
}

// engineState is what one engine kept of the days, engine-neutral: rows
// named by organisation, trigger and run names instead of ids, sorted.
type engineState struct {
	summaries, findings, events []string
}

// feedDays writes three reports made from the exchange sample: day 1 as
// is; day 2 its first ten rows a day later, each twice (the later copy
// first, with its severity raised to critical); day 3 the whole sample two
// days later.
func feedDays(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(exchange)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(raw), "\n"), "\n")
	dir := t.TempDir()
	stamp := regexp.MustCompile(`^"2025-06-01 [0-9:]+"`)
	day2 := lines[0]
	for _, l := range lines[1:11] {
		later := strings.Replace(stamp.ReplaceAllString(l, `"2025-06-02 23:59:59"`), `"high"`, `"critical"`, 1)
		day2 += later + strings.Replace(l, `"2025-06-01 `, `"2025-06-02 `, 1)
	}
	day3 := strings.ReplaceAll(string(raw), `"2025-06-01 `, `"2025-06-03 `)
	var paths []string
	for i, body := range []string{string(raw), day2, day3} {
		p := filepath.Join(dir, fmt.Sprintf("2025-06-0%d-scan_exchange-vigil_test-asn.csv", i+1))
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// readState reads every finding and every finding event of s.
func readState(t *testing.T, s *store.Store) (findings, events []string) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.Query(ctx, `SELECT o.name, t.name, f.type, f.report_type, f.key, f.ip, f.port, f.asn, f.hostname, f.cve, f.severity, f.class,
  f.status, f.first_seen, f.last_seen, f.seen_count, f.resolved_at, f.tie, f.evidence, COALESCE(r.source, ''), COALESCE(er.source, '')
FROM findings f JOIN orgs o ON o.id = f.org_id JOIN triggers t ON t.id = f.trigger_id
LEFT JOIN ingest_runs r ON r.id = f.last_run_id LEFT JOIN ingest_runs er ON er.id = f.evidence_run_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var org, trig, typ, rtype, key, ip, host, cve, class, status, evidence, run, evRun string
		var port, asn, sev, count int64
		var first, last time.Time
		var resolved sql.NullTime
		var tie bool
		if err := rows.Scan(&org, &trig, &typ, &rtype, &key, &ip, &port, &asn, &host, &cve, &sev, &class, &status, &first, &last, &count,
			&resolved, &tie, &evidence, &run, &evRun); err != nil {
			t.Fatal(err)
		}
		findings = append(findings, fmt.Sprintf("%s/%s/%s/%s: %s %s %d %d %q %q sev %d %s %s first %s last %s count %d resolved %s tie %v run %s evidence %s of %s",
			org, trig, typ, key, rtype, ip, port, asn, host, cve, sev, class, status, first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339),
			count, resolved.Time.UTC().Format(time.RFC3339), tie, filepath.Base(run), evidence, filepath.Base(evRun)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Events in id order per finding: the order among findings of one
	// batch is the engine's, the order of one finding's events is not.
	rows, err = s.Query(ctx, `SELECT o.name, f.type, f.key, e.kind, e.severity, e.at, COALESCE(r.source, '')
FROM finding_events e JOIN findings f ON f.id = e.finding_id JOIN orgs o ON o.id = e.org_id LEFT JOIN ingest_runs r ON r.id = e.run_id
ORDER BY e.finding_id, e.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var org, typ, key, kind, run string
		var sev int64
		var at time.Time
		if err := rows.Scan(&org, &typ, &key, &kind, &sev, &at, &run); err != nil {
			t.Fatal(err)
		}
		events = append(events, fmt.Sprintf("%s/%s/%s %s sev %d at %s run %s", org, typ, key, kind, sev, at.UTC().Format(time.RFC3339), filepath.Base(run)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(findings)
	slices.SortStableFunc(events, func(a, b string) int {
		return strings.Compare(a[:strings.IndexByte(a, ' ')], b[:strings.IndexByte(b, ' ')])
	})
	return findings, events
}
