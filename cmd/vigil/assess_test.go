// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/finding"
	"vigil/internal/label"
	"vigil/internal/probe"
	"vigil/internal/probe/fakedevice"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

// step is one CLI call with its expected exit status and output.
type step struct {
	args     []string
	wantCode int
	want     string // in stdout or stderr
}

func runSteps(t *testing.T, db string, steps []step) {
	t.Helper()
	for _, st := range steps {
		out, errOut, code := cli(t, db, "", st.args...)
		if code != st.wantCode || !strings.Contains(out+errOut, st.want) {
			t.Errorf("vigil %s = exit %d\nstdout %q\nstderr %q\nwant exit %d and output containing %q", strings.Join(st.args, " "), code, out, errOut, st.wantCode, st.want)
		}
	}
}

func td(name string) string { return filepath.Join("testdata", "assess", name) }

// labelFromJSON runs a --json command and returns the label id member at
// path record.id (label issue) .
func issueLabel(t *testing.T, db, keys, assessment, out string) string {
	t.Helper()
	stdout, errOut, code := cli(t, db, "", "--json", "label", "issue", assessment, "--keys", keys, "--actor", "lead", "-o", out)
	var is struct {
		Label struct {
			ID    string
			Grade string
		}
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &is) != nil || is.Label.ID == "" {
		t.Fatalf("label issue %s: %q %q %d", assessment, stdout, errOut, code)
	}
	return is.Label.ID
}

