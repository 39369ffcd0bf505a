// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/dkimkey"
	"vigil/internal/dnstest"
)

// TestCLIMailDKIM generates the DKIM key, prints its record and checks it
// against a DNS server on loopback: match, mismatch, missing.
func TestCLIMailDKIM(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "mail.db")
	srv := dnstest.Start(t)
	from := []string{"--from", "cert@cert.example.nl"}
	dkim := func(args ...string) (string, string, int) {
		return cli(t, db, "", append(append([]string{"mail", "dkim"}, args...), from...)...)
	}

	out, errOut, code := dkim("init")
	if code != 0 || !strings.Contains(out, "vigil._domainkey.cert.example.nl") || !strings.Contains(out, `"v=DKIM1; k=rsa; p=MII`) {
		t.Fatalf("init = %q %q %d", out, errOut, code)
	}
	if !strings.Contains(out, filepath.Join(filepath.Dir(strings.TrimPrefix(db, "sqlite:")), "vigil-keys", "dkim-vigil.key")) {
		t.Errorf("init does not keep the key with the label keys:\n%s", out)
	}
	if _, errOut, code := dkim("init"); code != 4 || !strings.Contains(errOut, "exists") {
		t.Errorf("second init = %q %d; want a conflict (exit 4)", errOut, code)
	}
	out, _, code = cli(t, db, "", append([]string{"--json", "mail", "dkim", "record"}, from...)...)
	var setup app.DKIMSetup
	if code != 0 || json.Unmarshal([]byte(out), &setup) != nil || setup.Record.Name != "vigil._domainkey.cert.example.nl" {
		t.Fatalf("record --json = %q %d", out, code)
	}

	check := func() (string, int) {
		out, errOut, code := dkim("check", "--dns", srv.Addr())
		return out + errOut, code
	}
	// Not yet published.
	if out, code := check(); code != 3 || !strings.Contains(out, ": missing") || !strings.Contains(out, "publish:") {
		t.Errorf("check before publishing = %q %d; want missing (exit 3)", out, code)
	}
	// Published as the zone line says: match.
	srv.SetTXT(setup.Record.Name, dnstest.Split(setup.Record.Value))
	if out, code := check(); code != 0 || !strings.Contains(out, ": match") {
		t.Errorf("check = %q %d; want match", out, code)
	}
	// Another key at the name: mismatch.
	other, _ := dkimkey.Generate(dkimkey.RSA, nil)
	rec, _ := dkimkey.RecordFor(other, "vigil", "cert.example.nl")
	srv.SetTXT(setup.Record.Name, dnstest.Split(rec.Value))
	if out, code := check(); code != 4 || !strings.Contains(out, ": mismatch") || !strings.Contains(out, "another public key") {
		t.Errorf("check against another key = %q %d; want mismatch (exit 4)", out, code)
	}
	// Another selector has no record: missing.
	if out, _, code := cli(t, db, "", "mail", "dkim", "check", "--from", "cert@cert.example.nl", "--dkim-selector", "s2", "--dns", srv.Addr()); code != 3 {
		t.Errorf("check of a selector without a key = %q %d; want not found (exit 3)", out, code)
	}
}

// TestCLIMailOpenPGP generates the OpenPGP key and prints it with its
// fingerprint and Web Key Directory path.
func TestCLIMailOpenPGP(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + filepath.Join(t.TempDir(), "mail.db")
	from := []string{"--from", "cert@cert.example.nl"}
	out, errOut, code := cli(t, db, "", append([]string{"mail", "openpgp", "init"}, from...)...)
	if code != 0 || !strings.Contains(out, "fingerprint: ") || !strings.Contains(out, "/.well-known/openpgpkey/hu/") || !strings.Contains(out, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("init = %q %q %d", out, errOut, code)
	}
	if _, errOut, code := cli(t, db, "", append([]string{"mail", "openpgp", "init"}, from...)...); code != 4 || !strings.Contains(errOut, "exists") {
		t.Errorf("second init = %q %d; want a conflict (exit 4)", errOut, code)
	}
	out2, _, code := cli(t, db, "", "--json", "mail", "openpgp", "key")
	var s app.OpenPGPSetup
	if code != 0 || json.Unmarshal([]byte(out2), &s) != nil || s.Address != "cert@cert.example.nl" || !strings.Contains(out, s.Fingerprint) {
		t.Errorf("key --json = %q %d", out2, code)
	}
	if _, _, code := cli(t, "sqlite:"+filepath.Join(t.TempDir(), "none.db"), "", "mail", "openpgp", "key"); code != 3 {
		t.Errorf("key without one: exit %d; want 3", code)
	}
	if _, errOut, code := cli(t, "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "", "mail", "openpgp", "init"); code != 2 || !strings.Contains(errOut, "from") {
		t.Errorf("init without a sender address = %q %d; want bad input", errOut, code)
	}
}
