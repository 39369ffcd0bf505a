// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// refuseAudit makes the database refuse every new audit entry until the
// returned function is called: the failure of an audit write in the
// middle of a change, as a crash between the change and its entry would
// leave it.
func refuseAudit(t *testing.T, s *store.Store) (allow func()) {
	t.Helper()
	ctx := context.Background()
	var stmts, undo []string
	if s.Dialect() == store.Postgres {
		stmts = []string{
			`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`,
			`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`,
		}
		undo = []string{`DROP TRIGGER refuse_audit ON audit_log`, `DROP FUNCTION refuse_audit()`}
	} else {
		stmts = []string{`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END`}
		undo = []string{`DROP TRIGGER refuse_audit`}
	}
	for _, q := range stmts {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() {
		t.Helper()
		for _, q := range undo {
			if _, err := s.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
}

// TestAuditInChangeTx runs each change of an account, of the settings,
// of an assessment's review, a label's issue and revocation and of an
// uploaded feed's run once while the database refuses audit entries and
// once while it takes them, on both engines: refused, the change is not
// kept either (the entry is written in its transaction, so a crash
// between them cannot leave a change without its audit line); taken,
// both are there, the change with exactly one entry of its action.
func TestAuditInChangeTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		x := newApp(t, s, nil)
		ctx := app.WithAuditTrail(context.Background(), &app.AuditTrail{Via: account.AuditPortal, Actor: "admin@example.org"})
		entries := func() []account.AuditEntry {
			t.Helper()
			es, err := x.AuditQuery(ctx, account.AuditFilter{}, keyset.Page{Limit: keyset.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		// together makes change refused and then taken; done says whether
		// the change is in the database.
		together := func(action string, change func() error, done func() bool) {
			t.Helper()
			n := len(entries())
			allow := refuseAudit(t, s)
			if err := change(); err == nil {
				t.Errorf("%s with the audit entry refused: no error", action)
			}
			if done() {
				t.Errorf("%s: kept without its audit entry", action)
			}
			allow()
			if got := len(entries()); got != n {
				t.Fatalf("%s: %d audit entries while refused", action, got-n)
			}
			if err := change(); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
			if !done() {
				t.Errorf("%s: not kept", action)
			}
			es := entries()
			if len(es) != n+1 || es[0].Action != action || es[0].Actor != "admin@example.org" {
				t.Errorf("%s: %d entries written, newest %+v; want one %s", action, len(es)-n, es[0], action)
			}
		}
		user := func(email string) (account.User, bool) {
			t.Helper()
			id, err := x.UserID(ctx, email)
			if err != nil {
				return account.User{}, false
			}
			u, err := s.UserGet(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return u, true
		}

		// Accounts.
		const email = "nieuw@example.org"
		together("user.create", func() error {
			_, err := x.CreateUser(ctx, account.NewUser{Email: email, Password: "lang genoeg wachtwoord"}, nil)
			return err
		}, func() bool { _, ok := user(email); return ok })
		u, _ := user(email)
		together("user.role", func() error { _, err := x.SetUserRole(ctx, 0, u.ID, "analyst"); return err },
			func() bool { v, _ := user(email); return v.Role == account.RoleAnalyst })
		together("user.disable", func() error { _, err := x.SetUserDisabled(ctx, 0, u.ID, true); return err },
			func() bool { v, _ := user(email); return v.Disabled })
		together("user.totp_reset", func() error { _, err := x.ResetUserTOTP(ctx, 0, u.ID); return err },
			func() bool { v, _ := user(email); return v.TOTPEnrol })

		// Settings.
		together("settings.change", func() error { _, err := x.SetSettings(ctx, app.Settings{SignupOpen: false}); return err },
			func() bool { st, err := x.Settings(ctx); return err == nil && !st.SignupOpen })

		// An assessment reviewed, its label issued and revoked.
		r, err := x.Rating()
		if err != nil {
			t.Fatal(err)
		}
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Slimme Meters BV"}})
		if err != nil {
			t.Fatal(err)
		}
		sc := tenant.Org(o.ID)
		d, err := x.AddDevice(ctx, sc, registry.Device{OrgID: o.ID, Vendor: "Kamstrup", Model: "Omnipower", Firmware: "1.4"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := r.Start(ctx, sc, assess.Request{DeviceID: d.ID, Actor: "maker@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		aid, _ := assess.ParseID(a.ID)
		items := map[string]assess.Answer{}
		for _, p := range r.Catalogue().Provisions(a.Edition) {
			items[p.ID] = assess.Answer{Status: assess.Met}
		}
		doc, err := json.Marshal(assess.Answers{Format: assess.AnswersFormat, Edition: a.Edition, Device: a.Device, Items: items, Support: assess.Support{End: "2031-12-31"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, bad, err := r.SetAnswers(ctx, sc, aid, bytes.NewReader(doc), "answers.json", "maker@example.org"); err != nil || len(bad) > 0 {
			t.Fatalf("answers: %v %v", bad, err)
		}
		if _, err := r.Submit(ctx, sc, aid, "maker@example.org"); err != nil {
			t.Fatal(err)
		}
		state := func(want assess.State) func() bool {
			return func() bool {
				got, err := s.AssessmentGet(ctx, tenant.Operator(), aid)
				if err != nil {
					t.Fatal(err)
				}
				return got.State == want
			}
		}
		together("assessment.review", func() error {
			_, err := x.ReviewAssessment(ctx, r, tenant.Operator(), aid, "admin@example.org", "complete", "")
			return err
		}, state(assess.Reviewed))
		var issued label.Record
		together("label.issue", func() error {
			out, err := x.IssueLabel(ctx, r, tenant.Operator(), aid, "admin@example.org")
			issued = out.Record
			return err
		}, state(assess.Labelled))
		together("label.revoke", func() error {
			_, err := x.RevokeLabel(ctx, r, tenant.Operator(), issued.ID, "the firmware was found to ship a default password", "admin@example.org")
			return err
		}, func() bool {
			l, err := s.LabelGet(ctx, tenant.Operator(), issued.ID)
			if err != nil {
				t.Fatal(err)
			}
			return l.RevokedAt != nil
		})

		// A feed uploaded: its run ends with its entry. Refused, the run
		// stays unfinished and the upload again resumes and ends it.
		if _, err := x.AddAsset(ctx, sc, registry.Asset{OrgID: o.ID, Kind: registry.KindCIDR, Value: "198.51.100.0/25"}); err != nil {
			t.Fatal(err)
		}
		const name = "2025-06-01-scan_exchange-vigil_test-asn.csv"
		feedFile, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		together("ingest.upload", func() error {
			_, err := x.IngestUpload(ctx, name, bytes.NewReader(feedFile), app.FeedOptions{})
			return err
		}, func() bool {
			rs, err := x.IngestRuns(ctx, keyset.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(rs) > 0 && rs[0].FinishedAt != nil
		})
	})
}
