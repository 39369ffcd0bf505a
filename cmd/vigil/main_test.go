// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/store/storetest"
)

// cli runs vigil with args against db and returns stdout, stderr and the exit
// status main would use.
func cli(t *testing.T, db string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"--db", db}, args...)
	cfg, err := config.Load(args)
	if err == nil {
		err = run(context.Background(), cfg, args, strings.NewReader(stdin), &out, &errb)
	}
	code := exitCode(err, &errb)
	return out.String(), errb.String(), code
}

// runner returns a function that runs vigil against db and fails the test
// unless it exits with wantCode and prints want (stdout or stderr); it
// returns stdout.
func runner(t *testing.T, db string) func(wantCode int, want string, args ...string) string {
	return func(wantCode int, want string, args ...string) string {
		t.Helper()
		out, errOut, code := cli(t, db, "", args...)
		if code != wantCode || !strings.Contains(out+errOut, want) {
			t.Fatalf("vigil %s = %d\nstdout: %s\nstderr: %s\nwant %d and %q", strings.Join(args, " "), code, out, errOut, wantCode, want)
		}
		return out
	}
}

// dbs returns the databases CLI tests run against: SQLite always, PostgreSQL
// when VIGIL_TEST_PG is set (a fresh schema per call).
func dbs(t *testing.T) map[string]string {
	m := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "cli.db")}
	if os.Getenv(storetest.EnvPG) != "" {
		m["postgres"] = storetest.PostgresDSN(t)
	}
	return m
}

func TestCLIRegistry(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := cli(t, db, "", "org", "add", "Energie Noord", "--domain", "energie-noord.example", "--cidr", "192.0.2.0/26", "--asn", "AS64500", "--email", "soc@energie-noord.example", "--lang", "nl")
			if code != 0 || strings.TrimSpace(out) != "1" {
				t.Fatalf("org add = %q %q %d", out, errOut, code)
			}
			out, _, code = cli(t, db, "", "--json", "org", "add", "Hosting BV", "--cidr", "192.0.2.0/24")
			var o struct {
				ID     int64
				Assets []struct{ Value string }
			}
			if code != 0 || json.Unmarshal([]byte(out), &o) != nil || o.ID != 2 || o.Assets[0].Value != "192.0.2.0/24" {
				t.Fatalf("org add --json = %q, %d", out, code)
			}
			steps := []struct {
				args []string
				want string
			}{
				{[]string{"asset", "add", "Energie Noord", "2001:db8::/48"}, "5"},
				{[]string{"asset", "list", "--org", "1"}, "2001:db8::/48"},
				{[]string{"asset", "overlaps"}, "192.0.2.0/24  2 Hosting BV  192.0.2.0/26  1 Energie Noord"},
				{[]string{"asset", "verify", "1", "3", "--manual", "RIR contact confirmed by telephone"}, "verified by manual"},
				{[]string{"asset", "token", "1"}, "_vigil-verify.energie-noord.example"},
				{[]string{"contact", "add", "1", "--phone", "+31 50 123 4567", "--role", "technical"}, "2"},
				{[]string{"contact", "list", "Energie Noord"}, "+31501234567"},
				{[]string{"device", "add", "1", "--vendor", "Hikvision", "--model", "DS-2CD2142FWD-I", "--firmware", "V5.4.5 build 170124"}, "1"},
				{[]string{"device", "list"}, "DS-2CD2142FWD-I"},
				{[]string{"org", "show", "1"}, "verified by manual"},
				{[]string{"org", "list"}, "Hosting BV"},
				{[]string{"token", "create", "--org", "1"}, "vigil_"},
				{[]string{"token", "revoke", "1"}, "revoked token 1"},
				{[]string{"org", "export", "--format", "csv"}, "Energie Noord,,,nl,energie-noord.example,192.0.2.0/26;2001:db8::/48,64500"},
				{[]string{"device", "delete", "1", "1"}, "deleted device 1"},
				{[]string{"contact", "delete", "1", "2"}, "deleted contact 2"},
				{[]string{"asset", "delete", "1", "5"}, "deleted asset 5"},
				{[]string{"org", "delete", "Hosting BV"}, "deleted organisation 2"},
				{[]string{"version"}, "vigil"},
			}
			for _, st := range steps {
				out, errOut, code := cli(t, db, "", st.args...)
				if code != 0 || !strings.Contains(out, st.want) {
					t.Errorf("vigil %s = %q (stderr %q, exit %d); want output containing %q", strings.Join(st.args, " "), out, errOut, code, st.want)
				}
			}
		})
	}
}

