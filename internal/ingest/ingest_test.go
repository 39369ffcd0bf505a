// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

const exchange = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"

// registryFixture registers organisations that cover the sample's rows in
// every way: a wide range, a more specific range inside it, two identical
// ranges (a tie) and an AS number.
func registryFixture(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	ids := map[string]int64{}
	for _, o := range []registry.Org{
		{Name: "Wide", Assets: []registry.Asset{{Value: "198.51.100.0/24"}}},
		{Name: "Narrow", Assets: []registry.Asset{{Value: "198.51.100.32/28"}}},
		{Name: "TieA", Assets: []registry.Asset{{Value: "192.0.2.0/25"}}},
		{Name: "TieB", Assets: []registry.Asset{{Value: "192.0.2.0/25"}}},
		{Name: "ByASN", Assets: []registry.Asset{{Value: "AS64500"}}},
	} {
		if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		ids[o.Name] = o.ID
	}
	return ids
}

func ingestFile(t *testing.T, s *store.Store, path string, opts ingest.Options) ingest.Summary {
	t.Helper()
	ctx := context.Background()
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = path[strings.LastIndexByte(path, '/')+1:]
	}
	sum, err := ingest.Feed(ctx, s, ix, f, opts)
	if err != nil {
		t.Fatalf("Feed(%s): %v", path, err)
	}
	return sum
}

func TestFeedAttribution(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ids := registryFixture(t, s)
		sum := ingestFile(t, s, exchange, ingest.Options{FullReport: true})
		want := ingest.Summary{Source: sum.Source, Format: "shadowserver", ReportType: "scan_exchange", Trigger: "scan_exchange", RunID: sum.RunID,
			Rows: 25, Matched: 21, Unmatched: 4, Ties: 2, FindingsNew: 22, Seconds: sum.Seconds}
		if !reflect.DeepEqual(sum, want) {
			t.Errorf("summary = %+v\nwant      %+v", sum, want)
		}
		count := func(org string) int {
			fs, err := s.FindingList(context.Background(), tenant.Org(ids[org]), finding.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(fs)
		}
		for org, n := range map[string]int{"Wide": 7, "Narrow": 2, "TieA": 2, "TieB": 2, "ByASN": 9} {
			if got := count(org); got != n {
				t.Errorf("%s has %d findings; want %d", org, got, n)
			}
		}
		fs, _ := s.FindingList(context.Background(), tenant.Org(ids["Narrow"]), finding.Filter{})
		f := fs[0]
		if f.Key != "198.51.100.37:443" || f.Count != 2 || f.Severity != finding.Critical || f.Type == "" || f.ASN != 64498 {
			t.Errorf("Narrow's first finding = %+v", f)
		}
		if !bytes.Contains(f.Evidence, []byte(`"ip":"198.51.100.37"`)) || !bytes.Contains(f.Evidence, []byte(`"tag":"exchange;`)) {
			t.Errorf("evidence = %s", f.Evidence)
		}
		ties, _ := s.FindingList(context.Background(), tenant.Operator(), finding.Filter{OnlyTies: true})
		if len(ties) != 4 {
			t.Errorf("%d tie findings; want 4", len(ties))
		}
	})
}

func TestFeedResightingAndResolution(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		registryFixture(t, s)
		ingestFile(t, s, exchange, ingest.Options{FullReport: true})
		// The next day's report lists only the first 10 data rows.
		raw, _ := os.ReadFile(exchange)
		lines := strings.SplitAfter(string(raw), "\n")
		next := t.TempDir() + "/2025-06-02-scan_exchange-vigil_test-asn.csv"
		os.WriteFile(next, []byte(strings.Join(lines[:11], "")), 0o600)
		sum := ingestFile(t, s, next, ingest.Options{FullReport: true})
		if sum.FindingsNew != 0 || sum.FindingsUpdated == 0 || sum.FindingsResolved == 0 {
			t.Fatalf("second day = %+v", sum)
		}
		open, _ := s.FindingList(context.Background(), tenant.Operator(), finding.Filter{Status: finding.Open, Page: keyset.Page{Limit: 1000}})
		resolved, _ := s.FindingList(context.Background(), tenant.Operator(), finding.Filter{Status: finding.Resolved, Page: keyset.Page{Limit: 1000}})
		if int64(len(open)) != sum.FindingsUpdated || int64(len(resolved)) != sum.FindingsResolved || len(open)+len(resolved) != 22 {
			t.Errorf("open %d resolved %d; summary %+v", len(open), len(resolved), sum)
		}
		// A partial (not full) report resolves nothing.
		sum = ingestFile(t, s, next, ingest.Options{FullReport: false, Name: "partial.csv", Format: "shadowserver", ReportType: "scan_exchange"})
		if sum.FindingsResolved != 0 {
			t.Errorf("partial report resolved %d", sum.FindingsResolved)
		}
	})
}

