// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package source_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"vigil/internal/source"
)

// TestCredentialsNeverShown formats a source with credentials every way a
// program prints or logs it: the key and the secret appear in none.
func TestCredentialsNeverShown(t *testing.T) {
	c := source.Credentials{Key: "key-4d1f", Secret: "secret-8a2e"}
	s := source.Source{Name: "ss", Kind: source.KindShadowserver, Credentials: c}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "source", s, "creds", c)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "source", s, "creds", c)
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	cj, _ := json.Marshal(c)
	for name, text := range map[string]string{
		"v": fmt.Sprintf("%v", s), "+v": fmt.Sprintf("%+v", s), "#v": fmt.Sprintf("%#v", s), "s": fmt.Sprint(c),
		"json": string(js), "json_credentials": string(cj), "slog": logs.String(),
	} {
		if strings.Contains(text, c.Key) || strings.Contains(text, c.Secret) {
			t.Errorf("%s shows the credentials: %s", name, text)
		}
	}
}

// TestSeal: sealed credentials open under the same key only, and the
// sealed text holds neither part in clear.
func TestSeal(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	c := source.Credentials{Key: "key-4d1f", Secret: "secret-8a2e"}
	sealed, err := source.Seal(key, c)
	if err != nil || sealed == "" || strings.Contains(sealed, c.Secret) {
		t.Fatalf("Seal = %q, %v", sealed, err)
	}
	if got, err := source.Unseal(key, sealed); err != nil || got != c {
		t.Errorf("Unseal = %v, %v", got == c, err)
	}
	if _, err := source.Unseal(bytes.Repeat([]byte{8}, 32), sealed); err == nil {
		t.Error("opened under another key")
	}
	if none, err := source.Seal(key, source.Credentials{}); err != nil || none != "" {
		t.Errorf("Seal of no credentials = %q, %v", none, err)
	}
}

// TestSilent is the silence rule of the missing-feed alert.
func TestSilent(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	data := t0.Add(10 * time.Hour)
	day := source.Duration(24 * time.Hour)
	for _, tc := range []struct {
		name string
		src  source.Source
		at   time.Duration
		want bool
	}{
		{"no_expectation", source.Source{Created: t0}, 100 * time.Hour, false},
		{"new_source_quiet_36h", source.Source{Created: t0, Expect: day}, 36 * time.Hour, false},
		{"new_source_quiet_37h", source.Source{Created: t0, Expect: day}, 37 * time.Hour, true},
		{"since_last_data", source.Source{Created: t0, Expect: day, LastData: &data}, 40 * time.Hour, false},
		{"own_alert_after", source.Source{Created: t0, Expect: day, AlertAfter: source.Duration(2 * time.Hour)}, 3 * time.Hour, true},
		{"paused", source.Source{Created: t0, Expect: day, Paused: true}, 100 * time.Hour, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.src.Silent(t0.Add(tc.at)); got != tc.want {
				t.Errorf("Silent = %v; want %v", got, tc.want)
			}
		})
	}
}

// TestRetryIn is the backoff of a failing source's next run.
func TestRetryIn(t *testing.T) {
	for _, tc := range []struct {
		name     string
		every    time.Duration
		failures int
		want     time.Duration
	}{
		{"first_failure", time.Hour, 1, time.Minute},
		{"second_failure", time.Hour, 2, 2 * time.Minute},
		{"fifth_failure", time.Hour, 5, 16 * time.Minute},
		{"capped_at_interval", time.Hour, 10, time.Hour},
		{"daily_source_tenth", 24 * time.Hour, 10, 512 * time.Minute},
		{"every_minute", time.Minute, 3, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := source.Source{Every: source.Duration(tc.every)}
			if got := s.RetryIn(tc.failures); got != tc.want {
				t.Errorf("RetryIn(%d) = %s; want %s", tc.failures, got, tc.want)
			}
		})
	}
}