// TestCLIBadInput runs every command with bad input: each must fail with the
// documented exit status and an error naming what was wrong.
func TestCLIBadInput(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "bad.db")
	if _, _, code := cli(t, db, "", "org", "add", "Acme", "--cidr", "198.51.100.0/24"); code != 0 {
		t.Fatal("setup failed")
	}
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{[]string{"org", "add"}, 2, "takes 1 argument"},
		{[]string{"org", "add", "X", "--cidr", "10.0.0.1/8"}, 2, `"10.0.0.1/8": host bits set`},
		{[]string{"org", "add", "X", "--domain", "co.uk"}, 2, `"co.uk": a public suffix`},
		{[]string{"org", "add", "X", "--email", "nope"}, 2, `email: "nope"`},
		{[]string{"org", "add", "X", "--asn", "ASX"}, 2, `asn: "ASX"`},
		{[]string{"org", "add", "X", "--lang", "!!"}, 2, "lang"},
		{[]string{"org", "add", "X", "--notify", "hourly"}, 2, "policy.mode"},
		{[]string{"org", "add", "Acme"}, 4, "already exists"},
		{[]string{"org", "add", "X", "--bogus"}, 2, "unknown flag"},
		{[]string{"org", "show", "999"}, 3, "organisation 999 not found"},
		{[]string{"org", "show", "Nobody"}, 3, `organisation "Nobody" not found`},
		{[]string{"org", "delete", "999"}, 3, "not found"},
		{[]string{"org", "list", "extra"}, 2, "takes 0 argument"},
		{[]string{"org", "import", "/nonexistent.csv"}, 2, "/nonexistent.csv"},
		{[]string{"org", "export", "--format", "xml"}, 2, "format"},
		{[]string{"asset", "add", "1", "300.1.1.1"}, 2, `"300.1.1.1"`},
		{[]string{"asset", "add", "1", "x", "--kind", "mac"}, 2, "kind"},
		{[]string{"asset", "add", "999", "192.0.2.0/24"}, 3, "organisation 999 not found"},
		{[]string{"asset", "delete", "1", "abc"}, 2, `asset: "abc"`},
		{[]string{"asset", "delete", "1", "999"}, 3, "asset 999 not found"},
		{[]string{"asset", "verify", "1", "1"}, 5, "ownership of 198.51.100.0/24 not proven"},
		{[]string{"asset", "token", "999"}, 3, "not found"},
		{[]string{"contact", "add", "1"}, 2, "e-mail address or a phone"},
		{[]string{"contact", "add", "1", "--phone", "0501234567"}, 2, "phone"},
		{[]string{"contact", "list", "999"}, 3, "not found"},
		{[]string{"contact", "delete", "1", "77"}, 3, "contact 77 not found"},
		{[]string{"device", "add", "1", "--vendor", "V"}, 2, "model"},
		{[]string{"device", "add", "1", "--vendor", "V", "--model", "M", "--cpe", "cpe:/o:v:m"}, 2, "cpe"},
		{[]string{"device", "add", "1", "--vendor", "V", "--model", "M", "--purl", "pkg:"}, 2, "purl"},
		{[]string{"device", "add", "1", "--vendor", "V", "--model", "M", "--asset", "999"}, 2, "asset_id"},
		{[]string{"device", "delete", "1", "5"}, 3, "device 5 not found"},
		{[]string{"token", "create", "--org", "1", "--scopes", "admin"}, 2, "cannot have the admin scope"},
		{[]string{"token", "create", "--scopes", "write"}, 2, "operator token"},
		{[]string{"token", "create", "--expires", "soon"}, 2, `expires: "soon"`},
		{[]string{"token", "create", "--org", "1", "--scopes", "root"}, 2, `scopes: "root"`},
		{[]string{"token", "create", "--org", "999"}, 3, "not found"},
		{[]string{"token", "revoke", "42"}, 3, "not found"},
		{[]string{"nosuch"}, 2, "unknown command"},
		{[]string{"--db", "mysql://x", "org", "list"}, 2, "must be sqlite:PATH or postgres"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			out, errOut, code := cli(t, db, "", tt.args...)
			if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("vigil %s: exit %d, stderr %q, stdout %q; want exit %d and %q", strings.Join(tt.args, " "), code, errOut, out, tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestCLIImport(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("name,cidrs,emails\nA,192.0.2.0/28,a@a.example\nB,192.0.2.16/28,b@b.example\n"), 0o600)
	os.WriteFile(bad, []byte("name,cidrs,emails\nC,192.0.2.32/28,c@c.example\nD,192.0.2.49/28,d@d.example\nE,192.0.2.64/28,e@e.example\n"), 0o600)
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := cli(t, db, "", "org", "import", bad)
			if code != 2 || out != "" || !strings.Contains(errOut, "bad.csv:3: assets[0].cidr") || !strings.Contains(errOut, "nothing imported") {
				t.Errorf("bad import: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if out, _, _ := cli(t, db, "", "--json", "org", "list"); !strings.Contains(out, `"items": []`) {
				t.Errorf("orgs after refused import = %s; want none", out)
			}
			out, errOut, code = cli(t, db, "", "--json", "org", "import", "--skip-invalid", bad)
			var res app.ImportResult
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Organisations != 2 || len(res.Refused) != 1 || res.Refused[0].Line != 3 {
				t.Errorf("--skip-invalid: %q %q %d", out, errOut, code)
			}
			if out, errOut, code := cli(t, db, "", "org", "import", good); code != 0 || !strings.Contains(out, "imported 2 organisations with 2 assets") {
				t.Errorf("good import: %q %q %d", out, errOut, code)
			}
			exported, _, code := cli(t, db, "", "org", "export", "--format", "json")
			if code != 0 {
				t.Fatal("export failed")
			}
			// Re-importing the export into a fresh database gives the same registry.
			db2 := "sqlite:" + filepath.Join(t.TempDir(), "again.db")
			if out, errOut, code := cli(t, db2, exported, "org", "import", "-"); code != 0 || !strings.Contains(out, "imported 4 organisations") {
				t.Fatalf("re-import of export: %q %q %d", out, errOut, code)
			}
			again, _, _ := cli(t, db2, "", "org", "export", "--format", "csv")
			first, _, _ := cli(t, db, "", "org", "export", "--format", "csv")
			if again != first {
				t.Errorf("export after re-import differs:\n%s\nvs\n%s", again, first)
			}
		})
	}
}