func TestCLIAssessAndLabel(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			keys := filepath.Join(dir, "keys")
			k := []string{"--keys", keys}
			with := func(args ...string) []string { return append(args, k...) }
			runSteps(t, db, []step{
				{[]string{"org", "add", "Hotel Grachtenzicht", "--cidr", "192.0.2.0/28"}, 0, "1"},
				{[]string{"device", "add", "1", "--vendor", "Lumen Labs", "--model", "LumiCam Indoor 2", "--firmware", "3.4.1"}, 0, "1"},
				{with("assess", "start", "1", "--actor", "maker"), 0, "1"},
				{with("assess", "start", "--vendor", "Voltaro", "--model", "SmartPlug Mini WP-10", "--actor", "maker"), 0, "2"},
				{with("assess", "start", "1", "--vendor", "X"), 2, "give a device id, or --vendor and --model"},
				{with("assess", "start", "99", "--actor", "maker"), 3, "device 99 not found"},
				{with("assess", "answer", "1", td("answers-good.yaml"), "--actor", "maker"), 0, "72 answers loaded, 0 applicable provisions unanswered"},
				// The answers are for another device than assessment 2's.
				{with("assess", "answer", "2", td("answers-good.yaml"), "--actor", "maker"), 2, "answers are for another device"},
				{with("assess", "submit", "1", "--actor", "maker"), 4, "evidence files named in the answers were not added"},
				{with("assess", "evidence", "1", td("evidence/conformance-statement.md"), td("evidence/disclosure-policy.md"), td("evidence/pentest-summary.md"),
					td("evidence/security.txt"), td("evidence/support-period.md"), "--actor", "maker"), 0, "eeafa3b2f9492af56c6936c9790e1d94010a7ca75c3870c860690d71a6531e0b  pentest-summary.md"},
				{with("assess", "status", "1"), 0, "evidence: 5 files\n"},
				// State machine misuse is refused.
				{with("assess", "review", "1", "--approve", "--reviewer", "rev"), 4, "cannot approve: state is draft"},
				{with("label", "issue", "1"), 4, "must be reviewed"},
				{with("assess", "submit", "1", "--actor", "maker"), 0, "submitted for review"},
				{with("assess", "answer", "1", td("answers-good.yaml"), "--actor", "maker"), 4, "cannot change answers: state is submitted"},
				{with("assess", "review", "1", "--approve", "--reviewer", "maker"), 5, "cannot also review it"},
				{with("assess", "review", "1", "--approve", "--reject", "no", "--reviewer", "rev"), 2, "exactly one of --approve and --reject"},
				{with("assess", "review", "1", "--approve"), 2, "reviewer"},
				{with("assess", "review", "1", "--reject", "evidence of 5.3-2 unclear", "--reviewer", "rev"), 0, "rejected (back to draft)"},
				{with("assess", "submit", "1", "--actor", "maker"), 0, "submitted"},
				{with("assess", "review", "1", "--approve", "--reviewer", "rev"), 0, "approved by rev"},
				{with("assess", "status", "1", "--framework", "cra"), 0, "EU Cyber Resilience Act"},
				{with("assess", "status", "1", "--framework", "nope"), 3, `framework "nope" not known`},
				{with("assess", "list", "--state", "reviewed"), 0, "LumiCam Indoor 2"},
			})

			file := filepath.Join(dir, "label.json")
			id := issueLabel(t, db, keys, "1", file)
			doc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			tampered := filepath.Join(dir, "tampered.json")
			if err := os.WriteFile(tampered, []byte(strings.Replace(string(doc), `"grade": "A"`, `"grade": "B"`, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			var l label.Label
			if err := json.Unmarshal(doc, &l); err != nil || l.Grade.String() != "A" {
				t.Fatalf("issued %s: %v", doc, err)
			}
			runSteps(t, db, []step{
				{with("label", "issue", "1"), 4, "must be reviewed"},
				{with("label", "verify", file), 0, id + ": valid: grade A"},
				{with("label", "verify", tampered), exitTampered, "tampered: the signature does not match"},
				{with("label", "verify", file, "--at", l.Expires.Format(time.RFC3339)), exitExpired, "expired on"},
				{with("label", "verify", file, "--at", "yesterday"), 2, "RFC 3339"},
				{with("label", "render", id, "--format", "svg", "-o", filepath.Join(dir, "l.svg")), 0, "wrote"},
				{with("label", "render", file, "-o", filepath.Join(dir, "l.png")), 0, "(png,"},
				{with("label", "render", id, "--format", "gif", "-o", filepath.Join(dir, "l.gif")), 2, "want svg, png or pdf"},
				{with("label", "show", id), 0, `"kid"`},
				{with("label", "list"), 0, id},
				{with("label", "rules"), 0, "# Grading rule vigil-grade/2"},
				{with("label", "keys", "list"), 0, "active"},
			})

			// A KEV vulnerability in a component downgrades the label.
			st, err := store.Open(context.Background(), db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "CVE-2024-3400 in KEV", Kind: "kev"})
			if err != nil {
				t.Fatal(err)
			}
			err = st.Tx(ctx, func(tx *store.Store) error {
				_, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{{OrgID: 1, TriggerID: trig, Type: "vulnerable", ReportType: "vuln",
					Key: "device:1:CVE-2024-3400", DeviceID: 1, CVE: "CVE-2024-3400", Severity: finding.Critical,
					Evidence: json.RawMessage(`{"kev":true,"component":"pkg:generic/openssl@1.1.1k"}`)}})
				return err
			})
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			out, errOut, code := cli(t, db, "", with("--json", "label", "recheck", "--reason", "KEV catalog 2026.11.20")...)
			var res rating.RecheckResult
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Regrade.Changes) != 1 {
				t.Fatalf("recheck: %q %q %d", out, errOut, code)
			}
			ch := res.Regrade.Changes[0]
			if ch.OldLabel != id || ch.NewGrade.String() != "E" || !strings.Contains(ch.Why, "CVE-2024-3400 added to KEV affects component pkg:generic/openssl@1.1.1k") {
				t.Errorf("regrade = %+v", ch)
			}
			runSteps(t, db, []step{
				{with("label", "verify", file), exitSuperseded, "superseded by " + ch.NewLabel},
				{with("assess", "status", "1"), 0, "regraded A→E CVE-2024-3400 added to KEV"},
				{[]string{"findings", "--type", "label-downgrade"}, 0, "label downgrade: KEV catalog 2026.11.20"},
				{with("label", "revoke", id, "--reason", "x"), 4, "superseded by"},
				{with("label", "revoke", ch.NewLabel), 2, "reason"},
				{with("label", "revoke", ch.NewLabel, "--reason", "maker withdrew the product"), 0, "revoked label"},
				{with("label", "verify", file), exitRevoked, "revoked: maker withdrew the product"},
				{with("label", "revoke", ch.NewLabel, "--reason", "again"), 4, "already revoked"},
			})
		})
	}
}

