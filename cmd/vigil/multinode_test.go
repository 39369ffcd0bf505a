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
	"strings"
	"syscall"
	"testing"
	"time"

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
// against one PostgreSQL database, uploads a report through one of them and
// lets the nodes compose and deliver (River: the sweep on the leader, the
// deliveries on whichever node claims them) to a counting SMTP sink: every
// organisation with findings gets its one notice, and every notice arrives
// exactly once, also after the nodes have stopped.
func TestMultiNodeExactlyOnce(t *testing.T) {
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip(storetest.EnvPG + " not set: several nodes need PostgreSQL")
	}
	if testing.Short() {
		t.Skip("starts three vigil processes")
	}
	const orgs, perOrg = 40, 5
	dir := t.TempDir()
	dsn := storetest.PostgresDSN(t)
	orgsCSV := writeNodeOrgs(t, dir, "org", 1, orgs)
	if out, errOut, code := cli(t, dsn, "", "org", "import", orgsCSV); code != 0 {
		t.Fatalf("org import: %d\n%s%s", code, out, errOut)
	}
	token, _, code := cli(t, dsn, "", "token", "create")
	if code != 0 {
		t.Fatal("token create")
	}
	// A report in the form of testdata/notify's Shadowserver sample.
	var feed strings.Builder
	feed.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n")
	for i := range orgs {
		for j := range perOrg {
			fmt.Fprintf(&feed, `"2025-06-01 0%d:00:00","critical","11.1.%d.%d","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH%02d",`+"\n", j, i, j+1, j)
		}
	}

	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	var nodes []*exec.Cmd
	var bases []string
	for n := range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(os.Args[0], "serve")
		cmd.Env = append(os.Environ(), childEnv+"=1", "VIGIL_DB="+dsn, "VIGIL_ADDR="+addr, "VIGIL_BASE_URL=http://"+addr,
			"VIGIL_SMTP_URL=smtp://"+sink.Addr()+"?starttls=none", "VIGIL_NOTIFY_DEFAULT_MODE=immediate",
			"VIGIL_KEYS="+filepath.Join(dir, "keys"))
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("node%d.log", n)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, cmd)
		bases = append(bases, "http://"+addr)
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}
			logf.Close()
			if t.Failed() {
				b, _ := os.ReadFile(logf.Name())
				t.Logf("node %d log:\n%s", n, b)
			}
		})
	}
	for _, base := range bases {
		waitReady(t, base)
	}
	req, _ := http.NewRequest(http.MethodPost, bases[1]+"/api/v1/ingest/runs?name=2025-06-01-scan_exchange-multinode-asn.csv", strings.NewReader(feed.String()))
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"findings_new":%d`, orgs*perOrg)) {
		t.Fatalf("upload = %d %s", resp.StatusCode, body)
	}

	// The sweep runs every 30 s on the leader; bounded at five minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := sink.Wait(ctx, orgs); err != nil {
		t.Fatalf("%d of %d notices arrived: %v", sink.Count(), orgs, err)
	}
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pending := func() int {
		var n int
		if err := s.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE state <> 'sent'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := 0; i < 600 && pending() > 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	// Stop every node (SIGTERM: a graceful stop): nothing can be sent
	// after this, so the sink's count is final.
	for n, cmd := range nodes {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("node %d: %v", n, err)
		}
	}
	var tickets []string
	rows, err := s.Query(context.Background(), `SELECT ticket FROM notices WHERE kind = 'immediate'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tk string
		if err := rows.Scan(&tk); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	rows.Close()
	if len(tickets) != orgs {
		t.Errorf("%d immediate notices; want one per organisation (%d)", len(tickets), orgs)
	}
	if n := pending(); n != 0 {
		t.Errorf("%d outbox rows not sent", n)
	}
	got := map[string]int{}
	to := map[string]int{}
	ticketRE := regexp.MustCompile(`VGL-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	for _, m := range sink.Messages() {
		tk := ticketRE.FindString(string(m.Data))
		got[tk]++
		for _, r := range m.To {
			to[r]++
		}
	}
	for _, tk := range tickets {
		if got[tk] != 1 {
			t.Errorf("notice %s arrived %d times; want exactly once", tk, got[tk])
		}
		delete(got, tk)
	}
	for tk, n := range got {
		t.Errorf("%d messages with ticket %q that is no immediate notice", n, tk)
	}
	for i := range orgs {
		if r := fmt.Sprintf("soc@org%d.example", i); to[r] != 1 {
			t.Errorf("%s got %d messages; want 1", r, to[r])
		}
	}
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

// writeNodeOrgs writes dir/orgs.csv for `vigil org import`: n energy
// organisations named after prefix, organisation i with the domain
// <prefix>i.example, the range 11.<octet>.i.0/24 and the contact
// soc@<prefix>i.example. It returns the file's path.
func writeNodeOrgs(t *testing.T, dir, prefix string, octet, n int) string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("name,sector,country,languages,domains,cidrs,asns,emails\n")
	for i := range n {
		fmt.Fprintf(&csv, "%s org %d,energy,NL,nl,%s%d.example,11.%d.%d.0/24,,soc@%s%d.example\n", prefix, i, prefix, i, octet, i, prefix, i)
	}
	f := filepath.Join(dir, "orgs.csv")
	if err := os.WriteFile(f, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}
