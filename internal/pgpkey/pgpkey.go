// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package pgpkey is the service's OpenPGP key: generated and kept with the
// label keys (mode 0600), notices signed with it as PGP/MIME (RFC 3156,
// multipart/signed), and its public key published in a Web Key Directory
// (the WKD layout: /.well-known/openpgpkey/hu/<z-base-32 of the SHA-1 of
// the lowercased local part>).
package pgpkey

import (
	"bytes"
	"crypto"
	"crypto/sha1" //nolint:gosec // SHA-1 is what the WKD layout hashes with
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"vigil/internal/errs"
)

// FileName is the key's file in the key directory.
const FileName = "openpgp.key"

// WKDPrefix is the path of the Web Key Directory's keys ("direct method").
const WKDPrefix = "/.well-known/openpgpkey/hu/"

// WKDPolicy is the path of the Web Key Directory's policy file, whose
// presence tells clients the directory exists.
const WKDPolicy = "/.well-known/openpgpkey/policy"

// Key is the service's OpenPGP key. Sign and the public accessors are safe
// for concurrent use.
type Key struct {
	e *openpgp.Entity
}

// Generate makes an Ed25519 key for the user id "name <address>".
func Generate(name, address string, now time.Time) (*Key, error) {
	if _, err := mail.ParseAddress(address); err != nil || !strings.Contains(address, "@") {
		return nil, errs.Field("from", address, "an OpenPGP key needs the service's e-mail address")
	}
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA256, Time: func() time.Time { return now }}
	e, err := openpgp.NewEntity(name, "", address, cfg)
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	return &Key{e: e}, nil
}

// Save writes the private key, armored, to path with mode 0600, creating
// its directory; an existing file is errs.Conflict.
func (k *Key) Save(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("openpgp key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return errs.Errorf(errs.Conflict, "%s exists: an OpenPGP key is already set up", path)
	}
	if err != nil {
		return fmt.Errorf("openpgp key: %w", err)
	}
	w, err := armor.Encode(f, openpgp.PrivateKeyType, nil)
	if err == nil {
		err = k.e.SerializePrivate(w, nil)
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("openpgp key %s: %w", path, err)
	}
	return nil
}

// Load reads a key written by Save. A missing file is errs.NotFound; a
// file others may read is refused.
func Load(path string) (*Key, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.Errorf(errs.NotFound, "no OpenPGP key at %s", path)
	}
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, errs.Field("openpgp-key", path, fmt.Sprintf("mode %v: the private key must be readable by its owner only (0600)", st.Mode().Perm()))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	if err != nil || len(el) != 1 || el[0].PrivateKey == nil {
		return nil, errs.Field("openpgp-key", path, "not one armored OpenPGP private key")
	}
	return &Key{e: el[0]}, nil
}

// Fingerprint is the primary key's fingerprint in upper-case hex.
func (k *Key) Fingerprint() string {
	return strings.ToUpper(hex.EncodeToString(k.e.PrimaryKey.Fingerprint))
}

// Address is the e-mail address of the key's user id.
func (k *Key) Address() string {
	if id := k.e.PrimaryIdentity(); id != nil && id.UserId != nil {
		return id.UserId.Email
	}
	return ""
}

// Public returns the public key (binary packets, as a WKD serves it).
func (k *Key) Public() ([]byte, error) {
	var b bytes.Buffer
	if err := k.e.Serialize(&b); err != nil {
		return nil, fmt.Errorf("openpgp public key: %w", err)
	}
	return b.Bytes(), nil
}

// ArmoredPublic returns the public key armored, as a page shows it.
func (k *Key) ArmoredPublic() (string, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return "", err
	}
	if err := k.e.Serialize(w); err != nil {
		return "", fmt.Errorf("openpgp public key: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return b.String() + "\n", nil
}

// Keyring returns the public key alone as a key ring, for verification.
func (k *Key) Keyring() (openpgp.EntityList, error) {
	pub, err := k.Public()
	if err != nil {
		return nil, err
	}
	return openpgp.ReadKeyRing(bytes.NewReader(pub))
}

// zbase32 is the alphabet of z-base-32 (the WKD hash's encoding).
const zbase32 = "ybndrfg8ejkmcpqxot1uwisza345h769"

// WKDHash returns the Web Key Directory name of an address: the
// z-base-32 encoding of the SHA-1 of its lowercased local part.
func WKDHash(address string) string {
	local, _, _ := strings.Cut(address, "@")
	sum := sha1.Sum([]byte(strings.ToLower(local))) //nolint:gosec // the WKD layout
	var out strings.Builder
	var acc uint32
	bits := 0
	for _, c := range sum {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			out.WriteByte(zbase32[(acc>>(bits-5))&31])
			bits -= 5
		}
	}
	if bits > 0 {
		out.WriteByte(zbase32[(acc<<(5-bits))&31])
	}
	return out.String()
}

