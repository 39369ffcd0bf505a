// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/notify"
)

// fallbackStore keeps the notices the chain settles.
type fallbackStore struct {
	notices []notify.UndeliverableNotice
	bounced map[string]bool
	sent    map[int64]notify.Delivery
	source  map[int64]string
	why     map[int64]string
}

func (s *fallbackStore) NoticeUndeliverableList(_ context.Context, ids []int64) ([]notify.UndeliverableNotice, error) {
	return s.notices, nil
}

func (s *fallbackStore) AddressSuppressed(_ context.Context, a string) (string, error) {
	if s.bounced[a] {
		return notify.SuppressBounce, nil
	}
	return "", nil
}

func (s *fallbackStore) NoticeFallback(_ context.Context, id int64, d *notify.Delivery, source, why string, _ time.Time) error {
	if d != nil {
		s.sent[id], s.source[id] = *d, source
	} else {
		s.why[id] = why
	}
	return nil
}

type abuseRDAP map[string]string

func (f abuseRDAP) Lookup(_ context.Context, q string) (rdap.Result, error) {
	if e, ok := f[q]; ok {
		return rdap.Result{Query: q, AbuseEmail: e, Source: "https://rdap.example/"}, nil
	}
	return rdap.Result{}, fmt.Errorf("rdap: %s not found", q)
}

// TestFallbackChain: a notice nobody could be sent to goes to the
// security.txt contact of the organisation's domain, else the RDAP abuse
// contact of the finding's address, else of the domain; a bounced address
// is passed over; with nothing found it stays on the call list with why.
func TestFallbackChain(t *testing.T) {
	secTxt := map[string]string{
		"secure.example": "Contact: mailto:csirt@secure.example\nExpires: 2030-01-01T00:00:00Z\nPreferred-Languages: nl\n",
		"bounce.example": "Contact: mailto:gone@bounce.example\nExpires: 2030-01-01T00:00:00Z\n",
	}
	disc := &notify.Discoverer{
		SecurityTxt: func(_ context.Context, host string) (securitytxt.Report, error) {
			if raw, ok := secTxt[host]; ok {
				return securitytxt.Validate([]byte(raw), securitytxt.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}), nil
			}
			return securitytxt.Report{}, errors.New("no security.txt")
		},
		RDAP: abuseRDAP{"8.8.4.4": "abuse@ip.example", "rdap-domain.example": "abuse@rdap-domain.example"},
	}
	item := func(ip string) notify.Content {
		return notify.Content{Items: []notify.Item{{IP: ip, Key: ip + ":443"}}, Languages: []string{"en"}}
	}
	for _, c := range []struct {
		name    string
		n       notify.UndeliverableNotice
		to      string
		source  string
		lang    string
		stayWhy string
	}{
		{"security.txt of the domain", notify.UndeliverableNotice{Domains: []string{"secure.example"}, Content: item("8.8.4.4")}, "csirt@secure.example", "security.txt", "nl", ""},
		{"bounced security.txt, then RDAP of the address", notify.UndeliverableNotice{Domains: []string{"bounce.example"}, Content: item("8.8.4.4")}, "abuse@ip.example", "RDAP abuse contact of 8.8.4.4", "en", ""},
		{"RDAP of the domain", notify.UndeliverableNotice{Domains: []string{"rdap-domain.example"}, Content: item("9.9.9.9")}, "abuse@rdap-domain.example", "RDAP abuse contact of rdap-domain.example", "en", ""},
		{"nothing found", notify.UndeliverableNotice{Content: item("9.9.9.9")}, "", "", "", "no security.txt or RDAP abuse contact found (rdap: 9.9.9.9 not found)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.n.ID = 7
			st := &fallbackStore{notices: []notify.UndeliverableNotice{c.n}, bounced: map[string]bool{"gone@bounce.example": true},
				sent: map[int64]notify.Delivery{}, source: map[int64]string{}, why: map[int64]string{}}
			fb := &notify.Fallback{Store: st, Discoverer: disc, Languages: []string{"en", "nl"}}
			res, err := fb.Run(context.Background(), []int64{7})
			if err != nil {
				t.Fatal(err)
			}
			if c.to == "" {
				if res.NotFound != 1 || len(st.sent) != 0 || st.why[7] != c.stayWhy {
					t.Errorf("res %+v, sent %+v, why %q; want it to stay with %q", res, st.sent, st.why[7], c.stayWhy)
				}
				return
			}
			d := st.sent[7]
			if res.Found != 1 || d.Recipient != c.to || d.Channel != notify.Email || d.Lang != c.lang || !strings.Contains(st.source[7], c.source) {
				t.Errorf("res %+v, delivery %+v, source %q; want %s in %s from %q", res, d, st.source[7], c.to, c.lang, c.source)
			}
		})
	}
}
