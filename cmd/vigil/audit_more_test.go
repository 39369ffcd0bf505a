// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/probe"
	"vigil/internal/probe/fakedevice"
	"vigil/internal/store"
)

// auditExempt are the commands that are neither readers nor write to the
// database --db names, each with the reason; TestCommandsAudited runs
// none of them. An addition here needs a review: a command that changes
// stored data belongs in auditSteps.
var auditExempt = map[string]string{
	"version":           "prints the version; opens no database",
	"catalogue":         "prints the embedded provision catalogue; opens no database",
	"csaf validate":     "checks CSAF files against the standard; opens no database",
	"csaf ranges":       "lists the version ranges of CSAF files; opens no database",
	"securitytxt check": "checks a security.txt file or site; opens no database",
	"label rules":       "prints the grading rule; opens no database",
	"label verify":      "verifies a label document against keys and the registry; writes nothing",
	"mail dkim check":   "asks DNS whether the published record matches the key; writes nothing",
	"demo":              "makes and serves its own database in --dir (recreated), never the one --db names",
	"assess template":   "writes an answers file to fill in offline; changes no stored data",
	"label keys list":   "lists the public signing keys; changes nothing",
	"mail dkim record":  "prints the DNS record of the DKIM key; changes nothing",
	"mail openpgp key":  "prints the OpenPGP public key; changes nothing",
}

// auditEnv is what the steps of auditSteps refer to: a directory for
// files, the label key directory, loopback fakes and values known only
// once earlier steps ran.
type auditEnv struct {
	dir, keys string
	rdap      string // URL of a loopback RDAP and bootstrap server
	boot      string // directory of bootstrap files naming it
	probePort string // a weak fake device's telnet port on 127.0.0.1
	vars      map[string]string
}

// auditStep is one valid invocation; before runs first (to learn a value
// or arrange state only a fault would leave).
type auditStep struct {
	args   []string
	stdin  string
	before func(t *testing.T, db string, e *auditEnv)
	// sqliteOnly, when set, says why the command runs only on SQLite.
	sqliteOnly string
}

func td2(parts ...string) string { return filepath.Join(append([]string{"testdata"}, parts...)...) }

