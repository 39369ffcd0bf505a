// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package pgpkey_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"vigil/internal/errs"
	"vigil/internal/pgpkey"
)

func TestWKDHash(t *testing.T) {
	t.Parallel()
	// The example of the WKD draft (draft-koch-openpgp-webkey-service,
	// section 3.1): the local part is lowercased before hashing.
	if got := pgpkey.WKDHash("Joe.Doe@Example.ORG"); got != "iy9q119eutrkn8s1mk4r39qejnbu3n5q" {
		t.Errorf("WKDHash = %q", got)
	}
	if got := pgpkey.WKDPath("Joe.Doe@example.org"); got != "/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe" {
		t.Errorf("WKDPath = %q", got)
	}
}

func TestSaveLoadSignVerify(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys", pgpkey.FileName)
	k, err := pgpkey.Generate("vigil CERT", "cert@cert.example.nl", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := k.Save(path); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second Save = %v", err)
	}
	got, err := pgpkey.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fingerprint() != k.Fingerprint() || got.Address() != "cert@cert.example.nl" || len(k.Fingerprint()) != 40 {
		t.Errorf("loaded %s %s; saved %s", got.Fingerprint(), got.Address(), k.Fingerprint())
	}
	armored, err := got.ArmoredPublic()
	if err != nil || !strings.HasPrefix(armored, "-----BEGIN PGP PUBLIC KEY BLOCK-----") || strings.Contains(armored, "PRIVATE") {
		t.Errorf("armored public key = %q, %v", armored, err)
	}
	pub, _ := got.Public()
	ring, err := openpgp.ReadKeyRing(bytes.NewReader(pub))
	if err != nil || len(ring) != 1 || ring[0].PrivateKey != nil {
		t.Fatalf("public key ring = %v, %v", ring, err)
	}

	// A message with folded header fields: the Content-* ones move into
	// the signed part, the others stay outside.
	raw := []byte("From: cert@cert.example.nl\nTo: a@b.example\nSubject: a long\n subject [VGL-7K3P-Q9XD]\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain;\n charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nHello=\n there.\n")
	signed, err := got.Sign(raw, time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(signed, []byte("Subject: a long\r\n subject [VGL-7K3P-Q9XD]\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed")) ||
		!bytes.Contains(signed, []byte("\r\nContent-Type: text/plain;\r\n charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello=\r\n there.\r\n")) {
		t.Errorf("signed message:\n%s", signed)
	}
	if _, err := pgpkey.Verify(signed, ring); err != nil {
		t.Errorf("Verify = %v", err)
	}
	if _, err := pgpkey.Verify(bytes.Replace(signed, []byte("there"), []byte("where"), 1), ring); err == nil {
		t.Error("a changed body verifies")
	}
	if _, err := pgpkey.Verify(bytes.Replace(signed, []byte("charset=utf-8"), []byte("charset=latin1"), 1), ring); err == nil {
		t.Error("a changed content header verifies")
	}
	if _, err := pgpkey.Verify(raw, ring); err == nil || !strings.Contains(err.Error(), "not a PGP/MIME") {
		t.Errorf("Verify of an unsigned message = %v", err)
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pgpkey.Load(path); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("Load of a readable key = %v", err)
	}
	if _, err := pgpkey.Load(filepath.Join(t.TempDir(), "none")); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("Load of no file = %v", err)
	}
	if _, err := pgpkey.Generate("x", "not an address", time.Now()); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("Generate without an address = %v", err)
	}
}
