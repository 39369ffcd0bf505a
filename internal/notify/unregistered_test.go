// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// fakeRDAP answers every lookup with a real RIPE answer from testdata.
type fakeRDAP struct {
	obj   *rdap.Object
	calls atomic.Int32
}

func (f *fakeRDAP) Lookup(_ context.Context, q string) (rdap.Result, error) {
	f.calls.Add(1)
	pq, err := rdap.ParseQuery(q)
	if err != nil {
		return rdap.Result{}, err
	}
	return rdap.NewResult(pq, f.obj, "https://rdap.db.ripe.net/ip/"+q, time.Now()), nil
}

func TestNotifyUnregistered(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // before the security.txt expires
	body, err := os.ReadFile("testdata/securitytxt/government-nl-crlf-nocanonical.txt")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != securitytxt.WellKnownPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	client := netguard.New(netguard.Options{AllowPrivate: true, Transport: srv.Client().Transport.(*http.Transport).Clone()})
	f, err := os.Open("testdata/rdap/ripe-ip-62.239.237.1.json")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := rdap.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rd := &fakeRDAP{obj: obj}
		var hosts []string
		disc := &notify.Discoverer{
			// Every host name is served by the test server.
			SecurityTxt: func(ctx context.Context, host string) (securitytxt.Report, error) {
				hosts = append(hosts, host)
				if host != "example.nl" {
					return securitytxt.Report{}, nil // no file on the host itself
				}
				return securitytxt.Check(ctx, client, srv.Listener.Addr().String(), securitytxt.Options{Now: func() time.Time { return t0 }})
			},
			RDAP: rd,
		}
		trig := finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers", NotifyUnregistered: true}
		if trig.ID, err = s.TriggerEnsure(ctx, trig); err != nil {
			t.Fatal(err)
		}
		cfg := notify.UnregisteredConfig{Store: s, Discoverer: disc, Languages: []string{"en", "nl"}, Now: func() time.Time { return t0 }}
		sg := func(ip, host string, sev finding.Severity) finding.Sighting {
			a := netip.MustParseAddr(ip)
			return finding.Sighting{TriggerID: trig.ID, Type: "vulnerable-system", ReportType: "scan_exchange", IP: a, Port: 443, Hostname: host,
				Severity: sev, Time: t0, Evidence: json.RawMessage(`{"ip":"` + ip + `"}`)}
		}

		// The host name's registrable domain publishes security.txt in
		// Dutch first: the notice goes there, in Dutch.
		r, err := notify.NotifyUnregistered(ctx, cfg, trig, sg("192.0.2.77", "mail.example.nl", finding.Critical))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Created || r.Contact.Email != "cert@example.nl" || r.Contact.Source != "security.txt" || len(hosts) != 2 || hosts[1] != "example.nl" {
			t.Fatalf("security.txt result = %+v (hosts %v)", r, hosts)
		}
		rows, _ := s.OutboxList(ctx, tenant.Operator(), "", keyset.Page{})
		if len(rows) != 1 || rows[0].Recipient != "cert@example.nl" {
			t.Fatalf("outbox = %+v", rows)
		}
		claimed, _ := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, t0, time.Minute, 10)
		if len(claimed) != 1 || claimed[0].Lang != "nl" || claimed[0].Content.Kind != notify.KindUnregistered || claimed[0].ContactSource == "" {
			t.Errorf("claimed row = %+v", claimed)
		}

		// No host name: the RDAP abuse contact of the address.
		r, err = notify.NotifyUnregistered(ctx, cfg, trig, sg("62.239.237.1", "", finding.High))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Created || r.Contact.Source != "rdap" || r.Contact.Email == "" {
			t.Fatalf("RDAP result = %+v", r)
		}

		// Again within the quiet interval: nothing, and no lookup.
		before := rd.calls.Load()
		r, _ = notify.NotifyUnregistered(ctx, cfg, trig, sg("62.239.237.1", "", finding.Critical))
		if r.Reason != notify.UnregQuiet || rd.calls.Load() != before {
			t.Errorf("repeat = %+v (lookups %d→%d)", r, before, rd.calls.Load())
		}
		// The address bounced: no notice.
		if _, err := s.OutboxSuppress(ctx, r.Contact.Email, t0); err != nil && r.Contact.Email != "" {
			t.Fatal(err)
		}
		abuse := (&notify.Discoverer{RDAP: rd})
		c, _ := abuse.Discover(ctx, netip.MustParseAddr("62.239.237.2"), "")
		if _, err := s.OutboxSuppress(ctx, c.Email, t0); err != nil {
			t.Fatal(err)
		}
		if r, _ := notify.NotifyUnregistered(ctx, cfg, trig, sg("62.239.237.2", "", finding.High)); r.Reason != notify.UnregBounced {
			t.Errorf("bounced contact = %+v", r)
		}
		// The trigger must allow it; low severity does not notify.
		closed := trig
		closed.NotifyUnregistered = false
		if r, _ := notify.NotifyUnregistered(ctx, cfg, closed, sg("192.0.2.99", "", finding.High)); r.Reason != notify.UnregNotAllowed {
			t.Errorf("trigger without notify_unregistered = %+v", r)
		}
		if r, _ := notify.NotifyUnregistered(ctx, cfg, trig, sg("192.0.2.99", "", finding.Info)); r.Reason != notify.UnregBelowMin {
			t.Errorf("info severity = %+v", r)
		}
	})
}
