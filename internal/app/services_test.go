// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestRegistry runs the registry operations that are more than one store
// call: creating with assets and contacts, importing all or nothing,
// ownership tokens and verification, API tokens and contact lists.
func TestRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Energie Noord", Languages: []string{"nl", "en"}},
			Domains: []string{"energie-noord.example"}, CIDRs: []string{"192.0.2.0/26"}, ASNs: []string{"AS64500"}, Emails: []string{"soc@energie-noord.example"}})
		if err != nil || len(o.Assets) != 3 || len(o.Contacts) != 1 || o.Contacts[0].Lang != "nl" || o.Contacts[0].Role != "security" {
			t.Fatalf("CreateOrg = %+v, %v", o, err)
		}
		if _, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "X"}, CIDRs: []string{"10.0.0.1/8"}}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("CreateOrg with host bits set = %v; want invalid", err)
		}

		bad := "name,cidrs\nC,192.0.2.64/28\nD,192.0.2.81/28\n"
		res, err := x.ImportOrgs(ctx, strings.NewReader(bad), "bad.csv", app.ImportOptions{})
		if err != nil || res.Imported || len(res.Refused) != 1 || res.Refused[0].Line != 3 {
			t.Errorf("all-or-nothing import = %+v, %v", res, err)
		}
		if res, err = x.ImportOrgs(ctx, strings.NewReader(bad), "bad.csv", app.ImportOptions{SkipInvalid: true}); err != nil || !res.Imported || res.Organisations != 1 {
			t.Errorf("--skip-invalid import = %+v, %v", res, err)
		}
		if res, err = x.ImportOrgs(ctx, strings.NewReader(`  [{"name":"From JSON"}]`), "-", app.ImportOptions{}); err != nil || res.Organisations != 1 {
			t.Errorf("JSON told by content = %+v, %v", res, err)
		}
		if _, err := x.ImportOrgs(ctx, strings.NewReader(""), "x", app.ImportOptions{Format: "xml"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("format xml = %v", err)
		}

		tok, err := x.OwnershipToken(ctx, o.ID)
		if err != nil || tok.Record != "vigil-verify="+tok.Token || len(tok.PublishAt) != 2 {
			t.Errorf("OwnershipToken = %+v, %v; want a TXT place for the domain and the range", tok, err)
		}
		if _, err := x.ConfirmAsset(ctx, o.ID, o.Assets[2].ID, "  "); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("manual verification without saying how = %v; want invalid", err)
		}
		p, err := x.ConfirmAsset(ctx, o.ID, o.Assets[2].ID, "RIR contact confirmed by telephone")
		if err != nil || p.Method != "manual" || p.Asset.Value != "64500" || p.Asset.VerifyNote != "RIR contact confirmed by telephone" {
			t.Errorf("manual verification = %+v %v", p, err)
		}
		if _, err := x.ConfirmAsset(ctx, o.ID+100, o.Assets[2].ID, "by telephone"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another organisation's asset = %v; want not found", err)
		}
		if _, err := x.VerifyAsset(ctx, tenant.Org(o.ID+100), o.ID, o.Assets[2].ID, nil); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another scope's organisation = %v; want not found", err)
		}

		for _, tc := range []struct {
			org    int64
			scopes string
			want   []auth.Scope
			code   errs.Code
		}{
			{o.ID, "", []auth.Scope{auth.ScopeRead}, ""},
			{0, "", []auth.Scope{auth.ScopeAdmin}, ""},
			{o.ID, "admin", nil, errs.Invalid},
			{o.ID + 100, "", nil, errs.NotFound},
		} {
			tk, secret, err := x.CreateToken(ctx, tc.org, "t", tc.scopes, "", "")
			if errs.CodeOf(err) != tc.code || (err == nil && (secret == "" || len(tk.Scopes) != len(tc.want) || tk.Scopes[0] != tc.want[0])) {
				t.Errorf("CreateToken(%d, %q) = %+v, %v; want %v / %s", tc.org, tc.scopes, tk, err, tc.want, tc.code)
			}
		}
		if cs, err := x.Contacts(ctx, o.ID); err != nil || len(cs) != 1 {
			t.Errorf("Contacts = %+v, %v", cs, err)
		}
		if _, err := x.Contacts(ctx, o.ID+100); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("contacts of a missing organisation = %v; want not found", err)
		}
		if sc, err := x.OrgScope(ctx, ""); err != nil || !sc.IsOperator() {
			t.Errorf("OrgScope(\"\") = %v, %v", sc, err)
		}
		if sc, err := x.OrgScope(ctx, "Energie Noord"); err != nil || sc != tenant.Org(o.ID) {
			t.Errorf("OrgScope(name) = %v, %v", sc, err)
		}
	})
}

