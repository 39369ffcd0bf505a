// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package inbound_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/inbound"
	"vigil/internal/ticket"
)

func TestParse(t *testing.T) {
	t.Parallel()
	const head = "From: Someone <Someone@Example.org>\r\nTo: cert@cert.example.nl\r\nMessage-ID: <m1@example.org>\r\n"
	for _, tc := range []struct {
		name, msg string
		kind      inbound.Kind
		tickets   []ticket.Ticket
		text      string
	}{
		{"reply", head + "Subject: Re: warning [vgl-7k3p-q9xd]\r\n\r\nFixed.\r\n", inbound.Reply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "Fixed."},
		{"ticket in the text only", head + "Subject: Re: your mail\r\n\r\nAbout VGL-7K3P-Q9XD: fixed.\r\n", inbound.Reply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "About VGL-7K3P-Q9XD: fixed."},
		{"base64 text", head + "Subject: Re: [VGL-7K3P-Q9XD]\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nR2VyZXBh\r\ncmVlcmQu\r\n",
			inbound.Reply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "Gerepareerd."},
		{"Auto-Submitted: no is a person", head + "Subject: Re: [VGL-7K3P-Q9XD]\r\nAuto-Submitted: no\r\n\r\nok\r\n", inbound.Reply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "ok"},
		{"auto-replied", head + "Subject: Out of office [VGL-7K3P-Q9XD]\r\nAuto-Submitted: auto-replied\r\n\r\naway\r\n", inbound.AutoReply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "away"},
		{"auto-generated", head + "Subject: Ticket #123 opened [VGL-7K3P-Q9XD]\r\nAuto-Submitted: auto-generated\r\n\r\nreceived\r\n", inbound.AutoReply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "received"},
		{"Precedence bulk", head + "Subject: Re: [VGL-7K3P-Q9XD]\r\nPrecedence: bulk\r\n\r\naway\r\n", inbound.AutoReply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "away"},
		{"X-Autoreply", head + "Subject: Re: [VGL-7K3P-Q9XD]\r\nX-Autoreply: yes\r\n\r\naway\r\n", inbound.AutoReply, []ticket.Ticket{"VGL-7K3P-Q9XD"}, "away"},
		{"delayed DSN", head + "Subject: Delayed\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nstill trying\r\n--b\r\n" +
			"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n--b--\r\n", inbound.Delay, nil, ""},
		{"failed DSN", head + "Subject: Undeliverable: [VGL-7K3P-Q9XD]\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nfailed\r\n--b\r\n" +
			"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n", inbound.Bounce, []ticket.Ticket{"VGL-7K3P-Q9XD"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := inbound.Parse([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != tc.kind || strings.Join(tstr(m.Tickets), ",") != strings.Join(tstr(tc.tickets), ",") || m.Text != tc.text {
				t.Errorf("Parse = kind %s tickets %v text %q; want %s %v %q", m.Kind, m.Tickets, m.Text, tc.kind, tc.tickets, tc.text)
			}
			if tc.kind != inbound.Delay && tc.kind != inbound.Bounce && (m.From != "someone@example.org" || m.MessageID != "<m1@example.org>") {
				t.Errorf("from %q id %q", m.From, m.MessageID)
			}
		})
	}
	if _, err := inbound.Parse([]byte("no header here")); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("Parse of no mail = %v; want invalid", err)
	}
}

func tstr(ts []ticket.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(t))
	}
	return out
}

// TestMaildirOutcomes: a handled message and a bad one move to cur/ (the
// bad one flagged trashed); one that met a temporary error stays in new/
// and is read again at the next scan.
func TestMaildirOutcomes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, sub := range []string{"new", "cur", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, "new", name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("1.good", "Subject: hi\r\n\r\nx\r\n")
	write("2.bad", "Subject: hi\r\n\r\nx\r\n")
	write("3.later", "Subject: hi\r\n\r\nx\r\n")
	down := true
	md := &inbound.Maildir{Dir: dir, Handle: func(_ context.Context, _ []byte, source string) (inbound.Result, error) {
		switch {
		case strings.HasSuffix(source, "2.bad"):
			return inbound.Result{}, errs.Field("message", source, "broken")
		case strings.HasSuffix(source, "3.later") && down:
			return inbound.Result{}, errors.New("database down")
		}
		return inbound.Result{Kind: inbound.Reply}, nil
	}}
	res, err := md.Scan(context.Background())
	if err != nil || res.Handled != 1 || res.Bad != 1 || res.Left != 1 {
		t.Fatalf("first scan = %+v, %v", res, err)
	}
	for _, want := range []string{"cur/1.good:2,S", "cur/2.bad:2,ST", "new/3.later"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%s: %v", want, err)
		}
	}
	down = false
	if res, err := md.Scan(context.Background()); err != nil || res.Handled != 1 || res.Left != 0 {
		t.Errorf("second scan = %+v, %v", res, err)
	}
	if _, err := (&inbound.Maildir{Dir: filepath.Join(dir, "none")}).Scan(context.Background()); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("scan of no maildir = %v", err)
	}
}
