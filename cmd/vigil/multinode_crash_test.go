// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestMultiNodeSplitCrash kills a `vigil serve` node with SIGKILL in the
// middle of a part of a split ingest and restarts it: the part's job is
// taken back by the job queue's rescuer (ingest.part_timeout and
// jobs.rescue_after shortened to seconds) and resumes after its last
// committed batch, and the run ends with exactly what one node ingesting
// the same file without interruption keeps: every finding with the same
// seen count, first and last sighting, severity, status and evidence, none
// twice, the same finding events, the same resolution of the findings an
// earlier report listed and this one does not, the same run counters; the
// run ends once, and every e-mail composed arrives exactly once.
func TestMultiNodeSplitCrash(t *testing.T) {
	skipUnlessNodes(t, "starts and kills vigil processes")
	const orgs, distinct, rows = 100, 10000, 12000
	dir := t.TempDir()
	orgsCSV := writeNodeOrgs(t, dir, "crash", 4, orgs)
	const header = `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n"
	row := func(b *strings.Builder, at time.Time, org, host, port, i int) {
		fmt.Fprintf(b, `"%s","critical","11.4.%d.%d","tcp",%d,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.%d","EXCH%02d",`+"\n",
			at.Format(time.DateTime), org, host, port, i, i%100)
	}
	// The earlier report: per organisation one address the large report
	// lists again (seen in both runs) and one it does not (resolved when
	// the large run ends).
	var earlier strings.Builder
	earlier.WriteString(header)
	day := time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC)
	for i := range orgs {
		row(&earlier, day.Add(time.Duration(i)*time.Second), i, 1, 443, i)
		row(&earlier, day.Add(time.Duration(i)*time.Second), i, 251, 443, i)
	}
	earlierFile := filepath.Join(dir, "2025-05-31-scan_exchange-crash-asn.csv")
	if err := os.WriteFile(earlierFile, []byte(earlier.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var feed strings.Builder
	feed.WriteString(header)
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		id := i % distinct
		org, host, port := id%orgs, (id/orgs)%250+1, 443+id/(orgs*250) // distinct per id
		row(&feed, base.Add(time.Duration(i)*time.Second), org, host, port, i)
	}
	report := feed.String()
	const name = "2025-06-01-scan_exchange-crash-asn.csv"
	cfg := crashSplit{dir: dir, orgsCSV: orgsCSV, earlier: earlierFile, name: name, report: report, orgs: orgs}

	start := time.Now()
	one := cfg.run(t, "uninterrupted", 1, 0, false)
	killed := cfg.run(t, "killed", 2, int64(len(report))/2+1, true)
	t.Logf("both setups in %s", time.Since(start).Round(time.Millisecond))

	if len(one.findings) != distinct+orgs {
		t.Errorf("one node kept %d findings; want %d", len(one.findings), distinct+orgs)
	}
	if one.resolved != orgs {
		t.Errorf("the uninterrupted run resolved %d findings; want %d", one.resolved, orgs)
	}
	requireSameKept(t, one, killed)
	if killed.parts != 2 {
		t.Errorf("the killed setup's run had %d parts; want 2", killed.parts)
	}
}

// crashSplit is the data of TestMultiNodeSplitCrash.
type crashSplit struct {
	dir, orgsCSV, earlier, name, report string
	orgs                                int
}

// crashRun is what one setup kept.
type crashRun struct {
	findings, events []string
	counters         string
	resolved         int64
	parts            int
}

// requireSameKept ends the test unless the killed setup kept exactly what
// the uninterrupted one did: the same findings, finding events and run
// counters. It names the first line that differs.
func requireSameKept(t *testing.T, one, killed crashRun) {
	t.Helper()
	for _, c := range []struct {
		what        string
		one, killed []string
	}{
		{"findings", one.findings, killed.findings},
		{"finding events", one.events, killed.events},
		{"run counters", []string{one.counters}, []string{killed.counters}},
	} {
		if !slices.Equal(c.one, c.killed) {
			for i := range min(len(c.one), len(c.killed)) {
				if c.one[i] != c.killed[i] {
					t.Fatalf("%s differ (uninterrupted %d, killed %d), first at %d:\n%s\n%s", c.what, len(c.one), len(c.killed), i, c.one[i], c.killed[i])
				}
			}
			t.Fatalf("%s differ: the uninterrupted run kept %d, the killed one %d", c.what, len(c.one), len(c.killed))
		}
	}
}