func TestFeedQuarantineAndGzip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		registryFixture(t, s)
		sum := ingestFile(t, s, "testdata/2025-06-01-scan_exchange-vigil_test-asn_bad.csv", ingest.Options{})
		if sum.Quarantined != 3 || sum.Rows != 3 {
			t.Errorf("bad file summary = %+v", sum)
		}
		q, err := s.QuarantineList(context.Background(), keyset.Page{})
		if err != nil || len(q) != 3 || q[0].Line != 2 || q[0].File != "2025-06-01-scan_exchange-vigil_test-asn_bad.csv" || q[0].Reason == "" {
			t.Errorf("quarantine = %+v, %v", q, err)
		}
		raw, _ := os.ReadFile(exchange)
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(raw)
		w.Close()
		gzPath := t.TempDir() + "/2025-06-01-scan_exchange-vigil_test-asn.csv.gz"
		os.WriteFile(gzPath, gz.Bytes(), 0o600)
		sum = ingestFile(t, s, gzPath, ingest.Options{})
		if sum.Rows != 25 || sum.FindingsNew != 22 || sum.ReportType != "scan_exchange" {
			t.Errorf("gzip summary = %+v", sum)
		}
	})
}

func TestFeedIPv6(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "V6", Assets: []registry.Asset{{Value: "2001:db8::/32"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		sum := ingestFile(t, s, "testdata/2025-06-01-scan6_http_vulnerable-vigil_test-asn.csv", ingest.Options{})
		if sum.Matched == 0 || sum.Matched != sum.Rows-sum.Unmatched {
			t.Fatalf("summary = %+v", sum)
		}
		fs, _ := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if len(fs) == 0 || !strings.HasPrefix(fs[0].Key, "[2001:db8:") {
			t.Errorf("IPv6 findings = %+v", fs)
		}
	})
}

func TestFeedResumesAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registryFixture(t, s)
		raw, _ := os.ReadFile(exchange)
		sha, _ := ingest.HashFile(bytes.NewReader(raw))
		ix, _ := ingest.BuildIndex(ctx, s)
		opts := ingest.Options{Name: "2025-06-01-scan_exchange-vigil_test-asn.csv", SHA256: sha, BatchSize: 5}
		// Stop the process (cancel) right after the second batch commits.
		killCtx, kill := context.WithCancel(ctx)
		batches := 0
		opts.Progress = func(int64) {
			if batches++; batches == 2 {
				kill()
			}
		}
		_, err := ingest.Feed(killCtx, s, ix, bytes.NewReader(raw), opts)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted ingest: %v", err)
		}
		opts.Progress = nil
		mid, _ := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 1000}})
		if len(mid) == 0 || len(mid) >= 22 {
			t.Fatalf("%d findings after the crash; want some but not all", len(mid))
		}
		sum, err := ingest.Feed(ctx, s, ix, bytes.NewReader(raw), opts)
		if err != nil {
			t.Fatal(err)
		}
		if !sum.Resumed || sum.Rows != 25 || sum.FindingsNew != 22 {
			t.Errorf("resumed summary = %+v", sum)
		}
		// Two batches of 5 rows after the header line were committed: the
		// run goes on at line 12.
		if sum.ResumedAt != 12 {
			t.Errorf("resumed at line %d; want 12", sum.ResumedAt)
		}
		all, _ := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 1000}})
		var seen int64
		for _, f := range all {
			seen += f.Count
		}
		// 21 matched rows, two of which count for both organisations of a tie.
		if len(all) != 22 || seen != 23 {
			t.Errorf("after resume: %d findings with %d sightings; want 22 and 23 (no row counted twice)", len(all), seen)
		}
	})
}

func TestFeedBadFileResolvesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		registryFixture(t, s)
		ingestFile(t, s, exchange, ingest.Options{FullReport: true})
		sum := ingestFile(t, s, "testdata/2025-06-01-scan_exchange-vigil_test-asn_bad.csv", ingest.Options{FullReport: true})
		if sum.FindingsResolved != 0 || sum.ResolveSkipped != "no readable rows" {
			t.Errorf("a file of bad rows resolved findings: %+v", sum)
		}
	})
}

func TestFeedHostnameFallsBackToDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Voorbeeld", Assets: []registry.Asset{{Value: "voorbeeld.example"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		sum := ingestFile(t, s, "testdata/hosts.csv", ingest.Options{Format: "csv", Trigger: "hosts"})
		if sum.Rows != 3 || sum.Matched != 2 || sum.Unmatched != 1 {
			t.Fatalf("summary = %+v", sum)
		}
		fs, _ := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if len(fs) != 2 || fs[0].Hostname != "mail.voorbeeld.example" {
			t.Errorf("findings = %+v", fs)
		}
	})
}

func FuzzEvidenceJSON(f *testing.F) {
	f.Add("tag", "exchange;cve-2021-26855", "")
	f.Add("q\"uote", "back\\slash\n\t\x01", "\xff\xfe")
	f.Add("url", "https://x.example/\u2028", "é")
	f.Fuzz(func(t *testing.T, h, v, raw string) {
		for _, ev := range []json.RawMessage{
			ingest.EvidenceObject(&feed.Observation{Fields: []string{v, raw}}, []string{h, "other"}),
			ingest.Evidence(&feed.Observation{Line: 3, Raw: raw}, nil),
		} {
			var m map[string]any
			if err := json.Unmarshal(ev, &m); err != nil {
				t.Fatalf("evidence %q is not a JSON object: %v", ev, err)
			}
		}
		ev := ingest.EvidenceObject(&feed.Observation{Fields: []string{v}}, []string{h})
		var m map[string]string
		json.Unmarshal(ev, &m)
		if v != "" && utf8.ValidString(h) && utf8.ValidString(v) && m[h] != v {
			t.Errorf("evidence %s lost %q=%q", ev, h, v)
		}
		// The array form and its header keep every value in place.
		arr := ingest.Evidence(&feed.Observation{Fields: []string{v, raw}}, []string{h, "other"})
		var vals, names []string
		if err := json.Unmarshal(arr, &vals); err != nil || len(vals) != 2 {
			t.Fatalf("evidence %q is not a JSON array of 2: %v", arr, err)
		}
		if err := json.Unmarshal([]byte(ingest.HeaderJSON([]string{h, "other"})), &names); err != nil || len(names) != 2 {
			t.Fatalf("header %q is not a JSON array of 2: %v", ingest.HeaderJSON([]string{h, "other"}), err)
		}
		if utf8.ValidString(v) && vals[0] != v || utf8.ValidString(h) && names[0] != h {
			t.Errorf("array evidence %s / header %v lost %q=%q", arr, names, h, v)
		}
	})
}