// auditSteps are the valid invocations run after auditRuns, in order, on
// the same database; $NAME in an argument is e.vars[NAME].
func auditSteps(e *auditEnv) []auditStep {
	k := []string{"--keys", e.keys}
	with := func(args ...string) auditStep { return auditStep{args: append(args, k...)} }
	s := func(args ...string) auditStep { return auditStep{args: args} }
	ev := func(name string) string { return td2("assess", "evidence", name) }
	return []auditStep{
		s("db", "migrate"),
		s("org", "add", "Hotel Grachtenzicht", "--cidr", "192.0.2.0/28", "--cidr", "127.0.0.0/24", "--email", "soc@hotel.example"),
		s("asset", "verify", "Hotel Grachtenzicht", "$ASSET", "--manual", "signed letter"),
		s("device", "add", "Hotel Grachtenzicht", "--vendor", "Lumen Labs", "--model", "LumiCam Indoor 2", "--firmware", "3.4.1"),
		with("assess", "start", "$DEVICE"),
		with("assess", "start", "--vendor", "Voltaro", "--model", "SmartPlug Mini WP-10"),
		with("assess", "answer", "$ASSESSMENT", td2("assess", "answers-good.yaml")),
		with("assess", "evidence", "$ASSESSMENT", ev("conformance-statement.md"), ev("disclosure-policy.md"), ev("pentest-summary.md"), ev("security.txt"), ev("support-period.md")),
		with("assess", "submit", "$ASSESSMENT"),
		with("assess", "review", "$ASSESSMENT", "--approve", "--reviewer", "rev"),
		with("label", "issue", "$ASSESSMENT", "-o", filepath.Join(e.dir, "label.json")),
		with("label", "keys", "rotate"),
		with("label", "recheck", "--reason", "KEV catalog 2026.11.20"),
		with("label", "revoke", "$LABEL", "--reason", "withdrawn by the maker"),
		with("probe", "127.0.0.1", "--port", e.probePort, "--budget", "20s", "--rate", "100", "--assessment", "$ASSESSMENT2"),
		s("system", "import", td2("system", "camera.yaml")),
		s("system", "assess", td2("system", "camera-risks.yaml")),
		s("system", "posture", td2("system", "posture.yaml")),
		s("system", "tests", td2("system", "pentest.yaml")),
		s("device", "sbom", "$DEVICE", td2("vuln", "infrasuite.cdx.json")),
		s("ingest", "asn", td2("routeviews-sample.pfx2as")),
		s("ingest", "nvd", td2("vuln", "CVE-2023-46604.json")),
		s("ingest", "osv", td2("vuln", "GHSA-jfh8-c2jp-5v3q.json")),
		s("ingest", "cve5", td2("vuln", "CVE-2023-21406.json")),
		s("ingest", "csaf", td2("vuln", "icsa-23-206-01.json")),
		s("ingest", "kev", td2("vuln", "kev-crossref.json")),
		s("ingest", "epss", td2("vuln", "epss_scores-sample.csv")),
		s("org", "add", "Ziekenhuis Midden", "--cidr", "198.51.100.0/25", "--email", "soc@ziekenhuis.example", "--notify", "immediate"),
		s("ingest", "feed", td2("notify", "2025-06-01-scan_exchange-vigil_test-asn.csv")),
		s("notify", "run", "--smtp-url", "sink:"),
		{args: []string{"notify", "resolve", "$OUTBOX", "--sent"}, before: unknownDelivery},
		{args: []string{"source", "add", "drop", "--kind", "dir", "--url", filepath.Join(e.dir, "drop"), "--every", "10m"}, before: func(t *testing.T, _ string, e *auditEnv) {
			feed, err := os.ReadFile(td2("notify", "2025-06-01-scan_exchange-vigil_test-asn.csv"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(e.dir, "drop"), 0o700); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(e.dir, "drop", "2025-06-02-scan_exchange-vigil_test-asn.csv"), string(feed))
		}},
		s("source", "run", "drop"),
		{args: []string{"org", "import", filepath.Join(e.dir, "orgs.csv")}, before: func(t *testing.T, _ string, e *auditEnv) {
			writeFile(t, filepath.Join(e.dir, "orgs.csv"), "name,sector,country,languages,domains,cidrs,asns,emails,phones\nWaterschap Lage Landen,water,NL,nl,lage-landen.example,203.0.113.0/26,,soc@lage-landen.example,\n")
		}},
		s("user", "add", "p@hotel.example", "--org", "Hotel Grachtenzicht"),
		{args: []string{"user", "passwd", "p@hotel.example", "--password-stdin"}, stdin: "a long enough password\n"},
		s("user", "role", "p@hotel.example", "analyst"),
		s("user", "disable", "p@hotel.example"),
		s("user", "enable", "p@hotel.example"),
		s("user", "totp-reset", "p@hotel.example"),
		s("contact", "lookup", "62.239.237.1", "--bootstrap", e.boot, "--allow-private"),
		s("contact", "bootstrap", "--url", e.rdap+"/bootstrap/", "--allow-private"),
		s("privacy", "export", "--contact", "soc@hotel.example"),
		s("mail", "dkim", "init", "--keys", e.keys, "--from", "cert@cert.example"),
		s("mail", "openpgp", "init", "--keys", e.keys, "--from", "cert@cert.example"),
		{args: []string{"restore", "--force", filepath.Join(e.dir, "backup.db")}, sqliteOnly: "on PostgreSQL backup and restore only print the pg_dump and pg_restore commands (exit 2), writing nothing", before: func(t *testing.T, db string, e *auditEnv) {
			if _, errOut, code := cli(t, db, "", "backup", filepath.Join(e.dir, "backup.db")); code != 0 {
				t.Fatalf("backup: %s", errOut)
			}
		}},
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// unknownDelivery puts the first outbox row in state unknown, as a sender
// stopped mid-send leaves it, and names it $OUTBOX.
func unknownDelivery(t *testing.T, db string, e *auditEnv) {
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var id int64
	if err := st.QueryRow(context.Background(), `SELECT MIN(id) FROM outbox`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Exec(context.Background(), `UPDATE outbox SET state = 'unknown' WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	e.vars["OUTBOX"] = strconv.FormatInt(id, 10)
}

// newAuditEnv starts the loopback fakes the steps need.
func newAuditEnv(t *testing.T) *auditEnv {
	e := &auditEnv{dir: t.TempDir(), boot: t.TempDir(), vars: map[string]string{}}
	e.keys = filepath.Join(e.dir, "keys")
	dev, err := fakedevice.StartWeak(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	e.probePort = strconv.Itoa(dev.Port(probe.TCP, probe.Telnet)) + "/telnet"
	answer, err := os.ReadFile(td2("notify", "ripe-ip-62.239.237.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/bootstrap/"); ok {
			http.ServeFile(w, r, filepath.Join(e.boot, filepath.Base(name)))
			return
		}
		if r.URL.Path != "/rdap/ip/62.239.237.1" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write(answer)
	}))
	t.Cleanup(srv.Close)
	e.rdap = srv.URL
	for _, f := range [][3]string{{"ipv4.json", "test IPv4", `"62.0.0.0/8"`}, {"ipv6.json", "test IPv6", `"2001:600::/23"`},
		{"asn.json", "test ASN", `"3333-3333"`}, {"dns.json", "test DNS", `"example"`}} {
		writeFile(t, filepath.Join(e.boot, f[0]), fmt.Sprintf(`{"description":%q,"publication":"2026-01-01T00:00:00Z","version":"1.0","services":[[[%s],[%q]]]}`, f[1], f[2], srv.URL+"/rdap/"))
	}
	return e
}

// learn reads the ids later steps name from the output of a --json run of
// the step's command or from the database.
func (e *auditEnv) learn(t *testing.T, db string, args []string, out string) {
	var v struct {
		ID    json.Number `json:"id"`
		Label struct {
			ID string
		}
	}
	_ = json.Unmarshal([]byte(out), &v)
	path := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case path == "assess start" && e.vars["ASSESSMENT"] == "":
		e.vars["ASSESSMENT"] = strings.TrimSpace(out)
	case path == "assess start":
		e.vars["ASSESSMENT2"] = strings.TrimSpace(out)
	case path == "device add":
		e.vars["DEVICE"] = strings.TrimSpace(out)
	case path == "label issue":
		b, err := os.ReadFile(filepath.Join(e.dir, "label.json"))
		var l struct {
			ID string `json:"id"`
		}
		if err != nil || json.Unmarshal(b, &l) != nil || l.ID == "" {
			t.Fatalf("label issue wrote no label: %v %s", err, b)
		}
		e.vars["LABEL"] = l.ID
	case path == "org add" && args[2] == "Hotel Grachtenzicht":
		st, err := store.Open(context.Background(), db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var id int64
		if err := st.QueryRow(context.Background(), `SELECT MIN(a.id) FROM assets a JOIN orgs o ON o.id = a.org_id WHERE o.name = ? AND a.value = '127.0.0.0/24'`, args[2]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		e.vars["ASSET"] = strconv.FormatInt(id, 10)
	}
}

// expand replaces $NAME arguments by their values.
func (e *auditEnv) expand(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "$"); ok {
			a = e.vars[v]
		}
		out[i] = a
	}
	return out
}
