// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestMultiNodeSplitIngest uploads one report (12,000 rows, 10,000
// findings of 100 organisations, every fifth finding seen twice at
// another time) to a single `vigil serve` node that ingests it whole, and
// to one of two nodes that split it in two parts (ingest.part_bytes), jobs
// the nodes claim one at a time each: the two runs leave the same findings
// (identity, seen count, first and last sighting, severity, evidence), the
// split run ends once, and every organisation's notice of it is composed
// and arrives once. It logs each setup's rows a second from upload to the
// run's end and the CPU time of every vigil process and of the PostgreSQL
// backends serving them (docs/operations.md).
func TestMultiNodeSplitIngest(t *testing.T) {
	skipUnlessNodes(t, "starts three vigil processes")
	const orgs, distinct, rows = 100, 10000, 12000
	dir := t.TempDir()
	orgsCSV := writeNodeOrgs(t, dir, "split", 2, orgs)
	var feed strings.Builder
	feed.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n")
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		id := i % distinct
		org, host, port := id%orgs, (id/orgs)%250+1, 443+id/(orgs*250) // distinct per id
		fmt.Fprintf(&feed, `"%s","critical","11.2.%d.%d","tcp",%d,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.%d","EXCH%02d",`+"\n",
			base.Add(time.Duration(i)*time.Second).Format(time.DateTime), org, host, port, i, i%100)
	}
	report := feed.String()
	const name = "2025-06-01-scan_exchange-split-asn.csv"

	one := runNodes(t, dir, "one", 1, 0, orgsCSV, name, report, false)
	two := runNodes(t, dir, "two", 2, int64(len(report))/2+1, orgsCSV, name, report, true)
	if len(one.findings) != distinct {
		t.Errorf("one node kept %d findings; want %d", len(one.findings), distinct)
	}
	if !slices.Equal(one.findings, two.findings) {
		for i := range min(len(one.findings), len(two.findings)) {
			if one.findings[i] != two.findings[i] {
				t.Fatalf("findings differ (one node %d, two nodes %d), first at %d:\n%s\n%s", len(one.findings), len(two.findings), i, one.findings[i], two.findings[i])
			}
		}
		t.Fatalf("one node kept %d findings, two nodes %d", len(one.findings), len(two.findings))
	}
	if two.parts != 2 {
		t.Errorf("the run of two nodes had %d parts; want 2", two.parts)
	}
	t.Logf("1 node, unsplit: %.0f rows/s (%.2fs); 2 nodes, 2 parts: %.0f rows/s (%.2fs), ratio %.2f",
		rows/one.seconds, one.seconds, rows/two.seconds, two.seconds, one.seconds/two.seconds)
	for _, r := range []nodesRun{one, two} {
		t.Logf("%s: vigil CPU %s (parts done per node %v); PostgreSQL backends' CPU at the run's end %.2fs", r.label, r.cpu, r.partsBy, r.pgCPU)
	}
}

// nodesRun is what one setup measured and kept.
type nodesRun struct {
	label    string
	findings []string
	parts    int
	seconds  float64
	cpu      string
	partsBy  []int
	pgCPU    float64
}

