// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
)

// TestSQLiteNodeIngestCrash kills the single `vigil serve` node of a SQLite
// installation (SIGKILL) in the middle of ingesting an uploaded report of
// 60,000 rows (20,000 findings, each listed three times at different
// times; a batch commits every 1,000 rows), restarts it and uploads the
// same file again: the run resumes after its last committed batch and ends
// with exactly what an uninterrupted node keeps from the same file — every
// finding with the same seen count, first and last sighting, severity,
// status and evidence, none twice, the same finding events, the same
// resolution of the findings an earlier report listed and this one does
// not, the same run counters.
func TestSQLiteNodeIngestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills vigil processes")
	}
	const orgs, distinct, rows = 100, 20000, 60000
	began := time.Now()
	dir := t.TempDir()
	orgsCSV := writeNodeOrgs(t, dir, "sqlite", 8, orgs)
	const header = `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n"
	row := func(b *strings.Builder, at time.Time, org, host, i int) {
		fmt.Fprintf(b, `"%s","critical","%s.%d","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.%d","EXCH%02d",`+"\n",
			at.Format(time.DateTime), nodeRange(8, org), host, i, i%100)
	}
	// The earlier report: per organisation one address the large report
	// lists again and one it does not (resolved when the large run ends).
	var earlier strings.Builder
	earlier.WriteString(header)
	day := time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC)
	for i := range orgs {
		row(&earlier, day.Add(time.Duration(i)*time.Second), i, 1, i)
		row(&earlier, day.Add(time.Duration(i)*time.Second), i, 251, i)
	}
	earlierFile := filepath.Join(dir, "2025-05-31-scan_exchange-sqlite-asn.csv")
	if err := os.WriteFile(earlierFile, []byte(earlier.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var feed strings.Builder
	feed.WriteString(header)
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		id := i % distinct
		row(&feed, base.Add(time.Duration(i)*time.Second), id%orgs, id/orgs+1, i) // 200 addresses per organisation
	}
	c := sqliteCrash{dir: dir, orgsCSV: orgsCSV, earlier: earlierFile, name: "2025-06-01-scan_exchange-sqlite-asn.csv", report: feed.String()}

	one := c.run(t, "uninterrupted", false)
	killed := c.run(t, "killed", true)
	if len(one.findings) != distinct+orgs {
		t.Errorf("the uninterrupted node kept %d findings; want %d", len(one.findings), distinct+orgs)
	}
	if one.resolved != orgs {
		t.Errorf("the uninterrupted run resolved %d findings; want %d", one.resolved, orgs)
	}
	requireSameKept(t, one, killed)
	t.Logf("both setups in %s", time.Since(began).Round(time.Millisecond))
}

// sqliteCrash is the data of TestSQLiteNodeIngestCrash.
type sqliteCrash struct {
	dir, orgsCSV, earlier, name, report string
}

// run makes a SQLite database with the organisations and the earlier
// report, starts one `vigil serve` node on it and uploads the report. With
// kill it waits until the run has committed half of the file and not
// ended, kills
// the node with SIGKILL, checks that the run stopped half-way, restarts the
// node and uploads the same file again, which must resume. It stops the
// node and returns what the database kept. Every wait is bounded.
func (c sqliteCrash) run(t *testing.T, label string, kill bool) crashRun {
	t.Helper()
	ctx, began := context.Background(), time.Now()
	dsn := "sqlite:" + filepath.Join(c.dir, label+".db")
	token := prepareNodeDB(t, dsn, c.orgsCSV, c.earlier)
	sink, err := smtpsink.Start(smtpsink.Options{CountOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	addr := freeAddr(t)
	env := append(splitNodeEnv(dsn, addr, sink.Addr(), c.dir, "", 0), "VIGIL_INGEST_BATCH_ROWS=1000")
	cmd := startNode(t, filepath.Join(c.dir, label+"-node.log"), env)
	waitReady(t, "http://"+addr)
	upload := func() (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/ingest/runs?name="+c.name, strings.NewReader(c.report))
		req.Header.Set("Authorization", "Bearer "+token)
		cl := http.Client{Timeout: 5 * time.Minute}
		resp, err := cl.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	if !kill {
		if code, body, err := upload(); err != nil || code != http.StatusOK || strings.Contains(body, `"resumed"`) {
			t.Fatalf("%s: upload = %d %s (%v)", label, code, body, err)
		}
	} else {
		type result struct {
			code int
			body string
			err  error
		}
		first := make(chan result, 1)
		go func() {
			code, body, err := upload()
			first <- result{code, body, err}
		}()
		// Wait (bounded: two minutes) for the run to commit half of
		// the file and not have ended, and kill the node.
		var line, runID int64
		half := int64(strings.Count(c.report, "\n")) / 2
		for deadline := time.Now().Add(2 * time.Minute); line < half; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the run never committed half of the file (line %d)", label, line)
			}
			err := s.QueryRow(ctx, `SELECT id, committed_line FROM ingest_runs WHERE source = ? AND finished_at IS NULL`, c.name).Scan(&runID, &line)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				t.Fatal(err)
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if r := <-first; r.err == nil {
			t.Fatalf("%s: the upload to the killed node answered %d %s", label, r.code, r.body)
		}
		var finished bool
		var findings int64
		if err := s.QueryRow(ctx, `SELECT finished_at IS NOT NULL, committed_line FROM ingest_runs WHERE id = ?`, runID).Scan(&finished, &line); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `SELECT count(*) FROM findings WHERE last_run_id = ?`, runID).Scan(&findings); err != nil {
			t.Fatal(err)
		}
		if finished || line >= int64(strings.Count(c.report, "\n")) {
			t.Fatalf("%s: the run ended (%v, line %d) before the kill; nothing was interrupted", label, finished, line)
		}
		t.Logf("%s: killed the node after line %d of the run was committed (%d findings of the run)", label, line, findings)
		cmd = startNode(t, filepath.Join(c.dir, label+"-node-restarted.log"), env)
		waitReady(t, "http://"+addr)
		code, body, err := upload()
		if err != nil || code != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"resumed_at_line":%d`, line+1)) {
			t.Fatalf("%s: the upload after the restart = %d %s (%v); want it resumed at line %d", label, code, body, err, line+1)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("%s: node: %v", label, err)
	}

	r := keptAfter(t, s, c.name)
	var runs, ended, dup int
	if err := s.QueryRow(ctx, `SELECT count(*), count(finished_at) FROM ingest_runs`).Scan(&runs, &ended); err != nil || runs != 2 || ended != 2 {
		t.Errorf("%s: %d runs, %d finished (%v); want 2 and 2 (the earlier report's and this one, resumed)", label, runs, ended, err)
	}
	if err := s.QueryRow(ctx, `SELECT count(*) FROM (SELECT org_id, type, key FROM findings GROUP BY org_id, type, key HAVING count(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
		t.Errorf("%s: %d findings kept twice (%v)", label, dup, err)
	}
	t.Logf("%s: %s; %d findings; %s", label, r.counters, len(r.findings), time.Since(began).Round(time.Millisecond))
	return r
}

// findingEvents returns the finding events of the database counted per
// finding (organisation, type, key) and kind, one line each, in that
// order.
func findingEvents(t *testing.T, s *store.Store) []string {
	t.Helper()
	evs, err := s.Query(context.Background(), `SELECT o.name, f.type, f.key, e.kind, count(*) FROM finding_events e JOIN findings f ON f.id = e.finding_id
JOIN orgs o ON o.id = f.org_id GROUP BY o.name, f.type, f.key, e.kind ORDER BY o.name, f.type, f.key, e.kind`)
	if err != nil {
		t.Fatal(err)
	}
	defer evs.Close()
	var out []string
	for evs.Next() {
		var org, typ, key, kind string
		var k int64
		if err := evs.Scan(&org, &typ, &key, &kind, &k); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%s/%s %s ×%d", org, typ, key, kind, k))
	}
	if err := evs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