func TestCLIKeyRotation(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "k.db")
	keys := filepath.Join(dir, "keys")
	runSteps(t, db, []step{{[]string{"org", "add", "Voltaro BV"}, 0, "1"}})
	var files []string
	for i := range 2 {
		aid := strconv.Itoa(i + 1)
		runSteps(t, db, []step{
			{[]string{"assess", "start", "--vendor", "Voltaro", "--model", "SmartPlug Mini WP-10", "--keys", keys, "--actor", "maker"}, 0, aid},
			{[]string{"assess", "answer", aid, td("answers-poor.yaml"), "--keys", keys, "--actor", "maker"}, 0, "answers loaded"},
			{[]string{"assess", "submit", aid, "--keys", keys, "--actor", "maker"}, 0, "submitted"},
			{[]string{"assess", "review", aid, "--approve", "--reviewer", "rev", "--keys", keys}, 0, "approved"},
		})
		f := filepath.Join(dir, "label"+aid+".json")
		issueLabel(t, db, keys, aid, f)
		files = append(files, f)
		if i == 0 {
			runSteps(t, db, []step{{[]string{"label", "keys", "rotate", "--keys", keys}, 0, "retired"}})
		}
	}
	st, err := os.Stat(keys)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(keys)
	nkeys := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".key") {
			nkeys++
			if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", e.Name(), fi.Mode().Perm())
			}
		}
	}
	if nkeys != 1 || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("key dir: %d private keys (want only the active one), mode %v", nkeys, st.Mode().Perm())
	}
	for _, f := range files {
		runSteps(t, db, []step{{[]string{"label", "verify", f, "--keys", keys}, 0, "valid"}})
	}
	// Another issuer's keys do not verify our labels.
	runSteps(t, db, []step{{[]string{"label", "verify", files[0], "--keys", filepath.Join(dir, "other")}, exitUnknownKey, "unknown_key"}})
	// The default key directory is next to the SQLite file.
	runSteps(t, db, []step{{[]string{"label", "keys", "list"}, 0, "KID"}})
	if _, err := os.Stat(filepath.Join(dir, "vigil-keys")); err != nil {
		t.Errorf("default key dir: %v", err)
	}
}