func TestCLIDemoOnce(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := cli(t, "sqlite:unused.db", "", "--json", "demo", "--once", "--dir", dir)
	var sum map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("demo --once --json: %q %q %d", out, errOut, code)
	}
	if sum["organisations"].(float64) < 24 || sum["findings"].(float64) < 100 {
		t.Errorf("summary = %v", sum)
	}
	vulns, _ := sum["vulns"].(map[string]any)
	notify, _ := sum["notify"].(map[string]any)
	labels, _ := sum["labels"].(map[string]any)
	if vulns["vulnerable_findings"].(float64) == 0 || vulns["kev_findings"].(float64) == 0 {
		t.Errorf("demo vulns = %v", vulns)
	}
	if notify["notices_composed"].(float64) == 0 || notify["notices_delivered"] != notify["notices_composed"] {
		t.Errorf("demo notify = %v", notify)
	}
	if ls, _ := labels["labels"].([]any); len(ls) != 2 {
		t.Errorf("demo labels = %v", labels)
	}
}

// TestServe starts `vigil serve` on a free port and talks to it over HTTP.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "serve.db")
	if _, _, code := cli(t, db, "", "org", "add", "Served", "--cidr", "192.0.2.0/24"); code != 0 {
		t.Fatal("setup")
	}
	secret, _, code := cli(t, db, "", "token", "create")
	if code != 0 {
		t.Fatal("token")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfg := config.Defaults()
	cfg.DB, cfg.Labels.Keys = db, filepath.Join(dir, "keys")
	a := &cmdline{cfg: cfg, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.DiscardHandler)}
	x, err := a.service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, x, app.NewFront(ln, app.ReadyOK), 0) }()
	base := "http://" + ln.Addr().String()
	for _, tc := range []struct {
		path, token string
		want        int
		body        string
	}{
		{"/healthz", "", 200, ""},
		{"/readyz", "", 200, ""},
		{"/api/openapi.json", "", 200, `"openapi"`},
		{"/api/v1/orgs", "", 401, "problem"},
		{"/api/v1/orgs", strings.TrimSpace(secret), 200, `"Served"`},
		{"/metrics", "", 200, "vigil_http_requests_total"},
		{"/.well-known/vigil-keys.json", "", 200, `"keys"`},
		{"/labels/VL-0000-0000-0000", "", 404, ""},
	} {
		req, _ := http.NewRequest("GET", base+tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s = %d %.200s; want %d containing %q", tc.path, resp.StatusCode, b, tc.want, tc.body)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v after shutdown", err)
	}
	a.close()
}

