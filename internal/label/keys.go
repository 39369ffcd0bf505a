// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"vigil/internal/errs"
)

// KeyStatus says whether a key signs new labels.
type KeyStatus string

// Key statuses.
const (
	Active  KeyStatus = "active"  // signs new labels
	Retired KeyStatus = "retired" // only verifies labels issued before it was retired
)

// ErrKeyPermissions is returned when a private key file is readable or
// writable by anyone but its owner.
var ErrKeyPermissions = errors.New("private key file must have mode 0600")

// KeyID returns the id of a public key: the first 8 bytes of its SHA-256,
// in lowercase hex (16 characters).
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKey is one key of a keyring.
type PublicKey struct {
	ID      string
	Key     ed25519.PublicKey
	Status  KeyStatus
	Created time.Time
	// Retired is when the key stopped signing; zero while active. Labels
	// claiming a later issue date are refused.
	Retired time.Time
}

// Keyring is a set of public keys that labels are verified against. The
// zero value is an empty keyring. It is not modified after creation and is
// safe for concurrent use.
type Keyring struct {
	keys []PublicKey
}

// NewKeyring returns a keyring holding keys.
func NewKeyring(keys ...PublicKey) *Keyring { return &Keyring{keys: slices.Clone(keys)} }

// Keys returns the keys in order of creation.
func (k *Keyring) Keys() []PublicKey { return slices.Clone(k.keys) }

// Lookup returns the key with id kid.
func (k *Keyring) Lookup(kid string) (PublicKey, bool) {
	for _, p := range k.keys {
		if p.ID == kid {
			return p, true
		}
	}
	return PublicKey{}, false
}