// TestFeedCutShortKeepsBatchesResolvesNothing: a gzip file cut short keeps
// the batches it committed before the cut, fails as bad input, and
// resolves nothing (it is not a complete report); the same file whole
// resumes after those batches and then resolves.
func TestFeedCutShortKeepsBatchesResolvesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registryFixture(t, s)
		ingestFile(t, s, exchange, ingest.Options{FullReport: true})
		raw, _ := os.ReadFile(exchange)
		// The next day lists the first 10 data rows: a whole file would
		// resolve the other findings.
		lines := strings.SplitAfter(string(raw), "\n")
		// Large enough (the rows again and again) for gzip to hand out
		// whole blocks before the cut.
		day2 := []byte(lines[0] + strings.Repeat(strings.Join(lines[1:11], ""), 2000))
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(day2)
		zw.Close()
		whole := zb.Bytes()
		cut := whole[:len(whole)*3/4]
		ix, _ := ingest.BuildIndex(ctx, s)
		opts := ingest.Options{Name: "2025-06-02-scan_exchange-vigil_test-asn.csv.gz", FullReport: true, BatchSize: 1000}
		opts.SHA256, _ = ingest.HashFile(bytes.NewReader(cut))
		sum, err := ingest.Feed(ctx, s, ix, bytes.NewReader(cut), opts)
		if errs.CodeOf(err) != errs.Invalid || sum.Failed == "" {
			t.Fatalf("cut file: %+v, %v; want errs.Invalid and Failed", sum, err)
		}
		if sum.Rows == 0 || sum.FindingsResolved != 0 {
			t.Errorf("cut file summary %+v: want its committed batches and nothing resolved", sum)
		}
		resolved, _ := s.FindingList(ctx, tenant.Operator(), finding.Filter{Status: finding.Resolved, Page: keyset.Page{Limit: 1000}})
		if len(resolved) != 0 {
			t.Errorf("%d findings resolved by a file cut short", len(resolved))
		}
		opts.SHA256, _ = ingest.HashFile(bytes.NewReader(whole))
		sum, err = ingest.Feed(ctx, s, ix, bytes.NewReader(whole), opts)
		if err != nil || sum.FindingsResolved == 0 {
			t.Errorf("whole file: %+v, %v; want findings resolved", sum, err)
		}
	})
}

// TestFeedBOM: a correctly named Shadowserver report that starts with a
// UTF-8 byte order mark (as spreadsheet exports do) is read as that report:
// its trigger is the report type and last_seen is the row's timestamp, not
// the time of the ingest.
func TestFeedBOM(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		registryFixture(t, s)
		raw, _ := os.ReadFile(exchange)
		path := t.TempDir() + "/2025-06-01-scan_exchange-vigil_test-asn.csv"
		if err := os.WriteFile(path, append([]byte("\ufeff"), raw...), 0o600); err != nil {
			t.Fatal(err)
		}
		sum := ingestFile(t, s, path, ingest.Options{FullReport: true})
		if sum.Format != "shadowserver" || sum.ReportType != "scan_exchange" || sum.Trigger != "scan_exchange" || sum.FindingsNew != 22 || len(sum.Warnings) != 0 {
			t.Fatalf("summary %+v; want scan_exchange, 22 findings, no warning", sum)
		}
		fs, err := s.FindingList(context.Background(), tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 1000}})
		if err != nil || len(fs) != 22 {
			t.Fatalf("findings %d, %v", len(fs), err)
		}
		want := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		for _, f := range fs {
			if f.Trigger != "scan_exchange" || f.LastSeen.Year() != 2025 || f.LastSeen.Before(want) || f.LastSeen.After(want.Add(24*time.Hour)) {
				t.Errorf("finding %s: trigger %q last_seen %s; want scan_exchange on 2025-06-01", f.Key, f.Trigger, f.LastSeen)
			}
		}
	})
}

// TestFeedNameHeaderDisagree: a file named as one report type whose header
// reads as another is reported in the summary's warnings.
func TestFeedNameHeaderDisagree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		registryFixture(t, s)
		raw, _ := os.ReadFile(exchange)
		path := t.TempDir() + "/2025-06-01-scan_ftp-vigil_test-asn.csv"
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		sum := ingestFile(t, s, path, ingest.Options{FullReport: true})
		if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "scan_ftp") || !strings.Contains(sum.Warnings[0], "scan_exchange") {
			t.Errorf("warnings %q; want one naming scan_ftp and scan_exchange (summary %+v)", sum.Warnings, sum)
		}
	})
}

