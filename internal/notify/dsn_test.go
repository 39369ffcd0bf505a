// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/notify"
)

func TestParseDSN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		failed  []string
		status  string
		origID  string
		wantErr error
	}{
		{"bsd-lhost-postfix-30.eml", []string{"kijitora@example.br"}, "5.4.1", "", nil},
		{"bsd-lhost-sendmail-01.eml", []string{"userunknown@bouncehammer.jp"}, "5.1.1", "E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org", nil},
		{"dos-rhost-exchangeonline-01.eml", []string{"kijitora@example.com"}, "5.7.606", "00000000000000000000000000000000000000000000000@example.net", nil},
		{"mac-rhost-outlook-01.eml", []string{"kijitora@example.jp"}, "5.2.2", "BLU436-SMTP6645ECA6E7FEFFE86D040BBA770@phx.gbl", nil},
		// No machine-readable report: X-Failed-Recipients only.
		{"dos-lhost-exim-01.eml", []string{"kijitora@example.ed.jp"}, "", "", nil},
		{"dos-lhost-googleworkspace-01.eml", []string{"neko-nyaan-cat-meeting@google-groups.example.com"}, "", "CAByYQsF5qdTf_h-1AAVPW0RgR1YN+LE=+0Uv9LpQ4aA_myPtCw@mail.gmail.com", nil},
		// An abuse report (ARF) is not a bounce.
		{"bsd-arf-22.eml", nil, "", "", notify.ErrNotDSN},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join("testdata", "dsn", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := notify.ParseDSN(f)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ParseDSN = %v; want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.failed, d.FailedAddresses()); diff != "" {
				t.Errorf("failed addresses (-want +got):\n%s", diff)
			}
			status := ""
			if len(d.Recipients) > 0 {
				status = d.Recipients[0].Status
				if !d.Recipients[0].Failed() {
					t.Errorf("recipient %+v not failed", d.Recipients[0])
				}
			}
			if status != tc.status || d.OriginalMessageID != tc.origID {
				t.Errorf("status %q, original id %q; want %q, %q", status, d.OriginalMessageID, tc.status, tc.origID)
			}
		})
	}
}

func TestParseDSNDelayedIsNotFailed(t *testing.T) {
	t.Parallel()
	// RFC 3464 §2.3.3: "delayed" is no failure; a base64-encoded report
	// part is decoded.
	b, err := os.ReadFile("testdata/dsn/bsd-lhost-postfix-30.eml")
	if err != nil {
		t.Fatal(err)
	}
	delayed := bytes.Replace(bytes.Replace(b, []byte("Action: failed"), []byte("Action: delayed"), 1), []byte("Status: 5.4.1"), []byte("Status: 4.4.7"), 1)
	d, err := notify.ParseDSN(bytes.NewReader(delayed))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.FailedAddresses()) != 0 || d.Recipients[0].Action != "delayed" {
		t.Errorf("delayed report: %+v", d)
	}
	if _, err := notify.ParseDSN(strings.NewReader("not a message")); err == nil {
		t.Error("garbage parsed")
	}
}

func FuzzParseDSN(f *testing.F) {
	files, _ := filepath.Glob("testdata/dsn/*.eml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := notify.ParseDSN(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, a := range d.FailedAddresses() {
			if !strings.Contains(a, "@") {
				t.Errorf("failed address without @: %q", a)
			}
		}
	})
}
