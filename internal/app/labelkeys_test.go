// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"vigil/internal/config"
	"vigil/internal/label"
	"vigil/internal/store/storetest"
)

// TestKeysInPostgres: under PostgreSQL a label key made by one process is
// read back, decrypted, by the next (one signing key across nodes and
// restarts), the table holds no private key in the clear, and another
// secret cannot sign with it.
func TestKeysInPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip("set " + storetest.EnvPG)
	}
	s := storetest.OpenPostgres(t, storetest.Options{})
	secret := strings.Repeat("ab", label.SecretSize)
	keys := func(secret string) (*label.KeyStore, error) {
		return newApp(t, s, func(c *config.Config) {
			c.DB, c.Labels.Keys, c.Labels.KeysSecret = storetest.DSN(t, s), "", secret
		}).Keys()
	}
	ks, err := keys(secret)
	if err != nil {
		t.Fatal(err)
	}
	first, err := ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	ks2, err := keys(secret)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ks2.Signer()
	if err != nil || again.KeyID() != first.KeyID() {
		t.Fatalf("second process: %v, %v; want key %s", again, err, first.KeyID())
	}
	raw, err := s.LabelKeyGet(context.Background(), first.KeyID()+".key")
	if err != nil || len(raw) == 0 || bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Errorf("stored private key %q, %v; want it encrypted", raw, err)
	}
	other, err := keys(strings.Repeat("cd", label.SecretSize))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Signer(); !errors.Is(err, label.ErrWrongSecret) {
		t.Errorf("another secret signs: %v", err)
	}
}