// keptAfter returns what the database of a setup kept once the run of the
// report named source has ended and its nodes have stopped: the run's
// counters and how many findings it resolved, every finding
// (keptFindings) and the finding events (findingEvents).
func keptAfter(t *testing.T, s *store.Store, source string) crashRun {
	t.Helper()
	var r crashRun
	var rowsTotal, matched, unmatched, quarantined, fNew, fUpdated int64
	if err := s.QueryRow(context.Background(), `SELECT rows_total, matched, unmatched, quarantined, findings_new, findings_updated, findings_resolved FROM ingest_runs WHERE source = ?`, source).Scan(
		&rowsTotal, &matched, &unmatched, &quarantined, &fNew, &fUpdated, &r.resolved); err != nil {
		t.Fatal(err)
	}
	r.counters = fmt.Sprintf("rows %d matched %d unmatched %d quarantined %d new %d updated %d resolved %d", rowsTotal, matched, unmatched, quarantined, fNew, fUpdated, r.resolved)
	r.findings = keptFindings(t, s)
	r.events = findingEvents(t, s)
	return r
}

// partStarted is the log line of a part's attempt.
func partStarted(run int64, part, attempt int) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`msg="ingest part started" run=%d part=%d attempt=%d\b`, run, part, attempt))
}

// run ingests the earlier report with the CLI, starts n nodes on a fresh
// PostgreSQL schema with the given part size (0: no split) and uploads the
// report through the first. With kill it waits until a part has committed
// a batch and is not done, kills the node working it with SIGKILL and
// starts it again, and then waits for the run's end and for every e-mail
// composed to arrive and checks that each arrived once. It stops the nodes
// and returns what the database kept. Every wait is bounded.
func (c crashSplit) run(t *testing.T, label string, n int, partBytes int64, kill bool) crashRun {
	t.Helper()
	ctx, began := context.Background(), time.Now()
	dsn := storetest.PostgresDSN(t)
	token := prepareNodeDB(t, dsn, c.orgsCSV, c.earlier)
	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	shared := filepath.Join(c.dir, label+"-shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	// A part is taken for stuck 10 s after its attempt began (River's
	// rescuer looks every 30 s), and commits every 1,000 rows.
	fast := []string{"VIGIL_INGEST_PART_TIMEOUT=10s", "VIGIL_JOBS_RESCUE_AFTER=10s", "VIGIL_INGEST_BATCH_ROWS=1000"}
	type node struct {
		cmd       *exec.Cmd
		addr      string
		env, logs []string
	}
	nodes := make([]*node, n)
	for i := range nodes {
		addr := freeAddr(t)
		nd := &node{addr: addr, env: append(splitNodeEnv(dsn, addr, sink.Addr(), c.dir, shared, partBytes), fast...)}
		nd.logs = []string{filepath.Join(c.dir, fmt.Sprintf("%s-node%d.log", label, i))}
		nd.cmd = startNode(t, nd.logs[0], nd.env)
		nodes[i] = nd
		waitReady(t, "http://"+addr)
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	req, _ := http.NewRequest(http.MethodPost, "http://"+nodes[0].addr+"/api/v1/ingest/runs?name="+c.name, strings.NewReader(c.report))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: upload = %d %s", label, resp.StatusCode, body)
	}
	var runID int64
	if err := s.QueryRow(ctx, `SELECT max(id) FROM ingest_runs`).Scan(&runID); err != nil {
		t.Fatal(err)
	}

	afterKill := func() string { return "" }
	if kill {
		// Wait (bounded: two minutes) for a part that has committed a
		// batch and is not done, on a node that logged its start.
		var victim, part = -1, -1
		var line, findings int64
		for deadline := time.Now().Add(2 * time.Minute); victim < 0 && time.Now().Before(deadline); {
			rows, err := s.Query(ctx, `SELECT part, committed_line FROM ingest_run_parts WHERE run_id = ? AND committed_line > 0 AND done_at IS NULL ORDER BY part`, runID)
			if err != nil {
				t.Fatal(err)
			}
			var mid [][2]int64
			for rows.Next() {
				var p, l int64
				if err := rows.Scan(&p, &l); err != nil {
					t.Fatal(err)
				}
				mid = append(mid, [2]int64{p, l})
			}
			rows.Close()
			for _, m := range mid {
				for i, nd := range nodes {
					if b, _ := os.ReadFile(nd.logs[0]); partStarted(runID, int(m[0]), 1).Match(b) {
						victim, part, line = i, int(m[0]), m[1]
					}
				}
			}
			if victim < 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if victim < 0 {
			t.Fatalf("%s: no part was seen between its first batch and its end", label)
		}
		nd := nodes[victim]
		if err := nd.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = nd.cmd.Wait()
		killedAt := time.Now()
		var done bool
		if err := s.QueryRow(ctx, `SELECT done_at IS NOT NULL, committed_line FROM ingest_run_parts WHERE run_id = ? AND part = ?`, runID, part).Scan(&done, &line); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `SELECT count(*) FROM findings WHERE last_run_id = ?`, runID).Scan(&findings); err != nil {
			t.Fatal(err)
		}
		if done {
			t.Fatalf("%s: part %d ended before the kill reached node %d; nothing was interrupted", label, part, victim)
		}
		t.Logf("%s: killed node %d in part %d after its line %d (%d findings of the run committed)", label, victim, part, line, findings)
		nd.logs = append(nd.logs, filepath.Join(c.dir, fmt.Sprintf("%s-node%d-restarted.log", label, victim)))
		nd.cmd = startNode(t, nd.logs[1], nd.env)
		waitReady(t, "http://"+nd.addr)
		afterKill = func() string { return time.Since(killedAt).Round(time.Millisecond).String() }
		defer func() {
			// The interrupted part was tried again and resumed.
			again := false
			for _, nd := range nodes {
				for _, l := range nd.logs {
					if b, _ := os.ReadFile(l); partStarted(runID, part, 2).Match(b) {
						again = true
					}
				}
			}
			if !again {
				t.Errorf("%s: no node logged a second attempt at part %d", label, part)
			}
		}()
	}

	// The run ends when its last part does; bounded at three minutes (the
	// rescue of a killed part takes up to 10 s plus the rescuer's 30).
	var parts int
	var finished bool
	for deadline := time.Now().Add(3 * time.Minute); !finished && time.Now().Before(deadline); {
		if err := s.QueryRow(ctx, `SELECT parts, finished_at IS NOT NULL FROM ingest_runs WHERE id = ?`, runID).Scan(&parts, &finished); err != nil {
			t.Fatal(err)
		}
		if !finished {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !finished {
		t.Fatalf("%s: the run did not end: %s", label, body)
	}
	if kill {
		t.Logf("%s: the run ended %s after the kill", label, afterKill())
	}
	// Every e-mail composed arrives once: wait (bounded: two minutes) until
	// the run's notices are composed and nothing is left to send. (The
	// uninterrupted setup is the findings' oracle only.)
	var composed, open int
	for deadline := time.Now().Add(2 * time.Minute); kill && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := s.QueryRow(ctx, `SELECT count(*) FROM notices WHERE run_id = ? AND kind = 'immediate'`, runID).Scan(&composed); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE channel = 'email' AND state <> 'sent'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if composed == c.orgs && open == 0 {
			break
		}
	}
	if kill && (composed != c.orgs || open != 0) {
		t.Fatalf("%s: %d of %d notices of the run composed, %d e-mails not sent", label, composed, c.orgs, open)
	}
	for i, nd := range nodes {
		_ = nd.cmd.Process.Signal(syscall.SIGTERM)
		if err := nd.cmd.Wait(); err != nil {
			t.Errorf("%s node %d: %v", label, i, err)
		}
	}
	if kill {
		checkMailOnce(t, s, sink, label)
	}
	if partBytes > 0 {
		var jobs, completed int
		if err := s.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'completed') FROM river_job WHERE kind = 'ingest_part'`).Scan(&jobs, &completed); err != nil {
			t.Fatal(err)
		}
		if jobs != parts || completed != jobs {
			t.Errorf("%s: %d part jobs, %d of them completed, for %d parts", label, jobs, completed, parts)
		}
	}

	r := keptAfter(t, s, c.name)
	r.parts = parts
	var ended int
	if err := s.QueryRow(ctx, `SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL`).Scan(&ended); err != nil || ended != 2 {
		t.Errorf("%s: %d finished runs (%v); want 2 (the earlier report's and this one)", label, ended, err)
	}
	t.Logf("%s: %s; %d findings, %d notices of the run, %d e-mails; %s", label, r.counters, len(r.findings), composed, sink.Count(), time.Since(began).Round(time.Millisecond))
	return r
}

// checkMailOnce checks that every e-mail row of the outbox arrived at the
// sink exactly once (by the delivery key in its Message-ID) and that the
// sink got nothing else.
func checkMailOnce(t *testing.T, s *store.Store, sink *smtpsink.Sink, label string) {
	t.Helper()
	got := map[string]int{}
	for _, m := range sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("%s: a message the sink got: %v", label, err)
		}
		got[notify.DeliveryKey(msg.Header.Get("Message-Id"))]++
	}
	rows, err := s.Query(context.Background(), `SELECT idem_key FROM outbox WHERE channel = 'email'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := 0
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		want++
		if got[key] != 1 {
			t.Errorf("%s: delivery %s arrived %d times; want once", label, key, got[key])
		}
		delete(got, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 || want == 0 {
		t.Errorf("%s: %d e-mail rows; the sink also got %v", label, want, got)
	}
}
