// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package dkimkey keeps the service's DKIM signing key (RFC 6376) and its
// DNS record: it generates the key into the key directory the label keys
// live in (mode 0600, refused when wider), writes the TXT record that
// receivers look the key up in, and checks that the record published in
// DNS matches the key, by reading it and by verifying a signed probe
// message against it the way a receiver does.
package dkimkey

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"vigil/internal/errs"
)

// Algorithm is a DKIM key type.
type Algorithm string

// The key types. RSA (2048 bits) is what every receiver verifies; Ed25519
// (RFC 8463) is smaller but not yet verified everywhere.
const (
	RSA     Algorithm = "rsa"
	Ed25519 Algorithm = "ed25519"
)

// DefaultSelector is the selector when none is configured.
const DefaultSelector = "vigil"

// ErrKeyPermissions is returned for a private key file that others may
// read or write.
var ErrKeyPermissions = errors.New("DKIM key file must have mode 0600")

// FileName returns the key file of selector in a key directory.
func FileName(selector string) string { return "dkim-" + selector + ".key" }

// Generate makes a new key of algorithm alg from rnd (crypto/rand when nil).
func Generate(alg Algorithm, rnd io.Reader) (crypto.Signer, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	switch alg {
	case RSA, "":
		return rsa.GenerateKey(rnd, 2048)
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rnd)
		return priv, err
	}
	return nil, errs.Field("algorithm", alg, "must be rsa or ed25519")
}

