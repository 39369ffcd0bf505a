// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"vigil/internal/app"
)

// TestCLIContactLookup serves a real RIPE answer from a loopback RDAP
// server named by refreshed bootstrap files (--bootstrap); the second
// lookup comes from the store's cache.
func TestCLIContactLookup(t *testing.T) {
	answer, err := os.ReadFile("testdata/notify/ripe-ip-62.239.237.1.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/bootstrap/"); ok {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(b)
			return
		}
		if r.URL.Path != "/rdap/ip/62.239.237.1" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()
	file := func(name, desc, entry string) {
		body := fmt.Sprintf(`{"description":%q,"publication":"2026-01-01T00:00:00Z","version":"1.0","services":[[[%s],[%q]]]}`, desc, entry, srv.URL+"/rdap/")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file("ipv4.json", "test IPv4", `"62.0.0.0/8"`)
	file("ipv6.json", "test IPv6", `"2001:600::/23"`)
	file("asn.json", "test ASN", `"3333-3333"`)
	file("dns.json", "test DNS", `"example"`)
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			hits.Store(0)
			args := []string{"--json", "contact", "lookup", "62.239.237.1", "--bootstrap", dir, "--allow-private"}
			for i, wantCached := range []bool{false, true} {
				out, errOut, code := cli(t, db, "", args...)
				if code != 0 {
					t.Fatalf("lookup %d: exit %d: %s %s", i, code, out, errOut)
				}
				var res struct {
					Query      string `json:"query"`
					AbuseEmail string `json:"abuse_email"`
					Cached     bool   `json:"cached"`
					Source     string `json:"source"`
				}
				if err := json.Unmarshal([]byte(out), &res); err != nil {
					t.Fatal(err)
				}
				if res.Query != "62.239.237.1" || !strings.Contains(res.AbuseEmail, "@") || res.Cached != wantCached || !strings.HasPrefix(res.Source, srv.URL) {
					t.Errorf("lookup %d = %+v", i, res)
				}
			}
			if hits.Load() != 1 {
				t.Errorf("RDAP server asked %d times; want 1 (then the cache)", hits.Load())
			}
			if out, _, code := cli(t, db, "", "contact", "lookup", "62.239.237.1", "--bootstrap", dir, "--allow-private"); code != 0 || !strings.Contains(out, "abuse:") {
				t.Errorf("text output (exit %d):\n%s", code, out)
			}
			if _, _, code := cli(t, db, "", "contact", "lookup", "not an address!", "--bootstrap", dir); code != 2 {
				t.Errorf("bad query: exit %d; want 2", code)
			}

			// Refreshed into the database (newer than the bundled files), the
			// same files serve lookups without --bootstrap.
			out, errOut, code := cli(t, db, "", "--json", "contact", "bootstrap", "--url", srv.URL+"/bootstrap/", "--allow-private")
			var rep app.BootstrapReport
			if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || !rep.InUse || len(rep.Published) != 4 {
				t.Fatalf("bootstrap: exit %d %s %s", code, out, errOut)
			}
			hits.Store(0)
			out, errOut, code = cli(t, db, "", "--json", "contact", "lookup", "62.239.237.1", "--no-cache", "--allow-private")
			if code != 0 || !strings.Contains(out, srv.URL) || hits.Load() != 1 {
				t.Fatalf("lookup with the stored bootstrap: exit %d, %d hits\n%s\n%s", code, hits.Load(), out, errOut)
			}
			if _, errOut, code := cli(t, db, "", "contact", "bootstrap", "--url", srv.URL+"/nothing/", "--allow-private"); code == 0 {
				t.Errorf("bootstrap from a server without the files: exit 0 (%s)", errOut)
			}
		})
	}
}
