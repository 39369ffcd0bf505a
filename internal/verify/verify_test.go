// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package verify_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// sentNotice writes an organisation with a critical finding, composes its
// notice and records its e-mail as sent. It returns the notice.
func sentNotice(t *testing.T, s *store.Store) notify.Notice {
	t.Helper()
	ctx := context.Background()
	org := &registry.Org{Name: "Stichting Zorg Midden", Policy: registry.Policy{Mode: "immediate"},
		Contacts: []registry.Contact{{Email: "csirt@ziekenhuis.example", Role: "security"}}}
	if err := s.OrgCreate(ctx, tenant.Operator(), org); err != nil {
		t.Fatal(err)
	}
	trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"})
	if err != nil {
		t.Fatal(err)
	}
	run := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig}
	if err := s.RunStart(ctx, &run); err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.77")
	sg := finding.Sighting{OrgID: org.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
		Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.Critical, Time: s.Now(),
		Evidence: json.RawMessage(`{"ip":"192.0.2.77","tag":"exchange;cve-2021-26855"}`)}
	if err := s.Tx(ctx, func(tx *store.Store) error {
		_, _, err := tx.FindingUpsert(ctx, run.ID, []finding.Sighting{sg})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunFinish(ctx, &run); err != nil {
		t.Fatal(err)
	}
	n := notify.NewNotifier(notify.NotifierConfig{Store: s, PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}}})
	if _, err := n.Compose(ctx, false); err != nil {
		t.Fatal(err)
	}
	rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, s.Now(), time.Minute, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("claimed %d rows, %v", len(rows), err)
	}
	if err := s.OutboxFinish(ctx, []notify.OutboxResult{{ID: rows[0].ID, NoticeID: rows[0].NoticeID, State: notify.OutboxSent, At: s.Now()}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.NoticeGet(ctx, tenant.Operator(), rows[0].NoticeID)
	if err != nil || got.Ticket == "" {
		t.Fatalf("notice = %+v, %v", got, err)
	}
	return got
}

// secrets are what the findings of sentNotice consist of: none may show
// without the access code.
var secrets = []string{"192.0.2.77", "Zorg Midden", "scan_exchange", "Exchange", "vulnerable", "critical", "CVE-2021-26855", "csirt"}

func TestLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n := sentNotice(t, s)
		key := func(ctx context.Context) ([]byte, error) { return s.SettingSecret(ctx, ticket.KeySetting) }
		svc := &verify.Service{Store: s, Key: key}
		k, _ := key(ctx)
		code := ticket.AccessCode(k, n.Ticket)

		// The ticket alone: genuine, when and where to, nothing else.
		typed := strings.ToLower(strings.ReplaceAll(string(n.Ticket), "-", " "))
		res, err := svc.Lookup(ctx, typed, "")
		if err != nil {
			t.Fatal(err)
		}
		if !res.Genuine || res.Ticket != n.Ticket || res.SentAt == nil || strings.Join(res.Domains, ",") != "ziekenhuis.example" ||
			res.CodeGiven || res.CodeValid || res.Notice != nil || res.Acknowledged != nil {
			t.Errorf("ticket only = %+v", res)
		}
		b, _ := json.Marshal(res)
		for _, sec := range secrets {
			if strings.Contains(strings.ToLower(string(b)), strings.ToLower(sec)) {
				t.Errorf("the ticket alone reveals %q: %s", sec, b)
			}
		}

		// A wrong code: the same answer, marked.
		wrong, err := svc.Lookup(ctx, string(n.Ticket), "AAAAA-AAAAA")
		if err != nil || !wrong.CodeGiven || wrong.CodeValid || wrong.Notice != nil {
			t.Errorf("wrong code = %+v, %v", wrong, err)
		}
		wb, _ := json.Marshal(wrong)
		for _, sec := range secrets {
			if strings.Contains(strings.ToLower(string(wb)), strings.ToLower(sec)) {
				t.Errorf("a wrong code reveals %q", sec)
			}
		}

		// The right code, as typed: everything, as the notice document.
		full, err := svc.Lookup(ctx, string(n.Ticket), strings.ToLower(strings.ReplaceAll(string(code), "-", "")))
		if err != nil || !full.CodeValid || full.Notice == nil {
			t.Fatalf("right code = %+v, %v", full, err)
		}
		fb, _ := json.Marshal(full.Notice)
		if err := notify.ValidateDocument(fb); err != nil {
			t.Errorf("full answer is no valid notice document: %v", err)
		}
		for _, sec := range []string{"192.0.2.77", "Stichting Zorg Midden", "scan_exchange", "Vulnerable Exchange servers", "CVE-2021-26855"} {
			if !strings.Contains(string(fb), sec) {
				t.Errorf("the full answer lacks %q: %s", sec, fb)
			}
		}
		if full.Notice.NoticeID != n.ID || full.Notice.Ticket != n.Ticket {
			t.Errorf("full notice = %d %s; want %d %s", full.Notice.NoticeID, full.Notice.Ticket, n.ID, n.Ticket)
		}

		// Unknown and malformed tickets are answered alike.
		var msgs []string
		for _, tk := range []string{"VGL-0000-0000", "VGL-ZZZZ-ZZZ", "", "'; DROP TABLE notices; --", string(n.Ticket) + "0"} {
			_, err := svc.Lookup(ctx, tk, string(code))
			if errs.CodeOf(err) != errs.NotFound {
				t.Errorf("Lookup(%q) = %v; want not found", tk, err)
			}
			msgs = append(msgs, errs.Message(err))
		}
		for _, m := range msgs[1:] {
			if m != msgs[0] {
				t.Errorf("unknown tickets answered differently: %q vs %q", m, msgs[0])
			}
		}
	})
}

func TestDomains(t *testing.T) {
	t.Parallel()
	got := verify.Domains([]string{"a@Example.NL", "b@example.nl", "c@other.example", "broken", "d@"})
	if strings.Join(got, ",") != "example.nl,other.example" {
		t.Errorf("Domains = %v", got)
	}
	if got := verify.Domains(nil); got == nil || len(got) != 0 {
		t.Errorf("Domains(nil) = %#v; want empty, not nil (JSON [])", got)
	}
}