// TestFeedsAndASN: an IP-to-AS table lets a row without an AS match an
// organisation registered by ASN; a bad row is quarantined.
func TestFeedsAndASN(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		if _, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "By AS"}, ASNs: []string{"AS64497"}}); err != nil {
			t.Fatal(err)
		}
		sum, err := x.IngestASN(ctx, "testdata/routeviews-sample.pfx2as")
		if err != nil || sum.Prefixes == 0 || sum.Bad == 0 || len(sum.Errors) != sum.Bad {
			t.Fatalf("IngestASN = %+v, %v", sum, err)
		}
		if _, err := x.IngestASN(ctx, "testdata/missing.pfx2as"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("missing table = %v", err)
		}
		var progressed bool
		sums, err := x.IngestFeeds(ctx, "-", app.FeedOptions{Type: "blocklist", Trigger: "bl", Stdin: strings.NewReader("# list\n192.0.2.130\n10.0.0.1\nnot-an-ip\n"),
			Progress: func(string, int64) (func(int64), func()) { progressed = true; return func(int64) {}, func() {} }})
		if err != nil || len(sums) != 1 || sums[0].Matched != 1 || sums[0].Unmatched != 1 || sums[0].Quarantined != 1 {
			t.Fatalf("IngestFeeds = %+v, %v", sums, err)
		}
		if progressed {
			t.Error("progress reported for standard input, whose size is unknown")
		}
		file := filepath.Join(t.TempDir(), "block.txt")
		os.WriteFile(file, []byte("192.0.2.131\n"), 0o600)
		var done []string
		var sizes []int64
		_, err = x.IngestFeeds(ctx, file, app.FeedOptions{Type: "blocklist", Trigger: "bl2", Done: func(s ingest.Summary) { done = append(done, s.Source) },
			Progress: func(name string, size int64) (func(int64), func()) {
				sizes = append(sizes, size)
				return func(int64) {}, func() {}
			}})
		if err != nil || len(done) != 1 || done[0] != "block.txt" || len(sizes) != 1 || sizes[0] != 12 {
			t.Errorf("IngestFeeds of a file: done %v, sizes %v, %v", done, sizes, err)
		}
		if _, err := x.IngestFeeds(ctx, file, app.FeedOptions{Type: "xml"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("type xml = %v", err)
		}
	})
}

// TestAdvisories loads KEV from a URL (refused on loopback unless
// allowed), EPSS scores and a CSAF advisory, imports an SBOM and lists the
// vulnerable components.
func TestAdvisories(t *testing.T) {
	kev, err := os.ReadFile("testdata/kev-crossref.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(kev) }))
	t.Cleanup(srv.Close)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Fabriek", Devices: []registry.Device{{Vendor: "Delta Electronics", Model: "InfraSuite Device Master", Firmware: "1.0.12"}}}})
		if err != nil {
			t.Fatal(err)
		}
		dev := o.Devices[0].ID
		if _, err := x.LoadAdvisories(ctx, app.AdvisoryLoad{Source: advisory.SourceKEV, Arg: srv.URL + "/kev.json"}); err == nil {
			t.Error("loopback KEV URL fetched without AllowPrivate")
		}
		sums, err := x.LoadAdvisories(ctx, app.AdvisoryLoad{Source: advisory.SourceKEV, Arg: srv.URL + "/kev.json", AllowPrivate: true})
		if err != nil || len(sums) != 1 || sums[0].Records != 16 || sums[0].New != 16 {
			t.Fatalf("KEV from a URL = %+v, %v", sums, err)
		}
		if sums, err = x.LoadCSAF(ctx, "testdata/icsa-23-206-01.json", nil, app.ProviderOptions{}); err != nil || sums[0].New != 1 {
			t.Errorf("CSAF file = %+v, %v", sums, err)
		}
		if _, err := x.LoadCSAF(ctx, "testdata/icsa-23-206-01.json", nil, app.ProviderOptions{RequireSignature: true}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("signature required of a file = %v; want invalid", err)
		}
		if sums, err = x.LoadAdvisories(ctx, app.AdvisoryLoad{Source: advisory.SourceNVD, Arg: "testdata/CVE-2023-46604.json"}); err != nil || sums[0].New != 1 {
			t.Errorf("NVD file = %+v, %v", sums, err)
		}
		f, err := os.Open("testdata/epss_scores-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if epss, err := x.LoadEPSS(ctx, f, "epss.csv"); err != nil || epss.Records != 8 || epss.Changed != 8 || epss.Model == "" {
			t.Errorf("LoadEPSS = %+v, %v", epss, err)
		}
		bom, err := os.Open("testdata/infrasuite.cdx.json")
		if err != nil {
			t.Fatal(err)
		}
		defer bom.Close()
		res, err := x.ImportSBOM(ctx, tenant.Operator(), dev, bom, "infrasuite.cdx.json")
		if err != nil || res.Components != 4 || len(res.Errors) != 2 || res.Matches != 1 || res.FindingsNew != 1 {
			t.Fatalf("ImportSBOM = %+v, %v", res, err)
		}
		if _, err := x.ImportSBOM(ctx, tenant.Org(o.ID+100), dev, strings.NewReader("{}"), "x.json"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("SBOM for another organisation's device = %v; want not found", err)
		}
		vs, err := x.Vulns(ctx, app.VulnQuery{Scope: tenant.Org(o.ID), KEV: true})
		if err != nil || len(vs) == 0 || vs[0].Evidence.KEV == nil || vs[0].DeviceID != dev {
			t.Errorf("KEV vulnerabilities of the device = %+v, %v", vs, err)
		}
		if vs, err := x.Vulns(ctx, app.VulnQuery{Scope: tenant.Org(o.ID + 100)}); err != nil || len(vs) != 0 {
			t.Errorf("another organisation sees %d vulnerabilities, %v", len(vs), err)
		}
	})
}

