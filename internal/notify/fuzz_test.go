// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
)

// FuzzVerify feeds arbitrary signature headers: Verify must return one of
// its errors (never panic) and accept only what Sign produced.
func FuzzVerify(f *testing.F) {
	secret := []byte("fuzz secret")
	at := time.Unix(1748858400, 0)
	body := []byte(`{"id":"vigil-n1-webhook-abc"}`)
	f.Add(notify.Sign(secret, at, body), body)
	f.Add("t=1748858400,v1=", body)
	f.Add("t=,v1=00,v1=zz", []byte{})
	f.Add("v1=0000000000000000000000000000000000000000000000000000000000000000,t=1748858400", body)
	f.Fuzz(func(t *testing.T, header string, b []byte) {
		err := notify.Verify(secret, header, b, at, time.Minute)
		switch {
		case err == nil:
			if header != notify.Sign(secret, at, b) && !containsValidSig(secret, header, b) {
				t.Errorf("accepted %q", header)
			}
		case errors.Is(err, notify.ErrSignatureMissing), errors.Is(err, notify.ErrSignatureInvalid), errors.Is(err, notify.ErrSignatureStale):
		default:
			t.Errorf("unexpected error %v", err)
		}
	})
}

// containsValidSig reports whether header carries, among others, a v1
// signature that Sign would make for its own timestamp.
func containsValidSig(secret []byte, header string, body []byte) bool {
	for ts := int64(1748858400 - 60); ts <= 1748858400+60; ts++ {
		want := notify.Sign(secret, time.Unix(ts, 0), body)
		// Hex is case-insensitive: an upper-case copy is the same signature.
		if contains(strings.ToLower(header), want[len("t=1748858400,"):]) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// FuzzParseAckToken: a token either names the notice it was made for or
// is refused as not found.
func FuzzParseAckToken(f *testing.F) {
	key := []byte("fuzz ack key")
	f.Add(notify.AckToken(key, 42))
	f.Add("")
	f.Add("AAAAAAAAACoAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := notify.ParseAckToken(key, tok)
		if err != nil {
			if errs.CodeOf(err) != errs.NotFound {
				t.Errorf("error %v is not not_found", err)
			}
			return
		}
		if notify.AckToken(key, id) != tok {
			t.Errorf("accepted %q for notice %d", tok, id)
		}
	})
}

// FuzzParseSMTPURL: any input parses or fails as invalid, and the error
// never repeats a password.
func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{"smtp://u:pw@mail.example.nl:587?starttls=required&from=a@b.example", "smtps://relay.example.nl", "smtp://[::1]:25?starttls=none", "smtp://x?connections=99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := notify.ParseSMTPURL(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("error %v is not invalid", err)
			}
			return
		}
		if c.Port < 1 || c.Port > 65535 || c.Host == "" {
			t.Errorf("parsed %q to %+v", s, c)
		}
	})
}
