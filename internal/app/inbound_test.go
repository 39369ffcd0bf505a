// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"fmt"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/inbound"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// inboundMail are a reply, an automatic reply and a bounce to the warnings
// of the hospital (reply, auto) and the municipality (bounce).
func inboundMail(hospital, municipality notify.Notice) map[string]string {
	return map[string]string{
		"1-reply": "From: SOC <soc@ziekenhuis.example>\r\nTo: cert@cert.example.nl\r\nSubject: RE: [vigil CERT] warning [" + string(hospital.Ticket) + "]\r\n" +
			"Message-ID: <reply-1@ziekenhuis.example>\r\nDate: Mon, 2 Jun 2025 10:00:00 +0200\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"We patched the Exchange servers this morning. Groet, SOC=\r\n\r\n> quoted warning\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>We patched</p>\r\n--b1--\r\n",
		// RFC 3834 section 5: an out-of-office answer carrying the ticket.
		"2-auto": "From: soc@ziekenhuis.example\r\nTo: cert@cert.example.nl\r\nSubject: Automatic reply: [vigil CERT] warning [" + string(hospital.Ticket) + "]\r\n" +
			"Auto-Submitted: auto-replied\r\nMessage-ID: <auto-1@ziekenhuis.example>\r\n\r\nI am out of the office until Monday.\r\n",
		// RFC 3464 appendix A's simple DSN, for the municipality's contact,
		// with the returned message's headers.
		"3-bounce": "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.gemeente.example>\r\nTo: <cert@cert.example.nl>\r\n" +
			"Subject: Returned mail: User unknown\r\nMessage-ID: <dsn-1@mx.gemeente.example>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"RAA14128\"\r\n\r\n" +
			"--RAA14128\r\n\r\n   ----- The following addresses had delivery problems -----\r\n<cert@gemeente.example>  (unrecoverable error)\r\n\r\n" +
			"--RAA14128\r\ncontent-type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.gemeente.example\r\n\r\n" +
			"Final-Recipient: rfc822;cert@gemeente.example\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n" +
			"--RAA14128\r\ncontent-type: text/rfc822-headers\r\n\r\nFrom: cert@cert.example.nl\r\nTo: cert@gemeente.example\r\n" +
			"Subject: [vigil CERT] warning [" + string(municipality.Ticket) + "]\r\n\r\n--RAA14128--\r\n",
	}
}

