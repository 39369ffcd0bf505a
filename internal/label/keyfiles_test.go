// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// memFiles is KeyFiles in memory, as a database table keeps them.
type memFiles map[string][]byte

func (m memFiles) Read(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return b, nil
}
func (m memFiles) Write(name string, data []byte) error { m[name] = data; return nil }
func (m memFiles) CreatePrivate(name string, data []byte) error {
	if _, ok := m[name]; ok {
		return fmt.Errorf("%s exists", name)
	}
	m[name] = data
	return nil
}
func (m memFiles) ReadPrivate(name string) ([]byte, error) { return m.Read(name) }
func (m memFiles) Remove(name string) error {
	if _, ok := m[name]; !ok {
		return fs.ErrNotExist
	}
	delete(m, name)
	return nil
}
func (m memFiles) Where() string { return "memory" }

// TestSealKeyFiles: a key store whose files are sealed keeps no private
// key in the clear, signs and rotates as a directory does, and refuses a
// private key under another secret or another name.
func TestSealKeyFiles(t *testing.T) {
	t.Parallel()
	secret := bytes.Repeat([]byte{7}, SecretSize)
	mem := memFiles{}
	files, err := SealKeyFiles(mem, secret, "VIGIL_KEYS_SECRET")
	if err != nil {
		t.Fatal(err)
	}
	ks := NewKeyStore(files, time.Now, nil)
	var made []string
	ks.OnCreate(func(kid string) { made = append(made, kid) })
	s1, err := ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s1.Sign(labelA(t))
	if err != nil {
		t.Fatal(err)
	}
	priv := mem[s1.KeyID()+".key"]
	if len(priv) == 0 || bytes.Contains(priv, []byte("PRIVATE KEY")) {
		t.Fatalf("private key kept as %q; want it encrypted", priv)
	}
	if !strings.Contains(ks.Where(), "encrypted with the secret of VIGIL_KEYS_SECRET") {
		t.Errorf("Where = %q", ks.Where())
	}
	again, err := NewKeyStore(files, time.Now, nil).Signer()
	if err != nil || again.KeyID() != s1.KeyID() {
		t.Fatalf("reopened: %v, %v", again, err)
	}
	s2, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mem[s1.KeyID()+".key"]; ok {
		t.Error("retired private key kept")
	}
	if len(made) != 2 || made[0] != s1.KeyID() || made[1] != s2.KeyID() {
		t.Errorf("OnCreate saw %v", made)
	}
	kr, err := ks.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	if v := Verify(doc, kr, issued, nil); !v.OK() {
		t.Errorf("label of the retired key: %s %s", v.Status, v.Reason)
	}

	other, _ := SealKeyFiles(mem, bytes.Repeat([]byte{8}, SecretSize), "file other.secret")
	if _, err := NewKeyStore(other, time.Now, nil).Signer(); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("another secret: %v; want ErrWrongSecret", err)
	}
	mem["swapped.key"] = mem[s2.KeyID()+".key"]
	if _, err := files.ReadPrivate("swapped.key"); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("a private key under another name: %v; want ErrWrongSecret", err)
	}
	if _, err := SealKeyFiles(mem, secret[:16], "short"); err == nil {
		t.Error("a 16-byte secret accepted")
	}
}