// TestCLIIngest runs the feed commands: an IP-to-AS table first, so that a
// row without an AS number matches an organisation registered by ASN.
func TestCLIIngest(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, e, code := cli(t, db, "", "org", "add", "By AS", "--asn", "AS64497"); code != 0 {
				t.Fatal(e)
			}
			out, errOut, code := cli(t, db, "", "--json", "ingest", "asn", "testdata/routeviews-sample.pfx2as")
			if code != 0 || !strings.Contains(out, `"prefixes"`) {
				t.Fatalf("ingest asn: %q %q %d", out, errOut, code)
			}
			feedFile := filepath.Join(dir, "block.txt")
			os.WriteFile(feedFile, []byte("# blocklist\n192.0.2.130\n192.0.2.131\n10.0.0.1\nnot-an-ip\n"), 0o600)
			out, errOut, code = cli(t, db, "", "--json", "ingest", "feed", feedFile, "--type", "blocklist", "--trigger", "test-blocklist")
			var sum map[string]any
			if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
				t.Fatalf("ingest feed: %q %q %d", out, errOut, code)
			}
			for k, want := range map[string]float64{"rows": 4, "matched": 2, "unmatched": 1, "quarantined": 1, "findings_new": 2} {
				if sum[k] != want {
					t.Errorf("%s = %v; want %v (%s)", k, sum[k], want, out)
				}
			}
			if sum["trigger"] != "test-blocklist" || sum["report_type"] != "blocklist" {
				t.Errorf("summary = %s", out)
			}
			out, _, _ = cli(t, db, "", "findings", "--org", "By AS")
			if !strings.Contains(out, "192.0.2.130") || !strings.Contains(out, "test-blocklist") {
				t.Errorf("findings = %s", out)
			}
			out, _, _ = cli(t, db, "", "triggers")
			if !strings.Contains(out, "test-blocklist") {
				t.Errorf("triggers = %s", out)
			}
			out, _, _ = cli(t, db, "", "quarantine", "list")
			if !strings.Contains(out, "block.txt:5") {
				t.Errorf("quarantine = %s", out)
			}
			for _, bad := range [][]string{
				{"ingest", "feed", filepath.Join(dir, "missing.csv")},
				{"ingest", "feed", feedFile, "--type", "xml"},
				{"ingest", "asn", filepath.Join(dir, "missing.tsv")},
				{"findings", "--status", "closed"},
			} {
				if _, errOut, code := cli(t, db, "", bad...); code != 2 || errOut == "" {
					t.Errorf("vigil %v: exit %d, %q; want 2 with a reason", bad, code, errOut)
				}
			}
		})
	}
}

