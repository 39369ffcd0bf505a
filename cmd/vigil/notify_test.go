// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/store"
)

func TestCLINotify(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := func(wantCode int, args ...string) string {
				t.Helper()
				out, errOut, code := cli(t, db, "", args...)
				if code != wantCode {
					t.Fatalf("vigil %s: exit %d (want %d)\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, out, errOut)
				}
				return out
			}
			decode := func(out string, v any) {
				t.Helper()
				if err := json.Unmarshal([]byte(out), v); err != nil {
					t.Fatalf("%v in %s", err, out)
				}
			}
			run(0, "org", "add", "Ziekenhuis Midden", "--cidr", "198.51.100.0/25", "--email", "soc@ziekenhuis.example", "--lang", "nl", "--notify", "immediate")
			run(0, "org", "add", "Gemeente Voorbeeld", "--cidr", "192.0.2.128/25", "--email", "cert@gemeente.example")
			run(0, "ingest", "feed", "testdata/notify/2025-06-01-scan_exchange-vigil_test-asn.csv")

			var dry app.NotifyRunResult
			decode(run(0, "--json", "notify", "run", "--dry-run"), &dry)
			if !dry.DryRun || dry.Composed.Notices != 2 || dry.Composed.Events != 9 || len(dry.Outbox) != 0 {
				t.Fatalf("dry run = %+v", dry)
			}
			var res app.NotifyRunResult
			decode(run(0, "--json", "notify", "run", "--smtp-url", "sink:"), &res)
			if res.Composed.Notices != 2 || res.Delivery == nil || res.Delivery.Sent != 2 || !res.EmailReady {
				t.Fatalf("run = %+v", res)
			}
			// A second run finds nothing new.
			decode(run(0, "--json", "notify", "run", "--smtp-url", "sink:"), &res)
			if res.Composed.Events != 0 || res.Delivery.Attempted != 0 {
				t.Errorf("second run = %+v", res)
			}
			if out := run(0, "notify", "status", "--state", "sent"); !strings.Contains(out, "email    sent   2") || !strings.Contains(out, "soc@ziekenhuis.example") {
				t.Errorf("status:\n%s", out)
			}
			var st struct {
				Overall struct {
					Orgs int `json:"organisations_warned"`
					Sent int `json:"sent"`
				} `json:"overall"`
				Triggers []struct {
					Trigger string `json:"trigger"`
				} `json:"triggers"`
			}
			decode(run(0, "--json", "stats", "--since", "30d", "--period", "week"), &st)
			if st.Overall.Orgs != 2 || st.Overall.Sent != 2 || len(st.Triggers) != 1 || st.Triggers[0].Trigger != "scan_exchange" {
				t.Errorf("stats = %+v", st)
			}
			run(2, "stats", "--since", "last tuesday")

			var b []app.BounceResult
			decode(run(0, "--json", "notify", "bounce", "soc@ziekenhuis.example"), &b)
			if len(b) != 1 || b[0].Contacts != 1 {
				t.Errorf("bounce by address = %+v", b)
			}
			decode(run(0, "--json", "notify", "bounce", "testdata/notify/bsd-lhost-sendmail-01.eml"), &b)
			if len(b) != 1 || b[0].Address != "userunknown@bouncehammer.jp" {
				t.Errorf("bounce from DSN = %+v", b)
			}
			run(2, "notify", "bounce", "testdata/notify/government-nl-crlf.txt")
			run(2, "notify", "bounce", "nobody")
			if out := run(0, "--json", "notify", "calls"); !strings.Contains(out, `"items": []`) {
				t.Errorf("calls = %s", out)
			}
			if out := run(0, "notify", "webhook-secret", "Ziekenhuis Midden"); !regexp.MustCompile(`^[0-9a-f]{64}\n$`).MatchString(out) {
				t.Errorf("webhook secret = %q", out)
			}
			run(3, "notify", "webhook-secret", "99")
			run(2, "notify", "status", "--state", "lost")

			// A delivery whose sender stopped mid-send waits for an operator.
			st2, err := store.Open(context.Background(), db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var oid int64
			err = st2.QueryRow(context.Background(), `SELECT MIN(id) FROM outbox`).Scan(&oid)
			if err == nil {
				_, err = st2.Exec(context.Background(), `UPDATE outbox SET state = 'unknown' WHERE id = ?`, oid)
			}
			st2.Close()
			if err != nil {
				t.Fatal(err)
			}
			id := strconv.FormatInt(oid, 10)
			if out := run(0, "notify", "status", "--state", "unknown"); !strings.Contains(out, "1 email deliveries may or may not have arrived") || !strings.Contains(out, "unknown") {
				t.Errorf("status with an unknown row:\n%s", out)
			}
			run(2, "notify", "resolve", id)
			run(2, "notify", "resolve", id, "--sent", "--resend")
			if out := run(0, "notify", "resolve", id, "--sent"); strings.TrimSpace(out) != "outbox "+id+": sent" {
				t.Errorf("resolve --sent = %q", out)
			}
			run(3, "notify", "resolve", id, "--resend")
		})
	}
}

func TestCLISecurityTxtCheck(t *testing.T) {
	out, _, code := cli(t, "sqlite:"+t.TempDir()+"/x.db", "", "--json", "securitytxt", "check", "testdata/notify/government-nl-crlf.txt")
	var rep struct {
		Valid  bool `json:"valid"`
		Errors []struct {
			Code string `json:"code"`
			Line *int   `json:"line"`
		} `json:"errors"`
		Recommendations []struct{ Code string } `json:"recommendations"`
		Fields          map[string][]string     `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The file expired on 2026-09-30; it is valid only before that.
	if code != 1 || rep.Valid || len(rep.Errors) != 1 || rep.Errors[0].Code != "expired" || rep.Errors[0].Line == nil || *rep.Errors[0].Line != 13 {
		t.Errorf("check = exit %d, %+v", code, rep)
	}
	if got := rep.Fields["preferred-languages"]; len(got) != 1 || got[0] != "nl, en" {
		t.Errorf("fields = %v", rep.Fields)
	}
	if _, _, code := cli(t, "sqlite:"+t.TempDir()+"/x.db", "", "securitytxt", "check", "http://[::1"); code != 2 {
		t.Errorf("bad target: exit %d; want 2", code)
	}
}
