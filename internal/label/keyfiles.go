// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeyFiles is where a KeyStore keeps its files (the public keys document
// and private keys), by name: a directory (DirKeyFiles) or a database
// table wired in by the application layer.
type KeyFiles interface {
	// Read returns file name; an error wrapping fs.ErrNotExist when it
	// does not exist.
	Read(name string) ([]byte, error)
	// Write creates or replaces the public file name.
	Write(name string, data []byte) error
	// CreatePrivate writes the new private file name; it fails when the
	// file exists.
	CreatePrivate(name string, data []byte) error
	// ReadPrivate returns private file name.
	ReadPrivate(name string) ([]byte, error)
	// Remove deletes file name.
	Remove(name string) error
	// Where says where the files are and what to back up, for messages.
	Where() string
}

// DirKeyFiles keeps key files in a directory: private files mode 0600 (a
// wider mode is refused with ErrKeyPermissions), the document replaced
// atomically.
type DirKeyFiles string

// Read implements KeyFiles.
func (d DirKeyFiles) Read(name string) ([]byte, error) { return os.ReadFile(d.path(name)) }

// Write implements KeyFiles.
func (d DirKeyFiles) Write(name string, data []byte) error {
	return writeFileAtomic(d.path(name), data, 0o644)
}

// CreatePrivate implements KeyFiles.
func (d DirKeyFiles) CreatePrivate(name string, data []byte) error {
	path := d.path(name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ReadPrivate implements KeyFiles.
func (d DirKeyFiles) ReadPrivate(name string) ([]byte, error) {
	path := d.path(name)
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %04o: %w", path, st.Mode().Perm(), ErrKeyPermissions)
	}
	return os.ReadFile(path)
}

// Remove implements KeyFiles.
func (d DirKeyFiles) Remove(name string) error { return os.Remove(d.path(name)) }

// Where implements KeyFiles.
func (d DirKeyFiles) Where() string {
	abs, err := filepath.Abs(string(d))
	if err != nil {
		abs = string(d)
	}
	return "directory " + abs + " (back it up: its private key signs every label)"
}

func (d DirKeyFiles) path(name string) string { return filepath.Join(string(d), name) }

// SecretSize is the size of the secret SealKeyFiles encrypts private keys
// with (AES-256).
const SecretSize = 32

// ErrWrongSecret is returned for a private key that does not decrypt
// with the configured secret.
var ErrWrongSecret = errors.New("private key does not decrypt with the configured secret (another secret, or damaged)")

// SealKeyFiles encrypts the private files of inner with AES-256-GCM under
// secret (SecretSize bytes), authenticated with the file's name; public
// files pass through. secretName says where the secret comes from, for
// Where.
func SealKeyFiles(inner KeyFiles, secret []byte, secretName string) (KeyFiles, error) {
	if len(secret) != SecretSize {
		return nil, fmt.Errorf("key secret %s: %d bytes, want %d", secretName, len(secret), SecretSize)
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, fmt.Errorf("key secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key secret: %w", err)
	}
	return sealed{KeyFiles: inner, aead: aead, secretName: secretName}, nil
}

type sealed struct {
	KeyFiles
	aead       cipher.AEAD
	secretName string
}

func (s sealed) CreatePrivate(name string, data []byte) error {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(data)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	return s.KeyFiles.CreatePrivate(name, s.aead.Seal(nonce, nonce, data, []byte(name)))
}

func (s sealed) ReadPrivate(name string) ([]byte, error) {
	b, err := s.KeyFiles.ReadPrivate(name)
	if err != nil {
		return nil, err
	}
	n := s.aead.NonceSize()
	if len(b) < n {
		return nil, ErrWrongSecret
	}
	out, err := s.aead.Open(nil, b[:n], b[n:], []byte(name))
	if err != nil {
		return nil, ErrWrongSecret
	}
	return out, nil
}

func (s sealed) Where() string {
	return s.KeyFiles.Where() + ", private keys encrypted with the secret of " + s.secretName + " (back up both, apart: the database alone cannot sign)"
}