// TestReadmeCarriesTheGradingRule keeps the README's copy of the grading rule
// in step with the rule the code applies.
func TestReadmeCarriesTheGradingRule(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	out, _, code := cli(t, "sqlite:"+filepath.Join(t.TempDir(), "r.db"), "", "label", "rules")
	if code != 0 {
		t.Fatal("label rules failed")
	}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimLeft(line, "#")
		if strings.TrimSpace(line) != "" && !strings.Contains(string(readme), line) {
			t.Errorf("README.md lacks this line of `vigil label rules`: %q", line)
		}
	}
}

// TestCLIIngestNotifyUnregistered checks the wiring of warnings to owners
// of unregistered addresses: the unmatched address is looked up (here a
// documentation address, which RDAP refuses without any network traffic)
// and the outcome is counted.
func TestCLIIngestNotifyUnregistered(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "u.db")
	if _, e, code := cli(t, db, "", "org", "add", "X", "--cidr", "192.0.2.0/24"); code != 0 {
		t.Fatal(e)
	}
	bl := filepath.Join(t.TempDir(), "bl.txt")
	os.WriteFile(bl, []byte("198.51.100.77\n198.51.100.77\n192.0.2.5\n"), 0o600)
	out, errOut, code := cli(t, db, "", "--json", "ingest", "feed", bl, "--type", "blocklist", "--trigger", "bl", "--notify-unregistered")
	var sum struct {
		Unmatched    int
		Unregistered map[string]int
	}
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("ingest: %q %q %d", out, errOut, code)
	}
	if sum.Unmatched != 2 || sum.Unregistered["no_contact"] != 1 {
		t.Errorf("summary = %s; want 2 unmatched rows, one address looked up without a contact", out)
	}
	out, _, _ = cli(t, db, "", "--json", "triggers")
	if !strings.Contains(out, `"notify_unregistered": true`) {
		t.Errorf("trigger not marked: %s", out)
	}
}

// TestCLIWebhookURLRefused: a webhook URL that points at a non-public
// address is refused when it is set (exit 2, naming the field), not found at
// delivery.
func TestCLIWebhookURLRefused(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			for _, u := range []string{"https://127.0.0.1:8443/hook", "https://[64:ff9b::7f00:1]/hook", "https://[::ffff:169.254.169.254]/", "https://localhost/hook"} {
				body := `[{"name":"Hooks BV","policy":{"webhook_url":"` + u + `"}}]`
				if out, errOut, code := cli(t, db, body, "org", "import", "-"); code != 2 || !strings.Contains(errOut, "policy.webhook_url") {
					t.Errorf("import with webhook %s: exit %d, stdout %q, stderr %q; want exit 2 naming policy.webhook_url", u, code, out, errOut)
				}
			}
			if out, errOut, code := cli(t, db, `[{"name":"Hooks BV","policy":{"webhook_url":"https://hooks.example.nl/in"}}]`, "org", "import", "-"); code != 0 {
				t.Errorf("import with a public webhook: exit %d, %q %q", code, out, errOut)
			}
		})
	}
}

// TestConfigFile: a setting from the configuration file reaches the
// command, and a flag overrides it.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(file, []byte("db: sqlite:"+filepath.Join(dir, "from-file.db")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vigil := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		cfg, err := config.Load(args)
		if err == nil {
			err = run(context.Background(), cfg, args, strings.NewReader(""), &out, &errb)
		}
		if err != nil {
			t.Fatalf("vigil %s: %v (%s)", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	vigil("--config", file, "org", "add", "From File")
	if _, err := os.Stat(filepath.Join(dir, "from-file.db")); err != nil {
		t.Errorf("the file's database was not used: %v", err)
	}
	if out := vigil("org", "add", "From Flag", "--config", file, "--db", "sqlite:"+filepath.Join(dir, "flag.db")); strings.TrimSpace(out) != "1" {
		t.Errorf("--db did not override the file: %s", out)
	}
	if _, _, code := cli(t, "sqlite:"+filepath.Join(dir, "x.db"), "", "--config", filepath.Join(dir, "missing.yaml"), "version"); code != 2 {
		t.Errorf("missing config file: exit %d; want 2", code)
	}
}
