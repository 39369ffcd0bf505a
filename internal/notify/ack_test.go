// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

func TestAckToken(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := notify.AckToken(key, 42)
	if id, err := notify.ParseAckToken(key, tok); err != nil || id != 42 {
		t.Fatalf("ParseAckToken = %d, %v", id, err)
	}
	other := notify.AckToken(key, 43)
	forged := other[:11] + tok[11:] // notice 43's id with 42's tag
	for name, bad := range map[string]struct {
		key []byte
		tok string
	}{
		"other_key":  {[]byte("another key"), tok},
		"forged_id":  {key, forged},
		"truncated":  {key, tok[:20]},
		"not_base64": {key, "!!!"},
		"empty":      {key, ""},
		"zero_id":    {key, notify.AckToken(key, 0)},
	} {
		if _, err := notify.ParseAckToken(bad.key, bad.tok); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("%s: ParseAckToken = %v; want not found", name, err)
		}
	}
	if got := notify.AckURL("https://vigil.example.nl/", key, 42); got != "https://vigil.example.nl/ack/"+tok {
		t.Errorf("AckURL = %q", got)
	}
}

// TestAckFlow: a recipient opens the link (GET shows the notice, changes
// nothing), presses the button (POST acknowledges), and the notice leaves
// the call list; an escalated notice can still be acknowledged.
func TestAckFlow(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		ctx := context.Background()
		if _, err := e.deliverer(t, s, 8).DeliverDue(ctx, 0); err != nil {
			t.Fatal(err)
		}
		key, err := s.SettingSecret(ctx, notify.AckKeySetting)
		if err != nil {
			t.Fatal(err)
		}
		links := &notify.AckLinks{Store: s, Key: func(ctx context.Context) ([]byte, error) { return s.SettingSecret(ctx, notify.AckKeySetting) }, Now: clk.Now}
		ns, _ := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{})
		id := ns[0].ID

		// Unacknowledged critical notice: on the call list after 4 hours.
		clk.Add(5 * time.Hour)
		calls, n, err := notify.CallList(ctx, s, tenant.Operator(), clk.Now(), 4*time.Hour)
		if err != nil || n != 1 || len(calls) != 1 || calls[0].ID != id || calls[0].Emails[0] != "csirt@ziekenhuis.example" {
			t.Fatalf("call list = %+v, %d, %v", calls, n, err)
		}

		// The link's page (web) opens it without acknowledging; its button acknowledges.
		link := notify.AckURL("https://vigil.example.nl", key, id)
		token := strings.TrimPrefix(link, "https://vigil.example.nl/ack/")
		got, err := links.Open(ctx, token, false)
		if err != nil || got.ID != id || got.OrgName != "Ziekenhuis Midden" || got.AckedAt != nil {
			t.Fatalf("open = %+v, %v", got, err)
		}
		if n, _ := s.NoticeGet(ctx, tenant.Operator(), id); n.AckedAt != nil {
			t.Fatal("opening the link acknowledged the notice")
		}
		clk.Add(time.Hour)
		if _, err := links.Open(ctx, token, true); err != nil {
			t.Fatalf("acknowledge: %v", err)
		}
		n2, _ := s.NoticeGet(ctx, tenant.Operator(), id)
		if n2.State != notify.StateAcknowledged || n2.AckedAt == nil || !n2.AckedAt.Equal(clk.Now()) || n2.AckedBy != "link" {
			t.Errorf("after acknowledging: %+v", n2)
		}
		if calls, _, _ := notify.CallList(ctx, s, tenant.Operator(), clk.Now(), 4*time.Hour); len(calls) != 0 {
			t.Errorf("acknowledged notice still on the call list: %+v", calls)
		}
		// Forged, malformed and unknown links are errs.NotFound.
		for _, bad := range []string{notify.AckToken([]byte("guess"), id), notify.AckToken(key, 999), "", "%%%"} {
			if _, err := links.Open(ctx, bad, true); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("token %q: %v; want not found", bad, err)
			}
		}
		// Statistics: sent at t0, acknowledged 6 h later.
		st, _ := notify.LoadStats(ctx, s, tenant.Operator(), time.Time{}, notify.PeriodNone)
		if st.Overall.Acknowledged != 1 || st.Overall.MedianAckSeconds == nil || *st.Overall.MedianAckSeconds != 6*3600 {
			t.Errorf("stats after ack = %+v", st.Overall)
		}
	})
}