// Save writes key to path as PKCS #8 PEM with mode 0600, creating the
// directory (0700). An existing file is errs.Conflict: replacing a
// published key breaks every signature until DNS follows.
func Save(path string, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("dkim key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("dkim key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errs.Errorf(errs.Conflict, "%s exists: a DKIM key is already set up (remove it first to replace it, then publish the new record)", path)
	}
	if err != nil {
		return fmt.Errorf("dkim key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("dkim key: write %s: %w", path, err)
	}
	return f.Close()
}

// Load reads a PEM private key (PKCS #8, or PKCS #1 for RSA) from path.
// A file others may read is refused with ErrKeyPermissions.
func Load(path string) (crypto.Signer, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.Errorf(errs.NotFound, "no DKIM key at %s (vigil mail dkim init makes one)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("dkim key %s has mode %04o: %w", path, st.Mode().Perm(), ErrKeyPermissions)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	key, err := Parse(b)
	if err != nil {
		return nil, errs.Field("dkim key", path, err.Error())
	}
	return key, nil
}

// Parse reads a PEM private key: PKCS #8 (RSA or Ed25519) or PKCS #1 RSA.
func Parse(pemBytes []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("not a PEM private key")
	}
	if block.Type == "RSA PRIVATE KEY" {
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("a %T is neither an RSA nor an Ed25519 key", k)
}

// publicBytes returns the p= value of pub: the DER SubjectPublicKeyInfo of
// an RSA key, the raw 32 bytes of an Ed25519 key (RFC 8463 §4.2).
func publicBytes(pub crypto.PublicKey) (string, []byte, error) {
	switch p := pub.(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		return string(RSA), der, err
	case ed25519.PublicKey:
		return string(Ed25519), []byte(p), nil
	}
	return "", nil, fmt.Errorf("unsupported DKIM public key %T", pub)
}

// Record is the DNS TXT record that publishes a key.
type Record struct {
	// Name is the owner name: selector._domainkey.domain.
	Name string `json:"name"`
	// Value is the record's text.
	Value string `json:"value"`
}

// RecordName returns the owner name of selector's record in domain.
func RecordName(selector, domain string) string {
	return selector + "._domainkey." + strings.TrimSuffix(domain, ".")
}

// RecordFor returns the record publishing key for selector in domain.
func RecordFor(key crypto.Signer, selector, domain string) (Record, error) {
	k, p, err := publicBytes(key.Public())
	if err != nil {
		return Record{}, err
	}
	return Record{Name: RecordName(selector, domain), Value: "v=DKIM1; k=" + k + "; p=" + base64.StdEncoding.EncodeToString(p)}, nil
}

// Zone returns the record as a zone-file line. A TXT character string
// holds at most 255 bytes (RFC 1035 §3.3), so a longer value (an RSA key)
// is split into several, which receivers join.
func (r Record) Zone() string {
	var parts []string
	for v := r.Value; v != ""; {
		n := min(len(v), 255)
		parts = append(parts, `"`+v[:n]+`"`)
		v = v[n:]
	}
	return r.Name + ". IN TXT ( " + strings.Join(parts, " ") + " )"
}

// Resolver looks up TXT records; *net.Resolver satisfies it.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// NewResolver returns a resolver that asks the DNS server at addr
// (host:port, over UDP and, for long answers, TCP) instead of the
// system's; addr "" is the system resolver.
func NewResolver(addr string) Resolver {
	if addr == "" {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// Status is the outcome of a check.
type Status string

// The outcomes.
const (
	// Match: the published key is the key, and a signed probe verifies.
	Match Status = "match"
	// Mismatch: a record is published but holds another key (or is
	// revoked, or is not a usable DKIM key record).
	Mismatch Status = "mismatch"
	// Missing: no TXT record at the name.
	Missing Status = "missing"
)

// Check is what a check found.
type Check struct {
	Status Status `json:"status"`
	// Record is the record that should be published.
	Record Record `json:"record"`
	// Published are the TXT strings found at the name.
	Published []string `json:"published"`
	// Reason says why a check did not match.
	Reason string `json:"reason,omitempty"`
}

// CheckDNS looks selector's record in domain up with r and compares it
// with key: the record must be a DKIM key record (v=DKIM1 when present,
// k= the key's type) whose p= is the key's public key, and a probe message
// signed with key must verify against the published records with
// go-msgauth's verifier, as a receiver would. A lookup that fails for
// another reason than a missing name is an error.
func CheckDNS(ctx context.Context, r Resolver, key crypto.Signer, selector, domain string) (Check, error) {
	want, err := RecordFor(key, selector, domain)
	if err != nil {
		return Check{}, err
	}
	c := Check{Record: want, Published: []string{}}
	txts, err := r.LookupTXT(ctx, want.Name)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		c.Status, c.Reason = Missing, "no TXT record at "+want.Name
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("look up %s: %w", want.Name, err)
	}
	c.Published = txts
	wantKind, wantP, _ := publicBytes(key.Public())
	var reasons []string
	found := false
	for _, txt := range txts {
		tags := parseTags(txt)
		switch {
		case tags["v"] != "" && tags["v"] != "DKIM1":
			reasons = append(reasons, fmt.Sprintf("v=%s is not DKIM1", tags["v"]))
		case cmpKind(tags["k"]) != wantKind:
			reasons = append(reasons, fmt.Sprintf("k=%s, the key is %s", cmpKind(tags["k"]), wantKind))
		case tags["p"] == "":
			reasons = append(reasons, "p= is empty: the key is revoked")
		default:
			p, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(tags["p"]), ""))
			switch {
			case err != nil:
				reasons = append(reasons, "p= is not base64")
			case !bytes.Equal(p, wantP):
				reasons = append(reasons, "p= holds another public key")
			default:
				found = true
			}
		}
	}
	if !found {
		c.Status, c.Reason = Mismatch, strings.Join(reasons, "; ")
		if len(txts) == 0 {
			c.Reason = "the name has no TXT strings"
		}
		return c, nil
	}
	if err := probe(key, selector, domain, txts); err != nil {
		c.Status, c.Reason = Mismatch, "a signed probe does not verify: "+err.Error()
		return c, nil
	}
	c.Status = Match
	return c, nil
}

// cmpKind is a record's k= tag with its default (rsa, RFC 6376 §3.6.1).
func cmpKind(k string) string {
	if k == "" {
		return string(RSA)
	}
	return strings.ToLower(k)
}

// parseTags reads a tag=value list (RFC 6376 §3.2).
func parseTags(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// probe signs a small message with key and verifies it against txts with
// go-msgauth, the verifier receivers use.
func probe(key crypto.Signer, selector, domain string, txts []string) error {
	msg := "From: probe@" + domain + "\r\nTo: probe@" + domain + "\r\nSubject: vigil DKIM probe\r\nDate: " +
		time.Now().UTC().Format(time.RFC1123Z) + "\r\n\r\nprobe\r\n"
	var signed bytes.Buffer
	if err := dkim.Sign(&signed, strings.NewReader(msg), &dkim.SignOptions{Domain: domain, Selector: selector, Signer: key}); err != nil {
		return err
	}
	vs, err := dkim.VerifyWithOptions(&signed, &dkim.VerifyOptions{LookupTXT: func(name string) ([]string, error) {
		if name != RecordName(selector, domain) {
			return nil, &net.DNSError{Err: "unexpected name", Name: name, IsNotFound: true}
		}
		return txts, nil
	}})
	if err != nil {
		return err
	}
	if len(vs) != 1 {
		return fmt.Errorf("%d signatures", len(vs))
	}
	return vs[0].Err
}
