// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/pgpkey"
	"vigil/internal/store/storetest"
)

// TestWKD: the Web Key Directory serves the key notices are signed with
// at the hash of its address's local part, the policy file exists, and the
// verification page shows the key; without a key, or at another hash,
// there is nothing.
func TestWKD(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{})
	cfg := config.Defaults()
	cfg.Labels.Keys, cfg.Notify.From = t.TempDir(), "CERT@cert.example.nl"
	e := newEnv(t, st)
	srv, err := New(Config{Store: st, App: app.New(st, cfg, nil), Metrics: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	hash := pgpkey.WKDHash("cert@cert.example.nl")
	wantStatus(t, e.send(req{method: "GET", path: pgpkey.WKDPrefix + hash}), http.StatusNotFound)
	wantStatus(t, e.send(req{method: "GET", path: pgpkey.WKDPolicy}), http.StatusNotFound)
	if page := e.send(req{method: "GET", path: "/verify"}); strings.Contains(page.Body.String(), "OpenPGP") {
		t.Error("the verification page shows an OpenPGP key before there is one")
	}

	setup, err := app.OpenPGPInit(cfg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if setup.WKDPath != pgpkey.WKDPrefix+hash+"?l=CERT" {
		t.Errorf("WKD path = %q", setup.WKDPath)
	}
	rec := e.send(req{method: "GET", path: setup.WKDPath})
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("content type = %q", ct)
	}
	ring, err := openpgp.ReadKeyRing(bytes.NewReader(rec.Body.Bytes()))
	if err != nil || len(ring) != 1 || ring[0].PrivateKey != nil {
		t.Fatalf("WKD answer = %v, %v; want one public key", ring, err)
	}
	if id := ring[0].PrimaryIdentity(); id == nil || id.UserId.Email != "CERT@cert.example.nl" {
		t.Errorf("identity = %+v", id)
	}
	if fp := strings.ToUpper(hex.EncodeToString(ring[0].PrimaryKey.Fingerprint)); fp != setup.Fingerprint {
		t.Errorf("served key %s; set up %s", fp, setup.Fingerprint)
	}
	wantStatus(t, e.send(req{method: "GET", path: pgpkey.WKDPolicy}), http.StatusOK)
	for _, other := range []string{pgpkey.WKDHash("someone@cert.example.nl"), "abc", "0", strings.ToUpper(hash)} {
		wantStatus(t, e.send(req{method: "GET", path: pgpkey.WKDPrefix + other}), http.StatusNotFound)
	}

	page := e.send(req{method: "GET", path: "/verify"}).Body.String()
	if !strings.Contains(page, setup.Fingerprint) || !strings.Contains(page, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		t.Errorf("the verification page does not show the key:\n%s", page)
	}
}
