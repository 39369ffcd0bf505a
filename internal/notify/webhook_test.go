// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/netguard"
	"vigil/internal/notify"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	secret := notify.WebhookSecret([]byte("master key of the installation"), 7)
	body := []byte(`{"id":"vigil-n1-webhook-abc","notice_id":1}`)
	at := time.Unix(1748858400, 0)
	good := notify.Sign(secret, at, body)
	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"good", secret, good, body, at.Add(time.Minute), nil},
		{"good_clock_behind_sender", secret, good, body, at.Add(-time.Minute), nil},
		{"tampered_body", secret, good, []byte(`{"id":"vigil-n1-webhook-abc","notice_id":2}`), at, notify.ErrSignatureInvalid},
		{"other_organisation_secret", notify.WebhookSecret([]byte("master key of the installation"), 8), good, body, at, notify.ErrSignatureInvalid},
		{"tampered_timestamp", secret, strings.Replace(good, "t=1748858400", "t=1748858460", 1), body, at, notify.ErrSignatureInvalid},
		{"stale", secret, good, body, at.Add(6 * time.Minute), notify.ErrSignatureStale},
		{"from_the_future", secret, good, body, at.Add(-6 * time.Minute), notify.ErrSignatureStale},
		{"missing", secret, "", body, at, notify.ErrSignatureMissing},
		{"no_v1", secret, "t=1748858400", body, at, notify.ErrSignatureMissing},
		{"bad_hex", secret, "t=1748858400,v1=zz", body, at, notify.ErrSignatureMissing},
		{"second_signature_matches", secret, "t=1748858400,v1=" + strings.Repeat("00", 32) + "," + good[strings.Index(good, "v1="):], body, at, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := notify.Verify(tc.secret, tc.header, tc.body, tc.now, 0); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v; want %v", err, tc.want)
			}
		})
	}
	t.Run("replayed", func(t *testing.T) {
		t.Parallel()
		now := at
		v := notify.NewVerifier(secret, 5*time.Minute, func() time.Time { return now })
		if err := v.Verify(good, body); err != nil {
			t.Fatalf("first delivery: %v", err)
		}
		if err := v.Verify(good, body); !errors.Is(err, notify.ErrReplayed) {
			t.Errorf("replay = %v; want ErrReplayed", err)
		}
		// A retry is a new signature (new timestamp) over the same body.
		if err := v.Verify(notify.Sign(secret, at.Add(time.Second), body), body); err != nil {
			t.Errorf("retry with a fresh signature: %v", err)
		}
		now = at.Add(10 * time.Minute) // past the window: stale, not replayed
		if err := v.Verify(good, body); !errors.Is(err, notify.ErrSignatureStale) {
			t.Errorf("old replay = %v; want ErrSignatureStale", err)
		}
	})
}

// hookReceiver is an httptest webhook endpoint that verifies signatures
// and deduplicates on the Idempotency-Key header, as the documentation
// tells receivers to.
type hookReceiver struct {
	srv      *httptest.Server
	verifier *notify.Verifier
	mu       sync.Mutex
	status   []int // answers to give, in order; then 204
	got      []notify.Document
	keys     map[string]int
	requests int
}

func newHookReceiver(t *testing.T, secret []byte, status ...int) *hookReceiver {
	h := &hookReceiver{verifier: notify.NewVerifier(secret, 0, nil), status: status, keys: map[string]int{}}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.requests++
		if len(h.status) > 0 {
			code := h.status[0]
			h.status = h.status[1:]
			w.WriteHeader(code)
			return
		}
		if err := h.verifier.Verify(r.Header.Get(notify.SignatureHeader), body); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		key := r.Header.Get(notify.IdempotencyHeader)
		h.keys[key]++
		if h.keys[key] > 1 {
			w.WriteHeader(http.StatusOK) // a duplicate: acknowledged, not processed again
			return
		}
		var p notify.Document
		if err := json.Unmarshal(body, &p); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		h.got = append(h.got, p)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// client returns a guarded client that trusts the receiver's certificate.
func (h *hookReceiver) client(allowPrivate bool) *netguard.Client {
	return netguard.New(netguard.Options{AllowPrivate: allowPrivate, Transport: h.srv.Client().Transport.(*http.Transport).Clone()})
}

func (h *hookReceiver) requestCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests
}

func (h *hookReceiver) processed() []notify.Document {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Document(nil), h.got...)
}

func TestWebhookSender(t *testing.T) {
	t.Parallel()
	master := []byte("installation webhook key")
	secret := notify.WebhookSecret(master, 7)
	items := corpusItems(t, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")
	m := notify.Outgoing{Key: notify.IdempotencyKey(5, notify.Webhook, "x"), NoticeID: 5, OrgID: 7, Channel: notify.Webhook, Lang: "nl",
		Content: notify.Content{Kind: notify.KindImmediate, OrgName: "Org", Items: items[:2]}, AckURL: "https://v.example/ack/t", Date: time.Now()}
	send := func(t *testing.T, status ...int) (*hookReceiver, error) {
		h := newHookReceiver(t, secret, status...)
		ws := &notify.WebhookSender{Client: h.client(true), Secret: func(org int64) []byte { return notify.WebhookSecret(master, org) }}
		mm := m
		mm.Recipient = h.srv.URL + "/hook"
		return h, ws.Send(context.Background(), mm)
	}
	t.Run("delivered_and_verified", func(t *testing.T) {
		t.Parallel()
		h, err := send(t)
		if err != nil {
			t.Fatal(err)
		}
		got := h.processed()
		if len(got) != 1 || got[0].ID != m.Key || got[0].NoticeID != 5 || len(got[0].Items) != 2 || got[0].Lang != "nl" || got[0].AckURL != m.AckURL {
			t.Errorf("received %+v", got)
		}
	})
	for _, tc := range []struct {
		status    int
		permanent bool
	}{{500, false}, {503, false}, {429, false}, {408, false}, {404, true}, {410, true}, {401, true}, {422, true}} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			t.Parallel()
			_, err := send(t, tc.status)
			var se *notify.SendError
			if !errors.As(err, &se) || se.Code != tc.status || se.Permanent != tc.permanent {
				t.Errorf("Send = %v; want status %d permanent=%v", err, tc.status, tc.permanent)
			}
		})
	}
	t.Run("guard_refuses_private_address", func(t *testing.T) {
		t.Parallel()
		h := newHookReceiver(t, secret)
		ws := &notify.WebhookSender{Client: h.client(false), Secret: func(int64) []byte { return secret }}
		mm := m
		mm.Recipient = h.srv.URL
		err := ws.Send(context.Background(), mm)
		if !notify.IsPermanent(err) || !errors.Is(err, netguard.ErrBlockedAddress) {
			t.Errorf("Send to loopback without AllowPrivate = %v; want a permanent ErrBlockedAddress", err)
		}
	})
}