// TestServer starts a server and closes it: the HTTP server answers while
// it runs, and Close stops it and the job queue.
func TestServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, func(c *config.Config) {
			if s.Dialect() == store.Postgres {
				c.DB = storetest.DSN(t, s) // River's own pool
			}
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := x.OpenServer(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") }), ln)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(ctx); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "up" {
			t.Errorf("body = %q", body)
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
			t.Error("still serving after Close")
		}
	})
}

// TestCreateToken checks the command line's token creation: default
// scopes, operator scopes reduced to the widest, refused scopes, and the
// lifetime (default, days, never, refused spellings).
func TestCreateToken(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	storetest.EachOpts(t, storetest.Options{Now: func() time.Time { return at }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Token Org", Languages: []string{"nl"}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			org      int64
			scopes   string
			lifetime string
			want     []auth.Scope
			days     int // the expiry from now; 0: none
			code     errs.Code
		}{
			{o.ID, "", "", []auth.Scope{auth.ScopeRead}, auth.DefaultTokenDays, ""},
			{0, "", "30d", []auth.Scope{auth.ScopeAdmin}, 30, ""},
			{0, "read", "never", []auth.Scope{auth.ScopeRead}, 0, ""},
			{0, "read,operate", "365d", []auth.Scope{auth.ScopeOperate}, 365, ""},
			{0, "write", "", nil, 0, errs.Invalid},
			{0, "read", "90", nil, 0, errs.Invalid},
			{0, "read", "0d", nil, 0, errs.Invalid},
			{o.ID, "admin", "", nil, 0, errs.Invalid},
			{o.ID, "operate", "", nil, 0, errs.Invalid},
			{o.ID + 100, "", "", nil, 0, errs.NotFound},
		} {
			tk, secret, err := x.CreateToken(ctx, tc.org, "t", tc.scopes, "", tc.lifetime)
			if errs.CodeOf(err) != tc.code || (err == nil && (secret == "" || len(tk.Scopes) != len(tc.want) || tk.Scopes[0] != tc.want[0])) {
				t.Errorf("CreateToken(%d, %q, %q) = %+v, %v; want %v / %s", tc.org, tc.scopes, tc.lifetime, tk, err, tc.want, tc.code)
			}
			if err != nil {
				continue
			}
			if want := at.Add(time.Duration(tc.days) * 24 * time.Hour); (tc.days == 0) != (tk.ExpiresAt == nil) || tc.days != 0 && !tk.ExpiresAt.Equal(want.UTC()) {
				t.Errorf("CreateToken(%q) expires %v; want in %d days", tc.lifetime, tk.ExpiresAt, tc.days)
			}
		}
	})
}
