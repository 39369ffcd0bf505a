// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package dkimkey_test

import (
	"context"
	"crypto"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/dkimkey"
	"vigil/internal/dnstest"
	"vigil/internal/errs"
)

func TestCheckDNS(t *testing.T) {
	t.Parallel()
	srv := dnstest.Start(t)
	r := dkimkey.NewResolver(srv.Addr())
	ctx := context.Background()
	keys := map[dkimkey.Algorithm]crypto.Signer{}
	for _, alg := range []dkimkey.Algorithm{dkimkey.RSA, dkimkey.Ed25519} {
		k, err := dkimkey.Generate(alg, nil)
		if err != nil {
			t.Fatal(err)
		}
		keys[alg] = k
	}
	other, _ := dkimkey.Generate(dkimkey.RSA, nil)
	otherRec, _ := dkimkey.RecordFor(other, "vigil", "cert.example.nl")
	for i, tc := range []struct {
		name   string
		alg    dkimkey.Algorithm
		zone   func(rec dkimkey.Record) [][]string // nil: no name at all
		want   dkimkey.Status
		reason string
	}{
		{"rsa split into 255-byte strings", dkimkey.RSA, func(r dkimkey.Record) [][]string { return [][]string{dnstest.Split(r.Value)} }, dkimkey.Match, ""},
		{"ed25519", dkimkey.Ed25519, func(r dkimkey.Record) [][]string { return [][]string{{r.Value}} }, dkimkey.Match, ""},
		{"without v= and k=", dkimkey.RSA, func(r dkimkey.Record) [][]string {
			return [][]string{dnstest.Split(strings.TrimPrefix(r.Value, "v=DKIM1; k=rsa; "))}
		}, dkimkey.Match, ""},
		{"another key", dkimkey.RSA, func(dkimkey.Record) [][]string { return [][]string{dnstest.Split(otherRec.Value)} }, dkimkey.Mismatch, "another public key"},
		{"revoked", dkimkey.RSA, func(dkimkey.Record) [][]string { return [][]string{{"v=DKIM1; k=rsa; p="}} }, dkimkey.Mismatch, "revoked"},
		{"wrong type", dkimkey.Ed25519, func(dkimkey.Record) [][]string { return [][]string{dnstest.Split(otherRec.Value)} }, dkimkey.Mismatch, "k=rsa, the key is ed25519"},
		{"not DKIM", dkimkey.RSA, func(dkimkey.Record) [][]string { return [][]string{{"v=spf1 -all"}} }, dkimkey.Mismatch, "not DKIM1"},
		{"two records, one right", dkimkey.RSA, func(r dkimkey.Record) [][]string {
			return [][]string{dnstest.Split(r.Value), dnstest.Split(otherRec.Value)}
		},
			dkimkey.Mismatch, "multiple TXT records"},
		{"no record", dkimkey.RSA, nil, dkimkey.Missing, "no TXT record"},
	} {
		domain := fmt.Sprintf("case%d.cert.example.nl", i)
		t.Run(tc.name, func(t *testing.T) {
			key := keys[tc.alg]
			rec, err := dkimkey.RecordFor(key, "vigil", domain)
			if err != nil {
				t.Fatal(err)
			}
			if tc.zone != nil {
				srv.SetTXT(rec.Name, tc.zone(rec)...)
			}
			got, err := dkimkey.CheckDNS(ctx, r, key, "vigil", domain)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.want || !strings.Contains(got.Reason, tc.reason) || got.Record != rec {
				t.Errorf("CheckDNS = %+v; want %s (%q)", got, tc.want, tc.reason)
			}
		})
	}
	// A server that does not answer is an error, not a verdict.
	dead := dkimkey.NewResolver("127.0.0.1:1")
	cctx, cancel := context.WithTimeout(ctx, 2e9)
	defer cancel()
	if got, err := dkimkey.CheckDNS(cctx, dead, keys[dkimkey.RSA], "vigil", "cert.example.nl"); err == nil {
		t.Errorf("CheckDNS against no server = %+v; want an error", got)
	}
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, dkimkey.FileName("vigil"))
	key, err := dkimkey.Generate(dkimkey.Ed25519, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := dkimkey.Save(path, key); err != nil {
		t.Fatal(err)
	}
	if err := dkimkey.Save(path, key); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second Save = %v; want a conflict", err)
	}
	got, err := dkimkey.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := dkimkey.RecordFor(key, "vigil", "x.example")
	b, _ := dkimkey.RecordFor(got, "vigil", "x.example")
	if a != b {
		t.Errorf("loaded key differs: %v / %v", a, b)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := dkimkey.Load(path); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("Load of a world-readable key = %v", err)
	}
	if _, err := dkimkey.Load(filepath.Join(dir, "none.key")); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("Load of a missing key = %v", err)
	}
	if _, err := dkimkey.Generate("dsa", nil); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("Generate(dsa) = %v", err)
	}
}

func TestRecordZone(t *testing.T) {
	t.Parallel()
	key, _ := dkimkey.Generate(dkimkey.RSA, nil)
	rec, err := dkimkey.RecordFor(key, "s2026", "cert.example.nl.")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Name != "s2026._domainkey.cert.example.nl" || !strings.HasPrefix(rec.Value, "v=DKIM1; k=rsa; p=MII") {
		t.Errorf("record = %+v", rec)
	}
	z := rec.Zone()
	if !strings.HasPrefix(z, "s2026._domainkey.cert.example.nl. IN TXT ( \"v=DKIM1") || strings.Count(z, `"`) != 4 {
		t.Errorf("zone line = %s", z)
	}
	if strings.ReplaceAll(strings.ReplaceAll(strings.TrimSuffix(strings.SplitN(z, "( ", 2)[1], " )"), `" "`, ""), `"`, "") != rec.Value {
		t.Errorf("zone strings do not join to the value")
	}
}
