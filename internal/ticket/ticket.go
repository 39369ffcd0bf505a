// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package ticket is the public reference of a notice and the access code
// that unlocks it.
//
// A Ticket (VGL-7K3P-Q9XD) names one notice in the subject and body of its
// warning instead of the internal id. It is 40 random bits in Crockford's
// base32, so it is short enough to type, cannot be guessed from another
// ticket and reads the same whatever the case or confusable letters a
// person typed (O is 0, I and L are 1). Whoever holds the ticket may learn
// that the notice is genuine, when it was sent and to which domain.
//
// The AccessCode (ten more characters, 50 bits) is printed only in the
// message body. It is derived from the ticket under an installation key,
// so nothing needs storing, and it is compared in constant time. With it
// the verification page shows the whole warning.
package ticket

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"regexp"
	"strings"

	"vigil/internal/errs"
)

// KeySetting names the installation secret that derives access codes
// (kept in the store's settings table, created on first use).
const KeySetting = "verify_code_key"

// Prefix starts every ticket.
const Prefix = "VGL"

// alphabet is Crockford's base32: digits and letters without I, L, O, U.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Ticket is a notice's public reference in canonical form, VGL-XXXX-XXXX.
// The zero value is no ticket.
type Ticket string

// String returns the ticket as printed.
func (t Ticket) String() string { return string(t) }

// New returns a random ticket read from rnd (crypto/rand when nil).
func New(rnd io.Reader) (Ticket, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var b [8]byte
	if _, err := io.ReadFull(rnd, b[3:]); err != nil {
		return "", fmt.Errorf("ticket: %w", err)
	}
	s := encode(binary.BigEndian.Uint64(b[:]), 8)
	return Ticket(Prefix + "-" + s[:4] + "-" + s[4:]), nil
}

// encode writes the low 5*n bits of v as n base32 characters.
func encode(v uint64, n int) string {
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = alphabet[v&31]
		v >>= 5
	}
	return string(out)
}

// normalise upper-cases s, drops separators (white space, hyphens, dots)
// and maps the letters people confuse with digits. ok is false when s
// holds a character outside the alphabet.
func normalise(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '\t' || r == '-' || r == '.' || r == '_':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r > 127 || !strings.ContainsRune(alphabet, r):
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// Parse reads a ticket as a person may type it: any case, with or without
// the VGL prefix and hyphens, with O for 0 and I or L for 1. A malformed
// ticket is errs.Invalid.
func Parse(s string) (Ticket, error) {
	// The prefix goes before normalise, which would read its L as 1.
	n, ok := normalise(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), Prefix))
	if !ok || len(n) != 8 {
		return "", errs.Field("ticket", s, "not a ticket (VGL- and eight letters or digits, e.g. VGL-7K3P-Q9XD)")
	}
	return Ticket(Prefix + "-" + n[:4] + "-" + n[4:]), nil
}

// findRE matches a ticket in running text, whatever its case.
var findRE = regexp.MustCompile(`(?i)\bVGL-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)

// Find returns the distinct tickets in text (a subject or a body), in
// order of appearance.
func Find(text string) []Ticket {
	var out []Ticket
	seen := map[Ticket]bool{}
	for _, m := range findRE.FindAllString(text, -1) {
		t, err := Parse(m)
		if err == nil && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Code is an access code in canonical form, XXXXX-XXXXX.
type Code string

// String returns the code as printed.
func (c Code) String() string { return string(c) }

const codeContext = "vigil-verify/1\x00"

// AccessCode returns the access code of ticket t under key.
func AccessCode(key []byte, t Ticket) Code {
	s := codeOf(key, t)
	return Code(s[:5] + "-" + s[5:])
}

// codeOf returns the ten characters of t's code under key.
func codeOf(key []byte, t Ticket) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(codeContext))
	m.Write([]byte(t))
	sum := m.Sum(nil)
	return encode(binary.BigEndian.Uint64(sum[:8])>>14, 10)
}

// Check reports whether code, as a person typed it (any case, with or
// without the hyphen, confusable letters mapped), is the access code of t
// under key. The comparison takes the same time whatever the input.
func Check(key []byte, t Ticket, code string) bool {
	n, ok := normalise(code)
	want := codeOf(key, t)
	// Compare even a malformed code, so that its length and characters do
	// not change the time taken.
	eq := hmac.Equal([]byte(n), []byte(want))
	return ok && t != "" && eq
}