// WKDPath returns the path at which a Web Key Directory serves the key of
// address.
func WKDPath(address string) string {
	local, _, _ := strings.Cut(address, "@")
	return WKDPrefix + WKDHash(address) + "?l=" + local
}

// crlf returns b with every line ending CRLF.
func crlf(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// mimePart reports whether a header field describes the body as a MIME
// part: such fields move with it into the signed part; every other field
// (Content-Language included) stays in the message header.
func mimePart(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "content-type", "content-transfer-encoding", "content-disposition", "content-id", "content-description":
		return true
	}
	return false
}

// Sign returns the mail raw signed as PGP/MIME (RFC 3156): its MIME part
// header fields (mimePart) and body become the first part of a multipart/signed
// message, the detached signature (made at at) its second; every other
// header field stays outside. The same message and time give the same
// bytes, so a repeated delivery attempt sends the same message.
func (k *Key) Sign(raw []byte, at time.Time) ([]byte, error) {
	raw = crlf(raw)
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		return nil, errors.New("openpgp sign: the message has no body")
	}
	// Header fields with their continuation lines.
	var fields []string
	for _, line := range strings.Split(string(head), "\r\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(fields) > 0 {
			fields[len(fields)-1] += "\r\n" + line
		} else if line != "" {
			fields = append(fields, line)
		}
	}
	var outer, content []string
	for _, f := range fields {
		name, _, _ := strings.Cut(f, ":")
		if mimePart(name) {
			content = append(content, f)
		} else {
			outer = append(outer, f)
		}
	}
	signed := []byte(strings.Join(content, "\r\n") + "\r\n\r\n" + string(body))
	var sig bytes.Buffer
	cfg := &packet.Config{DefaultHash: crypto.SHA256, Time: func() time.Time { return at }}
	if err := openpgp.ArmoredDetachSign(&sig, k.e, bytes.NewReader(signed), cfg); err != nil {
		return nil, fmt.Errorf("openpgp sign: %w", err)
	}
	sum := sha256.Sum256(signed) // a boundary that cannot occur in the signed part
	boundary := "vigil-signed-" + hex.EncodeToString(sum[:12])
	var out bytes.Buffer
	for _, h := range outer {
		out.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&out, "Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; boundary=\"%s\"\r\n\r\n", boundary)
	out.WriteString("This is an OpenPGP/MIME signed message (RFC 3156).\r\n")
	fmt.Fprintf(&out, "--%s\r\n", boundary)
	out.Write(signed)
	fmt.Fprintf(&out, "\r\n--%s\r\n", boundary)
	out.WriteString("Content-Type: application/pgp-signature; name=\"signature.asc\"\r\nContent-Description: OpenPGP digital signature\r\nContent-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n")
	out.Write(crlf(sig.Bytes()))
	fmt.Fprintf(&out, "\r\n--%s--\r\n", boundary)
	return out.Bytes(), nil
}

// Verify checks a PGP/MIME signed message against keyring and returns the
// signer. A message that is not multipart/signed, or whose signed part was
// changed, is an error.
func Verify(raw []byte, keyring openpgp.KeyRing) (*openpgp.Entity, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openpgp verify: %w", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/signed" || params["protocol"] != "application/pgp-signature" || params["boundary"] == "" {
		return nil, errors.New("openpgp verify: not a PGP/MIME signed message")
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return nil, fmt.Errorf("openpgp verify: %w", err)
	}
	delim := []byte("--" + params["boundary"] + "\r\n")
	start := bytes.Index(body, delim)
	if start < 0 || (start > 0 && body[start-1] != '\n') {
		return nil, errors.New("openpgp verify: no signed part")
	}
	rest := body[start+len(delim):]
	end := bytes.Index(rest, []byte("\r\n--"+params["boundary"]))
	if end < 0 {
		return nil, errors.New("openpgp verify: the signed part does not end")
	}
	signed := rest[:end]
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	if _, err := mr.NextRawPart(); err != nil {
		return nil, fmt.Errorf("openpgp verify: %w", err)
	}
	sigPart, err := mr.NextRawPart()
	if err != nil {
		return nil, fmt.Errorf("openpgp verify: no signature part: %w", err)
	}
	if ct, _, _ := mime.ParseMediaType(sigPart.Header.Get("Content-Type")); ct != "application/pgp-signature" {
		return nil, fmt.Errorf("openpgp verify: the second part is %q, not application/pgp-signature", ct)
	}
	signer, err := openpgp.CheckArmoredDetachedSignature(keyring, bytes.NewReader(signed), sigPart, nil)
	if err != nil {
		return nil, fmt.Errorf("openpgp verify: %w", err)
	}
	return signer, nil
}
