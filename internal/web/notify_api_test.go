// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/app"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
)

// withNotify rebuilds e's server (the acknowledgement pages are in its table).
func withNotify(t *testing.T, e *env) {
	t.Helper()
	srv, err := New(Config{Store: e.st, App: testApp(e.st), Metrics: prometheus.NewRegistry(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
}

// seedNotices gives each of the first two organisations a critical finding
// and composes their notices, so routes with a {nid} have real objects.
func seedNotices(t *testing.T, e *env) {
	t.Helper()
	e.notices, e.outbox = pageseed.Warnings(t, e.st, e.orgs)
}

// rfc3464Example is the first example of RFC 3464 appendix A ("simple DSN
// report"), with the recipient changed to organisation A's contact.
const rfc3464Example = "Date: Thu, 7 Jul 1994 17:16:05 -0400\r\n" +
	"From: Mail Delivery Subsystem <MAILER-DAEMON@CS.UTK.EDU>\r\n" +
	"Message-Id: <199407072116.RAA14128@CS.UTK.EDU>\r\n" +
	"Subject: Returned mail: Cannot send message for 5 days\r\n" +
	"To: <owner-info-mime@cs.utk.edu>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status;\r\n" +
	"              boundary=\"RAA14128.773615765/CS.UTK.EDU\"\r\n" +
	"\r\n" +
	"--RAA14128.773615765/CS.UTK.EDU\r\n" +
	"\r\n" +
	"   ----- The following addresses had delivery problems -----\r\n" +
	"<%[1]s>  (unrecoverable error)\r\n" +
	"\r\n" +
	"--RAA14128.773615765/CS.UTK.EDU\r\n" +
	"content-type: message/delivery-status\r\n" +
	"\r\n" +
	"Reporting-MTA: dns; cs.utk.edu\r\n" +
	"\r\n" +
	"Original-Recipient: rfc822;%[1]s\r\n" +
	"Final-Recipient: rfc822;%[1]s\r\n" +
	"Action: failed\r\n" +
	"Status: 4.0.0\r\n" +
	"Diagnostic-Code: smtp; 426 connection timed out\r\n" +
	"Last-Attempt-Date: Thu, 7 Jul 1994 17:15:49 -0400\r\n" +
	"\r\n" +
	"--RAA14128.773615765/CS.UTK.EDU--\r\n"

func TestNoticeRoutes(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		withNotify(t, e)
		a, b := e.orgs[0], e.orgs[1]
		// A finding of organisation A and its notice.
		trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange"})
		if err != nil {
			t.Fatal(err)
		}
		ip := netip.MustParseAddr("192.0.2.10")
		sg := finding.Sighting{OrgID: a.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange", Key: finding.KeyFor(ip, 443),
			IP: ip, Port: 443, Severity: finding.Critical, Time: fixedNow(), Evidence: json.RawMessage(`{"ip":"192.0.2.10"}`)}
		if err := st.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sg}); return err }); err != nil {
			t.Fatal(err)
		}
		n := notify.NewNotifier(notify.NotifierConfig{Store: st, Now: fixedNow})
		if r, err := n.Compose(ctx, false); err != nil || r.Notices != 1 {
			t.Fatalf("compose = %+v, %v", r, err)
		}
		orgPath := func(o int64, rest string) string { return fmt.Sprintf("/api/v1/orgs/%d%s", o, rest) }

		rec := e.send(req{method: "GET", path: orgPath(a.ID, "/notices"), token: tokAR})
		wantStatus(t, rec, http.StatusOK)
		page := decodeAs[Page[notify.Notice]](t, rec)
		if len(page.Items) != 1 || page.Items[0].OrgID != a.ID || page.Items[0].Severity != finding.Critical {
			t.Fatalf("notices = %+v", page)
		}
		nid := page.Items[0].ID
		// Tenant isolation: B sees neither A's list nor A's notice.
		wantStatus(t, e.send(req{method: "GET", path: orgPath(a.ID, "/notices"), token: tokBRW}), http.StatusNotFound)
		wantStatus(t, e.send(req{method: "POST", path: orgPath(b.ID, fmt.Sprintf("/notices/%d/ack", nid)), token: tokBRW}), http.StatusNotFound)
		if got := decodeAs[Page[notify.Notice]](t, e.send(req{method: "GET", path: orgPath(b.ID, "/notices"), token: tokBRW})); len(got.Items) != 0 {
			t.Errorf("B's notices = %+v", got.Items)
		}
		// A acknowledges through the API (write scope needed).
		wantStatus(t, e.send(req{method: "POST", path: orgPath(a.ID, fmt.Sprintf("/notices/%d/ack", nid)), token: tokAR}), http.StatusForbidden)
		rec = e.send(req{method: "POST", path: orgPath(a.ID, fmt.Sprintf("/notices/%d/ack", nid)), token: tokAW})
		wantStatus(t, rec, http.StatusOK)
		if got := decodeAs[notify.Notice](t, rec); got.State != notify.StateAcknowledged || !strings.HasPrefix(got.AckedBy, "api token ") {
			t.Errorf("acknowledged notice = %+v", got)
		}

		// The signed link works without a token; GET does not acknowledge.
		key, err := st.SettingSecret(ctx, notify.AckKeySetting)
		if err != nil {
			t.Fatal(err)
		}
		rec = e.send(req{method: "GET", path: "/ack/" + notify.AckToken(key, nid)})
		wantStatus(t, rec, http.StatusOK)
		if !strings.Contains(rec.Body.String(), "Confirmed at") {
			t.Errorf("ack page of an acknowledged notice: %s", rec.Body.String())
		}
		wantStatus(t, e.send(req{method: "POST", path: "/ack/" + notify.AckToken([]byte("forged"), nid)}), http.StatusNotFound)

		// Bounces: operator only; by address or by DSN.
		contact := a.Contacts[0].Email
		wantStatus(t, e.send(req{method: "POST", path: "/api/v1/bounces", token: tokARW, body: `{"address":"x@example.nl"}`}), http.StatusForbidden)
		rec = e.send(req{method: "POST", path: "/api/v1/bounces", token: tokOp, body: fmt.Sprintf(`{"address":%q}`, contact)})
		wantStatus(t, rec, http.StatusOK)
		if got := decodeAs[List[app.BounceResult]](t, rec); len(got.Items) != 1 || got.Items[0].Contacts != 1 {
			t.Errorf("bounce by address = %+v", got)
		}
		dsn, _ := json.Marshal(BounceInput{DSN: fmt.Sprintf(rfc3464Example, b.Contacts[0].Email)})
		rec = e.send(req{method: "POST", path: "/api/v1/bounces", token: tokOp, body: string(dsn)})
		wantStatus(t, rec, http.StatusOK)
		if got := decodeAs[List[app.BounceResult]](t, rec); len(got.Items) != 1 || got.Items[0].Address != b.Contacts[0].Email || got.Items[0].Contacts != 1 {
			t.Errorf("bounce by DSN = %+v", got)
		}
		wantStatus(t, e.send(req{method: "POST", path: "/api/v1/bounces", token: tokOp, body: `{"dsn":"Subject: hello\r\n\r\nhi"}`}), http.StatusUnprocessableEntity)
		wantStatus(t, e.send(req{method: "POST", path: "/api/v1/bounces", token: tokOp, body: `{}`}), http.StatusUnprocessableEntity)

		// Statistics.
		rec = e.send(req{method: "GET", path: "/api/v1/stats?period=week&since=2026-01-01", token: tokOp})
		wantStatus(t, rec, http.StatusOK)
		if got := decodeAs[notify.Stats](t, rec); got.Overall.Notices != 1 || got.Overall.Acknowledged != 1 || len(got.Periods) != 1 {
			t.Errorf("stats = %+v", got)
		}
		wantStatus(t, e.send(req{method: "GET", path: "/api/v1/stats?since=yesterday", token: tokOp}), http.StatusBadRequest)
		wantStatus(t, e.send(req{method: "GET", path: "/api/v1/stats", token: tokARW}), http.StatusForbidden)
	})
}
