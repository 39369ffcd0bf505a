// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestNotifyRun composes the report's notices, delivers them through the
// in-process SMTP sink, and finds nothing new the second time.
func TestNotifyRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		opt := app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter}

		dry := opt
		dry.DryRun = true
		res, err := newApp(t, s, nil).NotifyRun(ctx, dry)
		if err != nil || !res.DryRun || res.Composed.Notices != 2 || res.Composed.Events != 9 || len(res.Outbox) != 0 || res.Delivery != nil {
			t.Fatalf("dry run = %+v, %v", res, err)
		}
		sink := newApp(t, s, func(c *config.Config) { c.Notify.SMTPURL = "sink:" })
		if res, err = sink.NotifyRun(ctx, opt); err != nil || res.Composed.Notices != 2 || !res.EmailReady || res.Delivery == nil || res.Delivery.Sent != 2 {
			t.Fatalf("run = %+v, %v", res, err)
		}
		if res, err = sink.NotifyRun(ctx, opt); err != nil || res.Composed.Events != 0 || res.Delivery.Attempted != 0 {
			t.Errorf("second run = %+v, %v", res, err)
		}
		if res, err = newApp(t, s, nil).NotifyRun(ctx, opt); err != nil || res.EmailReady {
			t.Errorf("run without an SMTP server = %+v, %v; want e-mail not configured", res, err)
		}
		st, err := sink.OutboxStatus(ctx, tenant.Operator(), notify.OutboxSent, keyset.Page{Limit: 10})
		if err != nil || len(st.Rows) != 2 || st.Cursor == 0 {
			t.Errorf("status = %+v, %v", st, err)
		}
		if _, err := app.ParseOutboxState("lost"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ParseOutboxState(lost) = %v", err)
		}
		if _, err := sink.OutboxResolve(ctx, st.Rows[0].ID, true); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("resolving a sent row = %v; want not found", err)
		}
		if _, err := sink.WebhookSecret(ctx, tenant.Operator(), 99); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("webhook secret of a missing organisation = %v", err)
		}
		if _, err := sink.Stats(ctx, tenant.Operator(), time.Time{}, "fortnight"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("stats per fortnight = %v", err)
		}
	})
}

// TestDeliveryConfig: bad notify settings are invalid input naming the
// setting; nothing is left open.
func TestDeliveryConfig(t *testing.T) {
	s := storetest.OpenSQLite(t, storetest.Options{})
	for _, tc := range []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"templates_missing", func(c *config.Config) { c.Notify.Templates = "/nonexistent" }, "templates"},
		{"bad_mode", func(c *config.Config) { c.Notify.DefaultMode = "hourly" }, "mode"},
		{"bad_smtp_url", func(c *config.Config) { c.Notify.SMTPURL = "ftp://mail.example" }, "smtp"},
		{"dkim_key_missing", func(c *config.Config) { c.Notify.SMTPURL, c.Notify.DKIMKey = "sink:", "/nonexistent.pem" }, "dkim-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := newApp(t, s, tc.edit).Delivery(context.Background())
			if err == nil {
				d.Close()
			}
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(strings.ToLower(err.Error()), tc.want) {
				t.Errorf("Delivery = %v; want invalid input about %s", err, tc.want)
			}
		})
	}
}

// TestBounce is the one bounce flow of the CLI and the API: by address, by
// bounce message, and its refusals.
func TestBounce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		x := newApp(t, s, nil)
		got, err := x.Bounce(ctx, app.BounceReport{Address: "soc@ziekenhuis.example"})
		if err != nil || len(got) != 1 || got[0].Address != "soc@ziekenhuis.example" || got[0].Contacts != 1 {
			t.Errorf("bounce by address = %+v, %v", got, err)
		}
		dsn := func(name string) *os.File {
			f, err := os.Open("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}
		got, err = x.Bounce(ctx, app.BounceReport{DSN: dsn("bsd-lhost-sendmail-01.eml"), Name: "bounce.eml"})
		if err != nil || len(got) != 1 || got[0].Address != "userunknown@bouncehammer.jp" || got[0].Contacts != 0 {
			t.Errorf("bounce from a DSN = %+v, %v", got, err)
		}
		for _, tc := range []struct {
			name string
			r    app.BounceReport
			want string
		}{
			{"not_a_dsn", app.BounceReport{DSN: dsn("government-nl-crlf.txt"), Name: "sectxt"}, `dsn: "sectxt": read message: malformed header`},
			{"both", app.BounceReport{Address: "a@b.example", DSN: strings.NewReader("x")}, "not both"},
			{"neither", app.BounceReport{}, "give the bounced address"},
			{"not_an_address", app.BounceReport{Address: "nobody"}, "not an e-mail address"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := x.Bounce(ctx, tc.r); errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Bounce = %v; want invalid input containing %q", err, tc.want)
				}
			})
		}
	})
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2025-06-01", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-06-01T10:00:00Z", time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)},
		{"30d", now.AddDate(0, 0, -30)},
		{"12h", now.Add(-12 * time.Hour)},
	} {
		if got, err := app.ParseSince(tc.in, now); err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"last tuesday", "-3d", "-1h"} {
		if _, err := app.ParseSince(bad, now); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("ParseSince(%q) = %v; want invalid", bad, err)
		}
	}
}
