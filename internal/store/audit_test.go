// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/keyset"
	"vigil/internal/privacy"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestAuditAppendOnly checks that the audit log refuses UPDATE and DELETE
// on both engines, that the two documented exceptions (the retention
// purge and the erasure of a person) still work, and that deleting a user
// only clears the entries' user id.
func TestAuditAppendOnly(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, e := range []account.AuditEntry{
			{At: t0.AddDate(-4, 0, 0), Actor: "old@cert.example", Action: "org.update", Via: account.AuditCLI},
			{At: t0, Actor: "jan@cert.example", Action: "contact.create", Object: "contact jan@acme.example", Via: account.AuditAPI,
				After: json.RawMessage(`{"email":"jan@acme.example"}`)},
		} {
			if err := s.AuditAdd(ctx, e); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
		}
		for _, q := range []string{
			`UPDATE audit_log SET actor = 'someone else'`,
			`UPDATE audit_log SET detail = 'rewritten' WHERE action = 'org.update'`,
			`DELETE FROM audit_log`,
			`DELETE FROM audit_log WHERE action = 'org.update'`,
		} {
			if _, err := s.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v; want the append-only refusal", q, err)
			}
		}
		if s.Dialect() == store.Postgres {
			if _, err := s.Exec(ctx, `TRUNCATE audit_log`); err == nil {
				t.Error("TRUNCATE was allowed")
			}
		}
		es, err := s.AuditQuery(ctx, account.AuditFilter{Kind: "contact"}, keyset.Page{})
		if err != nil || len(es) != 1 || string(es[0].After) != `{"email":"jan@acme.example"}` || es[0].Via != account.AuditAPI {
			t.Fatalf("contact entries = %+v, %v", es, err)
		}
		// The documented exceptions.
		out, err := s.PrivacyErase(ctx, "jan@acme.example", "erased-1@invalid")
		if err != nil || out.Audit != 1 {
			t.Errorf("erase = %+v, %v; want 1 audit entry pseudonymised", out, err)
		}
		purged, err := s.RetentionPurge(ctx, privacy.Cutoffs{Audit: t0.AddDate(-3, 0, 0)})
		if err != nil || purged.Audit != 1 {
			t.Errorf("purge = %+v, %v; want the old entry", purged, err)
		}
		// The log is locked again after each.
		if _, err := s.Exec(ctx, `DELETE FROM audit_log`); err == nil {
			t.Error("the log stayed unlocked after the exceptions")
		}
		es, _ = s.AuditQuery(ctx, account.AuditFilter{Since: t0.Add(-time.Hour), Until: t0.Add(time.Hour)}, keyset.Page{})
		if len(es) != 1 || strings.Contains(es[0].Object, "jan@acme.example") {
			t.Errorf("after erase and purge: %+v", es)
		}
	})
}
