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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// childEnv makes the test binary run vigil's main instead of the tests, so
// that a test can start real vigil processes (TestMain).
const childEnv = "VIGIL_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestMultiNodeExactlyOnce starts three `vigil serve` processes on loopback
// against one PostgreSQL database, at the size of the scale-out issue:
// 5,000 organisations, a report of 100,000 findings (20 per organisation)
// uploaded through one node and split in three parts (ingest.part_bytes)
// that the nodes ingest as jobs of one run. The immediate policy groups an
// organisation's findings of a run into one notice, so the run makes 5,000
// notices, composed and delivered by whichever node claims the jobs, to a
// counting SMTP sink: every outbox row arrives exactly once (by the
// delivery key in its Message-ID), every recipient gets exactly its one
// message, and nothing else arrives, also after the nodes have stopped. It
// logs the time of the ingest and of the delivery.
func TestMultiNodeExactlyOnce(t *testing.T) {
	skipUnlessNodes(t, "starts three vigil processes")
	const orgs, perOrg, nodeCount = 5000, 20, 3
	began := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := storetest.PostgresDSN(t)
	orgsCSV := writeNodeOrgs(t, dir, "org", 1, orgs)
	token := prepareNodeDB(t, dsn, orgsCSV)
	// A report in the form of testdata/notify's Shadowserver sample: 20
	// addresses in every organisation's range.
	var feed strings.Builder
	feed.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n")
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range orgs {
		for j := range perOrg {
			fmt.Fprintf(&feed, `"%s","critical","%s.%d","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH%02d",`+"\n",
				day.Add(time.Duration(i*perOrg+j)*time.Second).Format(time.DateTime), nodeRange(1, i), j+1, j)
		}
	}
	report := feed.String()

	// The sink counts what arrives per delivery key and per recipient.
	var mu sync.Mutex
	byKey, byTo := map[string]int{}, map[string]int{}
	sink, err := smtpsink.Start(smtpsink.Options{CountOnly: true, Data: func(m smtpsink.Message) error {
		key := ""
		if msg, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
			key = notify.DeliveryKey(msg.Header.Get("Message-Id"))
		}
		mu.Lock()
		defer mu.Unlock()
		byKey[key]++
		for _, r := range m.To {
			byTo[r]++
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	var nodes []*exec.Cmd
	var bases, logs []string
	for n := range nodeCount {
		addr := freeAddr(t)
		logName := filepath.Join(dir, fmt.Sprintf("node%d.log", n))
		nodes = append(nodes, startNode(t, logName, splitNodeEnv(dsn, addr, sink.Addr(), dir, shared, int64(len(report))/nodeCount+1)))
		bases, logs = append(bases, "http://"+addr), append(logs, logName)
	}
	for _, base := range bases {
		waitReady(t, base)
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, bases[1]+"/api/v1/ingest/runs?name=2025-06-01-scan_exchange-multinode-asn.csv", strings.NewReader(report))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d %s", resp.StatusCode, body)
	}
	// The run ends when its last part does; bounded at five minutes.
	var parts int
	var fNew int64
	var finished bool
	for deadline := time.Now().Add(5 * time.Minute); !finished && time.Now().Before(deadline); {
		if err := s.QueryRow(ctx, `SELECT parts, findings_new, finished_at IS NOT NULL FROM ingest_runs ORDER BY id DESC LIMIT 1`).Scan(&parts, &fNew, &finished); err != nil {
			t.Fatal(err)
		}
		if !finished {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !finished {
		t.Fatalf("the run did not end in five minutes: %s", body)
	}
	ingested := time.Since(start)
	if parts != nodeCount || fNew != orgs*perOrg {
		t.Errorf("the run had %d parts and %d new findings; want %d and %d", parts, fNew, nodeCount, orgs*perOrg)
	}

	// The run's end enqueues composition at once; every notice is
	// composed and arrives within eight minutes (three on a quiet
	// machine), and then nothing is left to send (one more).
	composedIn := time.Duration(0)
	for deadline := time.Now().Add(8 * time.Minute); sink.Count() < orgs; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notices arrived in eight minutes (composed in %s)", sink.Count(), orgs, composedIn)
		}
		if composedIn == 0 {
			var n int
			if err := s.QueryRow(ctx, `SELECT count(*) FROM notices WHERE kind = 'immediate'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n >= orgs {
				composedIn = time.Since(start) - ingested
			}
		}
	}
	delivered := time.Since(start) - ingested
	if composedIn == 0 { // all arrived before a look at the notices
		composedIn = delivered
	}
	pending := func() int {
		var n int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE state <> 'sent'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(time.Minute); pending() > 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	// Stop every node (SIGTERM: a graceful stop): nothing can be sent
	// after this, so the sink's counts are final.
	partsBy := make([]int, nodeCount)
	for n, cmd := range nodes {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("node %d: %v", n, err)
		}
		b, _ := os.ReadFile(logs[n])
		partsBy[n] = strings.Count(string(b), "ingest part done")
	}

	var notices, noticeOrgs int
	if err := s.QueryRow(ctx, `SELECT count(*), count(DISTINCT org_id) FROM notices WHERE kind = 'immediate'`).Scan(&notices, &noticeOrgs); err != nil {
		t.Fatal(err)
	}
	if notices != orgs || noticeOrgs != orgs {
		t.Errorf("%d immediate notices for %d organisations; want one for each of the %d", notices, noticeOrgs, orgs)
	}
	if n := pending(); n != 0 {
		t.Errorf("%d outbox rows not sent", n)
	}
	// Every e-mail row of the outbox arrived exactly once, to its
	// recipient, and nothing else arrived.
	rows, err := s.Query(ctx, `SELECT o.idem_key, o.recipient, o.notice_id FROM outbox o WHERE o.channel = 'email' ORDER BY o.id`)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want, perNotice := map[string]int{}, map[int64]int{}
	for rows.Next() {
		var key, to string
		var notice int64
		if err := rows.Scan(&key, &to, &notice); err != nil {
			t.Fatal(err)
		}
		if byKey[key] != 1 {
			t.Errorf("delivery %s (notice %d to %s) arrived %d times; want exactly once", key, notice, to, byKey[key])
		}
		delete(byKey, key)
		want[to]++
		perNotice[notice]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(perNotice) != orgs {
		t.Errorf("e-mail rows for %d notices; want %d", len(perNotice), orgs)
	}
	for key, n := range byKey {
		t.Errorf("%d messages with delivery key %q that is no outbox row", n, key)
	}
	for i := range orgs {
		if r := fmt.Sprintf("soc@org%d.example", i); want[r] != 1 || byTo[r] != 1 {
			t.Errorf("%s: %d outbox rows, %d messages; want 1 and 1", r, want[r], byTo[r])
		}
	}
	t.Logf("%d rows, %d findings, %d organisations, %d nodes (parts ingested per node %v): ingest %.1fs (%.0f rows/s); %d notices composed %.1fs after the run's end, all arrived after %.1fs (%.0f messages/s); test %s",
		orgs*perOrg, fNew, orgs, nodeCount, partsBy, ingested.Seconds(), float64(orgs*perOrg)/ingested.Seconds(), notices, composedIn.Seconds(), delivered.Seconds(),
		float64(sink.Count())/delivered.Seconds(), time.Since(began).Round(time.Millisecond))
}

// waitReady polls base's /readyz until it answers 200, bounded at 60 s.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for i := 0; i < 600; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never became ready", base)
}

// skipUnlessNodes skips a test that starts `vigil serve` processes on one
// PostgreSQL database when VIGIL_TEST_PG is not set, and with -short, saying
// why with what (what the test does).
func skipUnlessNodes(t *testing.T, what string) {
	t.Helper()
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip(storetest.EnvPG + " not set: several nodes need PostgreSQL")
	}
	if testing.Short() {
		t.Skip(what)
	}
}

// prepareNodeDB readies the database dsn for a test's nodes with the vigil
// commands an operator runs: it imports the organisations of orgsCSV,
// ingests each earlier report file in order, and returns a new operator
// token, trimmed, for the nodes' API.
func prepareNodeDB(t *testing.T, dsn, orgsCSV string, earlier ...string) string {
	t.Helper()
	if out, errOut, code := cli(t, dsn, "", "org", "import", orgsCSV); code != 0 {
		t.Fatalf("org import: %d\n%s%s", code, out, errOut)
	}
	for _, f := range earlier {
		if out, errOut, code := cli(t, dsn, "", "ingest", "feed", f); code != 0 {
			t.Fatalf("ingest feed: %d\n%s%s", code, out, errOut)
		}
	}
	token, _, code := cli(t, dsn, "", "token", "create")
	if code != 0 {
		t.Fatal("token create")
	}
	return strings.TrimSpace(token)
}

// writeNodeOrgs writes dir/orgs.csv for `vigil org import`: n energy
// organisations named after prefix, organisation i with the domain
// <prefix>i.example, the range nodeRange(octet, i) and the contact
// soc@<prefix>i.example. It returns the file's path.
func writeNodeOrgs(t *testing.T, dir, prefix string, octet, n int) string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("name,sector,country,languages,domains,cidrs,asns,emails\n")
	for i := range n {
		fmt.Fprintf(&csv, "%s org %d,energy,NL,nl,%s%d.example,%s.0/24,,soc@%s%d.example\n", prefix, i, prefix, i, nodeRange(octet, i), prefix, i)
	}
	f := filepath.Join(dir, "orgs.csv")
	if err := os.WriteFile(f, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// nodeRange is the first three octets of organisation i's /24 in
// writeNodeOrgs: 11.<octet>.i for the first 256, the next 256 in
// 11.<octet+1>, and so on.
func nodeRange(octet, i int) string {
	return fmt.Sprintf("11.%d.%d", octet+i/256, i%256)
}
