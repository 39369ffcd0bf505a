// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/securitytxt"
)

// FuzzSecurityTxt checks that Validate never panics, that a report is
// consistent with itself, and that the fields survive Format and a second
// parse unchanged.
func FuzzSecurityTxt(f *testing.F) {
	key := newKey(f, "security@example.com")
	for _, name := range []string{"large-tech.txt", "government-nl-crlf.txt", "draft-era.txt", "soft-404.html", "signed-body.txt"} {
		f.Add(readTestdata(f, name))
	}
	f.Add(sign(f, key, readTestdata(f, "signed-body.txt")))
	f.Add([]byte(minimal))
	f.Add([]byte("\xef\xbb\xbfContact : mailto:x\r\nExpires:2026-01-01\n- Hiring: \x00"))
	opts := securitytxt.Options{Now: testNow, Keyring: openpgp.EntityList{key}}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := securitytxt.Validate(b, opts)
		if r.Valid != (len(r.Errors) == 0) {
			t.Fatalf("Valid = %v with %d errors", r.Valid, len(r.Errors))
		}
		lines := bytes.Count(b, []byte("\n")) + 1
		for want, list := range [][]securitytxt.Issue{r.Errors, r.Recommendations, r.Notifications} {
			for _, is := range list {
				if int(is.Code.Level()) != want {
					t.Fatalf("%s (%s) filed as level %d", is.Code, is.Code.Level(), want)
				}
				if is.Line < 0 || int(is.Line) > lines {
					t.Fatalf("%s at line %d of %d", is.Code, is.Line, lines)
				}
			}
		}
		out := r.Fields.Format()
		back := securitytxt.Validate(out, securitytxt.Options{Now: testNow, MaxSize: len(out) + 1})
		if diff := cmp.Diff(r.Fields, back.Fields); diff != "" {
			t.Fatalf("fields changed by Format of %q -> %q (-want +got):\n%s", b, out, diff)
		}
		for _, c := range r.Contacts() {
			if strings.ContainsAny(c, "\n") {
				t.Fatalf("contact %q holds a line feed", c)
			}
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	key := newKey(b, "security@example.com")
	signed := sign(b, key, readTestdata(b, "signed-body.txt"))
	cases := []struct {
		name string
		body []byte
		opts securitytxt.Options
	}{
		{"unsigned", readTestdata(b, "large-tech.txt"), securitytxt.Options{Now: testNow}},
		{"signed_no_key", signed, securitytxt.Options{Now: testNow}},
		{"signed_verify", signed, securitytxt.Options{Now: testNow, Keyring: openpgp.EntityList{key}}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				r := securitytxt.Validate(bc.body, bc.opts)
				if len(r.Fields["contact"]) == 0 {
					b.Fatal("no contact parsed")
				}
			}
		})
	}
}