// jwk is one entry of the keys document: RFC 8037 OKP/Ed25519 members plus
// vigil's status and dates.
type jwk struct {
	Kid     string     `json:"kid"`
	Kty     string     `json:"kty"`
	Crv     string     `json:"crv"`
	X       string     `json:"x"`
	Use     string     `json:"use,omitempty"`
	Alg     string     `json:"alg,omitempty"`
	Status  KeyStatus  `json:"status"`
	Created *time.Time `json:"created,omitempty"`
	Retired *time.Time `json:"retired,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// MarshalJWKS returns the public keys document served at
// /.well-known/vigil-keys.json:
//
//	{"keys":[{"kid":"…","kty":"OKP","crv":"Ed25519","x":"<base64url>","use":"sig",
//	          "alg":"EdDSA","status":"active|retired","created":"…","retired":"…"}]}
func (k *Keyring) MarshalJWKS() ([]byte, error) {
	doc := jwks{Keys: []jwk{}}
	for _, p := range k.keys {
		j := jwk{Kid: p.ID, Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(p.Key), Use: "sig", Alg: "EdDSA", Status: p.Status}
		if !p.Created.IsZero() {
			c := p.Created.UTC()
			j.Created = &c
		}
		if !p.Retired.IsZero() {
			r := p.Retired.UTC()
			j.Retired = &r
		}
		doc.Keys = append(doc.Keys, j)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// ParseJWKS reads a keys document written by MarshalJWKS (e.g. fetched from
// another vigil's /.well-known/vigil-keys.json). Each kid must be the id of
// its key, so a document cannot pass one key off as another.
func ParseJWKS(r io.Reader) (*Keyring, error) {
	var doc jwks
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse keys: %w", err)
	}
	kr := &Keyring{}
	for i, j := range doc.Keys {
		if j.Kty != "OKP" || j.Crv != "Ed25519" {
			return nil, errs.Field(fmt.Sprintf("keys[%d]", i), j.Kty+"/"+j.Crv, "not an Ed25519 key")
		}
		x, err := base64.RawURLEncoding.DecodeString(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, errs.Field(fmt.Sprintf("keys[%d].x", i), j.X, "not a base64url Ed25519 public key")
		}
		pub := ed25519.PublicKey(x)
		if KeyID(pub) != j.Kid {
			return nil, errs.Field(fmt.Sprintf("keys[%d].kid", i), j.Kid, "does not match the key (want "+KeyID(pub)+")")
		}
		if j.Status != Active && j.Status != Retired {
			return nil, errs.Field(fmt.Sprintf("keys[%d].status", i), j.Status, "want active or retired")
		}
		if _, dup := kr.Lookup(j.Kid); dup {
			return nil, errs.Field(fmt.Sprintf("keys[%d].kid", i), j.Kid, "duplicate key")
		}
		p := PublicKey{ID: j.Kid, Key: pub, Status: j.Status}
		if j.Created != nil {
			p.Created = *j.Created
		}
		if j.Retired != nil {
			p.Retired = *j.Retired
		}
		kr.keys = append(kr.keys, p)
	}
	return kr, nil
}

// Signer signs labels with one private key.
type Signer struct {
	kid  string
	priv ed25519.PrivateKey
}

// NewSigner returns a signer for priv.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{kid: KeyID(priv.Public().(ed25519.PublicKey)), priv: priv}
}

// KeyID returns the id of the signer's key.
func (s *Signer) KeyID() string { return s.kid }

// PublicKey returns the signer's public key.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// KeyStore keeps the issuer's keys in its KeyFiles: a directory
// (OpenKeyStore) or a database table, private keys encrypted
// (NewKeyStore with SealKeyFiles):
//
//	vigil-keys.json   public keys with status and dates (the JWKS document)
//	<kid>.key         the active private key, PKCS #8 PEM (in a directory: mode 0600)
//
// The first Signer call generates a key. Rotate generates a new active key,
// retires the old one (its public key stays in the document, its private
// key file is deleted). Private keys with a mode wider than 0600 are
// refused. A KeyStore is not safe for use by several processes at once:
// run key generation and rotation from one place.
type KeyStore struct {
	files   KeyFiles
	now     func() time.Time
	rand    io.Reader
	created func(kid string)
}

// OpenKeyStore opens (creating with mode 0700 if needed) a key directory.
// now is the clock used for key dates; rnd the randomness source
// (crypto/rand.Reader when nil).
func OpenKeyStore(dir string, now func() time.Time, rnd io.Reader) (*KeyStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	return NewKeyStore(DirKeyFiles(dir), now, rnd), nil
}

// NewKeyStore returns a key store keeping its keys in files. now is the
// clock used for key dates; rnd the randomness source (crypto/rand.Reader
// when nil).
func NewKeyStore(files KeyFiles, now func() time.Time, rnd io.Reader) *KeyStore {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &KeyStore{files: files, now: now, rand: rnd}
}

// Where says where the store keeps its keys and what to back up.
func (s *KeyStore) Where() string { return s.files.Where() }

// OnCreate makes f run with the id of every key the store generates (the
// first one, and each rotation), e.g. to say where it is kept.
func (s *KeyStore) OnCreate(f func(kid string)) { s.created = f }

const keysFile = "vigil-keys.json"

// Keyring returns the store's public keys (empty before the first key).
func (s *KeyStore) Keyring() (*Keyring, error) {
	doc, err := s.files.Read(keysFile)
	if errors.Is(err, fs.ErrNotExist) {
		return &Keyring{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	kr, err := ParseJWKS(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("key store %s: %w", s.files.Where(), err)
	}
	return kr, nil
}

// Signer returns a signer for the active key, generating the first key
// when the store is empty.
func (s *KeyStore) Signer() (*Signer, error) {
	kr, err := s.Keyring()
	if err != nil {
		return nil, err
	}
	for _, k := range kr.keys {
		if k.Status == Active {
			return s.load(k)
		}
	}
	return s.rotate(kr)
}

// Rotate makes a new active key and retires the current one.
func (s *KeyStore) Rotate() (*Signer, error) {
	kr, err := s.Keyring()
	if err != nil {
		return nil, err
	}
	return s.rotate(kr)
}

func (s *KeyStore) rotate(kr *Keyring) (*Signer, error) {
	pub, priv, err := ed25519.GenerateKey(s.rand)
	if err != nil {
		return nil, fmt.Errorf("key store: generate: %w", err)
	}
	now := s.now().UTC().Truncate(time.Second)
	kid := KeyID(pub)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	if err := s.files.CreatePrivate(kid+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	next := &Keyring{}
	var old []string
	for _, k := range kr.keys {
		if k.Status == Active {
			k.Status, k.Retired = Retired, now
			old = append(old, k.ID+".key")
		}
		next.keys = append(next.keys, k)
	}
	next.keys = append(next.keys, PublicKey{ID: kid, Key: pub, Status: Active, Created: now})
	doc, err := next.MarshalJWKS()
	if err != nil {
		return nil, err
	}
	if err := s.files.Write(keysFile, doc); err != nil {
		return nil, fmt.Errorf("key store: %w", err)
	}
	for _, name := range old {
		if err := s.files.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("key store: remove retired private key: %w", err)
		}
	}
	if s.created != nil {
		s.created(kid)
	}
	return &Signer{kid: kid, priv: priv}, nil
}

func (s *KeyStore) load(k PublicKey) (*Signer, error) {
	name := k.ID + ".key"
	b, err := s.files.ReadPrivate(name)
	if err != nil {
		return nil, fmt.Errorf("key store: active key %s: %w", k.ID, err)
	}
	where := s.files.Where() + ": " + name
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("key store: %s: not a PEM private key", where)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("key store: %s: %w", where, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key store: %s: not an Ed25519 key", where)
	}
	if KeyID(priv.Public().(ed25519.PublicKey)) != k.ID {
		return nil, fmt.Errorf("key store: %s does not hold key %s", where, k.ID)
	}
	return &Signer{kid: k.ID, priv: priv}, nil
}

func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