// TestReceive feeds a reply, an automatic reply and a bounce through the
// inbound SMTP listener and through the maildir watcher: the reply is
// attached to the hospital's notice (once, however often it comes), the
// automatic reply is not, and the bounce marks the municipality's contact
// and puts its notice on the call list with the reason.
func TestReceive(t *testing.T) {
	for _, path := range []string{"listener", "maildir"} {
		t.Run(path, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				registerHospital(t, s)
				x := newApp(t, s, func(c *config.Config) { c.Notify.SMTPURL, c.Notify.From = "sink:", "cert@cert.example.nl" })
				d, err := x.Delivery(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				if _, err := d.Notifier.Compose(ctx, false); err != nil {
					t.Fatal(err)
				}
				if res, err := d.Deliverer.DeliverDue(ctx, 0); err != nil || res.Sent != 2 {
					t.Fatalf("delivery = %+v, %v", res, err)
				}
				hospital, municipality := orgByName(t, s, "Ziekenhuis Midden"), orgByName(t, s, "Gemeente Voorbeeld")
				hn, mn := onlyNotice(t, s, hospital.ID), onlyNotice(t, s, municipality.ID)
				mail := inboundMail(hn, mn)
				feed := feeder(t, x, path)
				for _, name := range []string{"1-reply", "2-auto", "3-bounce", "1-reply"} {
					feed(name, mail[name])
				}

				replies, err := x.NoticeReplies(ctx, tenant.Org(hospital.ID), hn.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(replies) != 1 {
					t.Fatalf("replies = %+v; want the one reply (not the automatic one, not twice)", replies)
				}
				r := replies[0]
				if r.From != "soc@ziekenhuis.example" || r.MessageID != "<reply-1@ziekenhuis.example>" || !strings.HasPrefix(r.Text, "We patched the Exchange servers this morning. Groet, SOC") ||
					!strings.Contains(r.Subject, string(hn.Ticket)) || r.OrgID != hospital.ID {
					t.Errorf("reply = %+v", r)
				}
				if other, err := x.NoticeReplies(ctx, tenant.Org(municipality.ID), hn.ID); err == nil {
					t.Errorf("the municipality sees the hospital's replies: %+v", other)
				}
				if rs, _ := x.NoticeReplies(ctx, tenant.Org(municipality.ID), mn.ID); len(rs) != 0 {
					t.Errorf("the bounce became a reply: %+v", rs)
				}

				// The bounce: contact marked, notice on the call list with
				// the reason; the hospital's notice is not.
				cs, err := s.ContactList(ctx, tenant.Org(municipality.ID))
				if err != nil || len(cs) != 1 || cs[0].Bounced == nil {
					t.Errorf("municipality's contacts = %+v, %v; want bouncing", cs, err)
				}
				if hc, _ := s.ContactList(ctx, tenant.Org(hospital.ID)); len(hc) != 1 || hc[0].Bounced != nil {
					t.Errorf("hospital's contacts = %+v; want not bouncing", hc)
				}
				calls, err := x.Calls(ctx, tenant.Operator(), 0)
				if err != nil {
					t.Fatal(err)
				}
				if len(calls) != 1 || calls[0].ID != mn.ID || !strings.Contains(calls[0].EscalationReason, "bounced: cert@gemeente.example (5.1.1 550 5.1.1 user unknown), reported by mx.gemeente.example") {
					t.Errorf("call list = %+v; want the municipality's notice with the bounce's reason", calls)
				}
			})
		})
	}
}

// feeder returns a function that hands a message to the service through
// the SMTP listener or the maildir watcher.
func feeder(t *testing.T, x *app.App, path string) func(name, msg string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if path == "maildir" {
		dir := t.TempDir()
		for _, sub := range []string{"new", "cur", "tmp"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		md := &inbound.Maildir{Dir: dir, Handle: x.Receive}
		n := 0
		return func(name, msg string) {
			t.Helper()
			n++
			file := fmt.Sprintf("1700000000.%d_%s.host", n, name)
			if err := os.WriteFile(filepath.Join(dir, "new", file), []byte(msg), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := md.Scan(ctx)
			if err != nil || res.Handled != 1 || res.Bad+res.Left != 0 {
				t.Fatalf("scan of %s = %+v, %v", name, res, err)
			}
			if _, err := os.Stat(filepath.Join(dir, "cur", file+":2,S")); err != nil {
				t.Errorf("%s was not moved to cur/: %v", name, err)
			}
		}
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- x.ReceiveServe(ctx, app.ReceiveOptions{Addr: "127.0.0.1:0", Ready: func(a string) { ready <- a }})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("listener: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listener: %v", err)
		}
	})
	return func(name, msg string) {
		t.Helper()
		if err := smtp.SendMail(addr, nil, "sender@example.org", []string{"cert@cert.example.nl"}, []byte(msg)); err != nil {
			t.Fatalf("SMTP of %s: %v", name, err)
		}
	}
}

func orgByName(t *testing.T, s *store.Store, name string) registry.Org {
	t.Helper()
	orgs, err := s.OrgListAll(context.Background(), tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("no organisation %s", name)
	return registry.Org{}
}

func onlyNotice(t *testing.T, s *store.Store, org int64) notify.Notice {
	t.Helper()
	ns, err := s.NoticeList(context.Background(), tenant.Org(org), notify.NoticeFilter{})
	if err != nil || len(ns) != 1 || ns[0].Ticket == "" {
		t.Fatalf("notices of %d = %+v, %v", org, ns, err)
	}
	return ns[0]
}