func TestCLIVerifyURL(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "u.db")
	keys := filepath.Join(dir, "keys")
	runSteps(t, db, []step{
		{[]string{"org", "add", "Voltaro BV"}, 0, "1"},
		{[]string{"assess", "start", "--vendor", "Voltaro", "--model", "SmartPlug Mini WP-10", "--keys", keys, "--actor", "maker"}, 0, "1"},
		{[]string{"assess", "answer", "1", td("answers-poor.yaml"), "--keys", keys, "--actor", "maker"}, 0, "answers loaded"},
		{[]string{"assess", "submit", "1", "--keys", keys, "--actor", "maker"}, 0, "submitted"},
		{[]string{"assess", "review", "1", "--approve", "--reviewer", "rev", "--keys", keys}, 0, "approved"},
	})
	id := issueLabel(t, db, keys, "1", filepath.Join(dir, "l.json"))
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ks, err := label.OpenKeyStore(keys, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rating.New(rating.Config{Store: st, Keys: ks})
	if err != nil {
		t.Fatal(err)
	}
	// The registry as `vigil serve` mounts it: the portal's label page
	// and files, the keys and status of package labels.
	var public []web.PublicRoute
	for _, r := range labels.New(svc, nil).Routes() {
		public = append(public, web.PublicRoute{Method: r.Method, Path: r.Path, Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	reg, err := web.New(web.Config{Store: st, App: app.New(st, config.Defaults(), nil), Version: "test", Labels: svc, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(reg)
	defer srv.Close()
	// Another machine: no local keys, no local registry; keys come from the server.
	other := "sqlite:" + filepath.Join(dir, "other.db")
	nokeys := []string{"--keys", filepath.Join(dir, "nokeys")}
	runSteps(t, other, []step{
		{append([]string{"label", "verify", srv.URL + "/labels/" + id}, nokeys...), 5, "allow it with --allow-private"}, // loopback refused by the guard
		{append([]string{"label", "verify", srv.URL + "/labels/" + id, "--allow-private"}, nokeys...), 0, id + ": valid"},
		{append([]string{"label", "verify", srv.URL + "/labels/" + id + ".json", "--allow-private", "--jwks", srv.URL + "/.well-known/vigil-keys.json"}, nokeys...), 0, "valid"},
		{append([]string{"label", "verify", srv.URL + "/labels/VL-0000-0000-0000", "--allow-private"}, nokeys...), 2, "404"},
	})
	if _, err := svc.Revoke(context.Background(), tenant.Operator(), id, "universal telnet password", "lead"); err != nil {
		t.Fatal(err)
	}
	runSteps(t, other, []step{
		{append([]string{"label", "verify", srv.URL + "/labels/" + id, "--allow-private"}, nokeys...), exitRevoked, "revoked: universal telnet password"},
	})
	// Verifying only reads: in a directory without a database (the default
	// --db) it creates no database and no key directory, by file or by URL.
	empty := t.TempDir()
	t.Chdir(empty)
	runSteps(t, "vigil.db", []step{
		{[]string{"label", "verify", filepath.Join(dir, "l.json")}, exitUnknownKey, "unknown_key"},
		{[]string{"label", "verify", filepath.Join(dir, "l.json"), "--keys", keys}, 0, id + ": valid"},
		{[]string{"label", "verify", filepath.Join(dir, "l.json"), "--jwks", srv.URL + "/.well-known/vigil-keys.json", "--allow-private"}, 0, "valid"},
		{[]string{"label", "verify", srv.URL + "/labels/" + id, "--allow-private"}, exitRevoked, "revoked"},
	})
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("label verify without a database left %v in its directory", ents)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.db")); err == nil {
		t.Errorf("label verify made the database it was pointed at")
	}
}

func TestCLIProbeOwnership(t *testing.T) {
	dev, err := fakedevice.StartWeak(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "p.db")
	keys := filepath.Join(dir, "keys")
	port := strconv.Itoa(dev.Port(probe.TCP, probe.Telnet)) + "/telnet"
	probeArgs := func(extra ...string) []string {
		return append([]string{"probe", "127.0.0.1", "--port", port, "--budget", "20s", "--rate", "100", "--keys", keys}, extra...)
	}
	runSteps(t, db, []step{
		// Nobody registered the address.
		{probeArgs(), 5, "127.0.0.1 is in no registered IP range"},
		{[]string{"org", "add", "Camping De Duinen", "--cidr", "127.0.0.0/24"}, 0, "1"},
		// Registered, but ownership not verified.
		{probeArgs(), 5, "127.0.0.0/24, whose ownership has not been verified"},
		// The lab allow-list must contain the target.
		{probeArgs("--lab", "10.0.0.0/8"), 5, "not in the lab allow-list"},
		{probeArgs("--lab", "bogus"), 2, "lab"},
		{probeArgs("--port", "99999/telnet"), 2, "port"},
		{probeArgs("--lab", "127.0.0.1/32"), 0, "default-credentials"},
		{[]string{"assess", "start", "--vendor", "Voltaro", "--model", "SmartPlug Mini WP-10", "--keys", keys, "--actor", "maker"}, 0, "1"},
		{[]string{"assess", "answer", "1", td("answers-poor.yaml"), "--keys", keys, "--actor", "maker"}, 0, "answers loaded"},
		{probeArgs("--lab", "127.0.0.1/32", "--assessment", "1", "--actor", "lab"), 0, "stored with assessment 1"},
		// The probe contradicts the maker's claim that 5.1-1 is met.
		{[]string{"assess", "status", "1", "--keys", keys}, 0, "contradicted by probes: 5.1-1"},
		{[]string{"asset", "verify", "1", "1", "--manual", "RIR contact confirmed by telephone"}, 0, "verified by manual"},
		// Verified ownership suffices without --lab.
		{probeArgs("--json"), 0, `"check": "default-credentials"`},
	})
}

func TestCLICatalogue(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	runSteps(t, db, []step{
		{[]string{"catalogue"}, 0, "5.1-1"},
		{[]string{"catalogue", "--edition", "v2"}, 0, "edition v2"},
		{[]string{"catalogue", "--framework", "cra"}, 0, "I.2b"},
		{[]string{"catalogue", "--framework", "cra", "--json"}, 0, `"framework"`},
		{[]string{"catalogue", "--framework", "nope"}, 3, "not known"},
		{[]string{"catalogue", "--edition", "v9"}, 2, "edition"},
		{[]string{"catalogue", "--raw"}, 0, "5.1-1"},
	})
}
