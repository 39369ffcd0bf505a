// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"os"
	"slices"
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
		// The domain's case differs from the registered contact's: the
		// bounce is recorded once, under the normalised address, with the
		// contact marked in the same transaction.
		got, err := x.Bounce(ctx, app.BounceReport{Address: "soc@Ziekenhuis.EXAMPLE"})
		if err != nil || len(got) != 1 || got[0].Contacts != 1 {
			t.Errorf("bounce by address = %+v, %v", got, err)
		}
		var recorded []string
		rows, err := s.Query(ctx, `SELECT address || ' ' || source FROM bounces ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			recorded = append(recorded, r)
		}
		rows.Close()
		if want := []string{"soc@ziekenhuis.example api"}; !slices.Equal(recorded, want) {
			t.Errorf("bounces = %q; want %q", recorded, want)
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

// TestNotifyDryRunPreviews: a dry run shows each notice it would compose
// with its recipients, channel, language, subject in that language and
// findings, as JSON and as text, and writes nothing.
func TestNotifyDryRunPreviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		res, err := newApp(t, s, nil).NotifyRun(ctx, app.NotifyRunOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		ps := res.Composed.Previews
		if len(ps) != res.Composed.Notices || len(ps) != 2 {
			t.Fatalf("previews = %+v; want one per notice (%d)", ps, res.Composed.Notices)
		}
		items := map[int64]int{}
		for _, o := range res.Composed.Orgs {
			items[o.OrgID] = o.Items
		}
		want := map[string]struct{ to, lang, subject, prefix string }{
			"Ziekenhuis Midden":  {"soc@ziekenhuis.example", "nl", "Kritiek", "198.51.100."},
			"Gemeente Voorbeeld": {"cert@gemeente.example", "en", "Critical", "192.0.2."},
		}
		for _, p := range ps {
			w, ok := want[p.OrgName]
			if !ok || len(p.Recipients) != 1 || p.Undeliverable != "" {
				t.Errorf("preview %+v", p)
				continue
			}
			r := p.Recipients[0]
			if r.Channel != notify.Email || r.Recipient != w.to || r.Lang != w.lang || !strings.Contains(r.Subject, w.subject) || !strings.Contains(r.Subject, p.OrgName) {
				t.Errorf("%s: recipient %+v; want %s in %s, subject with %q", p.OrgName, r, w.to, w.lang, w.subject)
			}
			if len(p.Findings) == 0 || len(p.Findings) != items[p.OrgID] {
				t.Errorf("%s: %d findings; the organisation's count says %d", p.OrgName, len(p.Findings), items[p.OrgID])
			}
			for _, f := range p.Findings {
				if !strings.HasPrefix(f.Key, w.prefix) || f.Trigger == "" || f.FindingID == 0 {
					t.Errorf("%s: finding %+v", p.OrgName, f)
				}
			}
		}
		var b strings.Builder
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"to email soc@ziekenhuis.example [nl]: \"", "to email cert@gemeente.example [en]: \"", "Gemeente Voorbeeld (org 2), immediate"} {
			if !strings.Contains(b.String(), w) {
				t.Errorf("text lacks %q:\n%s", w, b.String())
			}
		}
		st, err := newApp(t, s, nil).OutboxStatus(ctx, tenant.Operator(), "", keyset.Page{Limit: 10})
		if err != nil || st.Cursor != 0 || len(st.Counts) != 0 {
			t.Errorf("after a dry run: %+v, %v; want nothing written", st, err)
		}
	})
}