// TestFeedPendingClaim registers, beside an approved organisation's range,
// narrower ranges inside it that members registered through self-service
// and have not proven: anyone may sign up and claim one, so a claim draws
// none of the approved firm's findings, whether the claimant's organisation
// is pending (Claimant) or approved (Usurper: approved by proving another
// asset, it claims a range inside Wide's block and an AS number). A proven
// member's asset (Proven's, Usurper's own /26) draws its findings; once an
// analyst rejects the pending Proven, it draws none.
func TestFeedPendingClaim(t *testing.T) {
	for _, rejected := range []bool{false, true} {
		t.Run(fmt.Sprintf("rejected_%v", rejected), func(t *testing.T) { feedPendingClaim(t, rejected) })
	}
}

func feedPendingClaim(t *testing.T, rejected bool) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		member := registry.AddedByMember
		ids := map[string]int64{}
		for _, o := range []registry.Org{
			{Name: "Wide", Assets: []registry.Asset{{Value: "198.51.100.0/24"}}},
			{Name: "Claimant", Assets: []registry.Asset{{Value: "198.51.100.32/28", AddedBy: member}}},
			{Name: "Proven", Assets: []registry.Asset{{Value: "192.0.2.0/25", AddedBy: member}}},
			{Name: "Usurper", Assets: []registry.Asset{{Value: "192.0.2.128/26", AddedBy: member},
				{Value: "198.51.100.112/28", AddedBy: member}, {Value: "AS64500", AddedBy: member}}},
		} {
			if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
				t.Fatal(err)
			}
			ids[o.Name] = o.ID
			if o.Name == "Wide" {
				continue
			}
			if o.Name != "Usurper" {
				if _, err := s.Exec(ctx, `INSERT INTO org_pending (org_id, registered_by, created_at) VALUES (?, NULL, ?)`, o.ID, s.Now()); err != nil {
					t.Fatal(err)
				}
			}
			if o.Name == "Proven" || o.Name == "Usurper" {
				if err := s.AssetMarkVerified(ctx, tenant.Operator(), o.Assets[0].ID, "dns", "", s.Now()); err != nil {
					t.Fatal(err)
				}
				if rejected && o.Name == "Proven" {
					if err := s.OrgReject(ctx, tenant.Operator(), o.ID, "analyst@example.org", "not the holder of the range", s.Now()); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		as, err := s.AssetAll(ctx, tenant.Org(ids["Usurper"]), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if a.AddedBy != member {
				t.Errorf("asset %s was added by %q; want %q", a.Value, a.AddedBy, member)
			}
		}
		ingestFile(t, s, exchange, ingest.Options{FullReport: true})
		count := func(org string) int {
			fs, err := s.FindingList(ctx, tenant.Org(ids[org]), finding.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			return len(fs)
		}
		// Wide keeps the two findings of the claimed /28 and those of
		// Usurper's claimed /28 (TestFeedAttribution gives the first two to
		// an approved Narrow, which the operator registered).
		if got := count("Wide"); got != 9 {
			t.Errorf("Wide has %d findings; want 9", got)
		}
		if got := count("Claimant"); got != 0 {
			t.Errorf("the pending, unproven claim drew %d findings", got)
		}
		if got := count("Proven"); got == 0 && !rejected {
			t.Error("the pending organisation's proven range drew no findings")
		} else if got != 0 && rejected {
			t.Errorf("the rejected organisation's proven range drew %d findings", got)
		}
		// Only 192.0.2.150 of its proven /26: neither its claim inside
		// Wide's block nor its AS number's addresses.
		if got := count("Usurper"); got != 1 {
			t.Errorf("the approved organisation has %d findings; want 1 (its proven range's)", got)
		}
	})
}

// exchangeTimes is the exchange sample with its rows n times over, one
// header.
func exchangeTimes(t *testing.T, n int) []byte {
	t.Helper()
	one, err := os.ReadFile(exchange)
	if err != nil {
		t.Fatal(err)
	}
	nl := bytes.IndexByte(one, '\n') + 1
	out := append([]byte{}, one[:nl]...)
	for range n {
		out = append(out, one[nl:]...)
	}
	return out
}

// sightingsOf is the number of sightings the findings of s count.
func sightingsOf(t *testing.T, s *store.Store) (n int64) {
	t.Helper()
	if err := s.QueryRow(context.Background(), `SELECT COALESCE(SUM(seen_count), 0) FROM findings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