// runNodes starts n nodes on a fresh PostgreSQL schema with the given part
// size (0: no split), uploads report through the first and waits for its
// run to end; with notices it also waits until every organisation's
// notice has arrived at a sink and checks each arrived once. It stops the
// nodes and returns the findings and figures.
func runNodes(t *testing.T, dir, label string, n int, partBytes int64, orgsCSV, name, report string, notices bool) nodesRun {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	token := prepareNodeDB(t, dsn, orgsCSV)
	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	shared := filepath.Join(dir, label+"-shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	var nodes []*exec.Cmd
	var bases, logs []string
	for i := range n {
		addr := freeAddr(t)
		logName := filepath.Join(dir, fmt.Sprintf("%s-node%d.log", label, i))
		nodes = append(nodes, startNode(t, logName, splitNodeEnv(dsn, addr, sink.Addr(), dir, shared, partBytes)))
		bases = append(bases, "http://"+addr)
		logs = append(logs, logName)
	}
	for _, b := range bases {
		waitReady(t, b)
	}
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, bases[0]+"/api/v1/ingest/runs?name="+name, strings.NewReader(report))
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
	// The run ends when its last part does; bounded at five minutes.
	var parts int
	var finished bool
	for i := 0; i < 3000 && !finished; i++ {
		if err := s.QueryRow(ctx, `SELECT parts, finished_at IS NOT NULL FROM ingest_runs ORDER BY id DESC LIMIT 1`).Scan(&parts, &finished); err != nil {
			t.Fatal(err)
		}
		if !finished {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !finished {
		t.Fatalf("%s: the run did not end: %s", label, body)
	}
	r := nodesRun{label: label, parts: parts, seconds: time.Since(start).Seconds()}
	r.pgCPU = backendCPU(t, s)
	for i, cmd := range nodes {
		r.cpu += fmt.Sprintf("node %d %.2fs at the run's end; ", i, procCPU(cmd.Process.Pid))
	}

	var withFindings int
	if err := s.QueryRow(ctx, `SELECT count(DISTINCT org_id) FROM findings`).Scan(&withFindings); err != nil {
		t.Fatal(err)
	}
	if notices {
		// The run's end enqueues composition at once; bounded at five
		// minutes.
		wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err := sink.Wait(wctx, withFindings)
		cancel()
		if err != nil {
			t.Fatalf("%s: %d of %d notices arrived: %v", label, sink.Count(), withFindings, err)
		}
	}
	for i, cmd := range nodes {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s node %d: %v", label, i, err)
		}
		st := cmd.ProcessState
		r.cpu += fmt.Sprintf("node %d %.2fs user + %.2fs system in all; ", i, st.UserTime().Seconds(), st.SystemTime().Seconds())
		b, _ := os.ReadFile(logs[i])
		r.partsBy = append(r.partsBy, strings.Count(string(b), "ingest part done"))
	}
	if notices {
		var immediate int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM notices WHERE kind = 'immediate'`).Scan(&immediate); err != nil {
			t.Fatal(err)
		}
		if immediate != withFindings || sink.Count() != withFindings {
			t.Errorf("%s: %d immediate notices and %d messages; want one each for the %d organisations with findings", label, immediate, sink.Count(), withFindings)
		}
		to := map[string]int{}
		for _, m := range sink.Messages() {
			for _, rc := range m.To {
				to[rc]++
			}
		}
		for rc, k := range to {
			if k != 1 {
				t.Errorf("%s: %s got %d messages; want 1", label, rc, k)
			}
		}
	}
	var runs int
	if err := s.QueryRow(ctx, `SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL`).Scan(&runs); err != nil || runs != 1 {
		t.Errorf("%s: %d finished runs (%v); want 1", label, runs, err)
	}
	r.findings = keptFindings(t, s)
	return r
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// splitNodeEnv is the environment of a `vigil serve` node of the split
// tests: the database, its address, the sink, immediate notices, the
// shared directory and the part size (0: no split).
func splitNodeEnv(dsn, addr, smtp, dir, shared string, partBytes int64) []string {
	return []string{"VIGIL_CONFIG=", "VIGIL_DB=" + dsn, "VIGIL_ADDR=" + addr, "VIGIL_BASE_URL=http://" + addr,
		"VIGIL_SMTP_URL=smtp://" + smtp + "?starttls=none", "VIGIL_NOTIFY_DEFAULT_MODE=immediate",
		"VIGIL_KEYS=" + filepath.Join(dir, "keys"), "VIGIL_INGEST_SHARED_DIR=" + shared, "VIGIL_DRAIN=0s",
		"VIGIL_INGEST_PART_BYTES=" + strconv.FormatInt(partBytes, 10)}
}

// startNode starts `vigil serve` with env on top of the test's, writing
// its log to logName; the node is killed at the test's end if it still
// runs, and its log shown if the test failed.
func startNode(t *testing.T, logName string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(append(os.Environ(), childEnv+"=1"), env...)
	logf, err := os.Create(logName)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logName)
			t.Logf("%s:\n%s", filepath.Base(logName), b)
		}
	})
	return cmd
}

// keptFindings returns every finding of the database as a line (the
// organisation's name, type, key, severity, status, first and last
// sighting, seen count, evidence), in that order.
func keptFindings(t *testing.T, s *store.Store) []string {
	t.Helper()
	rows, err := s.Query(context.Background(), `SELECT o.name, f.type, f.key, f.severity, f.status, f.first_seen, f.last_seen, f.seen_count, f.evidence
FROM findings f JOIN orgs o ON o.id = f.org_id ORDER BY o.name, f.type, f.key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var org, typ, key, status, evidence string
		var sev, count int64
		var first, last time.Time
		if err := rows.Scan(&org, &typ, &key, &sev, &status, &first, &last, &count, &evidence); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%s/%s sev %d %s first %s last %s count %d evidence %s", org, typ, key, sev, status,
			first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339), count, evidence))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// statFields reads a process's user and system CPU ticks from
// /proc/<pid>/stat (fields 14 and 15, after the command in parentheses).
var statFields = regexp.MustCompile(`\) \S+(?: \S+){10} (\d+) (\d+)`)

// backendCPU sums the CPU seconds of the PostgreSQL backends connected to
// s's database (the nodes' and the test's), read from /proc: PostgreSQL
// runs on this machine. It returns 0 where /proc cannot be read.
func backendCPU(t *testing.T, s *store.Store) float64 {
	t.Helper()
	rows, err := s.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var sum float64
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		sum += procCPU(pid)
	}
	return sum
}

// procCPU returns the user and system CPU seconds of process pid so far,
// from /proc/<pid>/stat (0 when it cannot be read).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	m := statFields.FindStringSubmatch(string(b))
	if m == nil {
		return 0
	}
	u, _ := strconv.ParseInt(m[1], 10, 64)
	k, _ := strconv.ParseInt(m[2], 10, 64)
	return float64(u+k) / 100 // USER_HZ
}
