// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/internal/netguard"
)

// Webhook headers.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256 of
	// t + "." + body under the organisation's secret>".
	SignatureHeader = "X-Vigil-Signature"
	// IdempotencyHeader carries the delivery's IdempotencyKey; a retry of
	// the same delivery carries the same key.
	IdempotencyHeader = "Idempotency-Key"
)

// DefaultReplayWindow is how far a signature's timestamp may be from the
// receiver's clock.
const DefaultReplayWindow = 5 * time.Minute

// Signature verification errors.
var (
	ErrSignatureMissing = errors.New("webhook signature missing or malformed")
	ErrSignatureInvalid = errors.New("webhook signature does not match")
	ErrSignatureStale   = errors.New("webhook signature timestamp outside the replay window")
	ErrReplayed         = errors.New("webhook delivery replayed")
)

// WebhookSecret derives the signing secret of organisation orgID from the
// installation's master key (stored under WebhookKeySetting). The operator
// hands it to the organisation, which verifies deliveries with Verify.
func WebhookSecret(master []byte, orgID int64) []byte {
	m := hmac.New(sha256.New, master)
	fmt.Fprintf(m, "vigil-webhook/1:%d", orgID)
	return m.Sum(nil)
}

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// parseSignature splits a SignatureHeader value into its timestamp and
// v1 signatures (a sender rotating secrets may send several).
func parseSignature(header string) (ts string, sigs [][]byte, err error) {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, ErrSignatureMissing
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return "", nil, ErrSignatureMissing
			}
			sigs = append(sigs, b)
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "", nil, ErrSignatureMissing
	}
	return ts, sigs, nil
}

// Verify checks a SignatureHeader value against body: the signature must
// match under secret and its timestamp must lie within window of now
// (DefaultReplayWindow when window is 0). It does not detect a replay
// inside the window; use a Verifier for that.
func Verify(secret []byte, header string, body []byte, now time.Time, window time.Duration) error {
	_, err := verify(secret, header, body, now, window)
	return err
}

func verify(secret []byte, header string, body []byte, now time.Time, window time.Duration) (time.Time, error) {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return time.Time{}, err
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, ErrSignatureMissing
	}
	want := mac(secret, ts, body)
	ok := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			ok = true
		}
	}
	if !ok {
		return time.Time{}, ErrSignatureInvalid
	}
	t := time.Unix(unix, 0)
	if d := now.Sub(t); d > window || d < -window {
		return time.Time{}, ErrSignatureStale
	}
	return t, nil
}

// Verifier verifies webhook deliveries and refuses a signature it has
// already accepted within the replay window. It is safe for concurrent
// use; the zero value is not usable, call NewVerifier.
type Verifier struct {
	secret []byte
	window time.Duration
	now    func() time.Time
	mu     sync.Mutex
	seen   map[string]time.Time // signature header → expiry
}

// NewVerifier returns a Verifier for secret with the given replay window
// (DefaultReplayWindow when 0) and clock (time.Now when nil).
func NewVerifier(secret []byte, window time.Duration, now func() time.Time) *Verifier {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if now == nil {
		now = time.Now
	}
	return &Verifier{secret: secret, window: window, now: now, seen: map[string]time.Time{}}
}

// Verify checks header and body like the package-level Verify and also
// fails with ErrReplayed for a signature seen before.
func (v *Verifier) Verify(header string, body []byte) error {
	now := v.now()
	t, err := verify(v.secret, header, body, now, v.window)
	if err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for k, exp := range v.seen {
		if now.After(exp) {
			delete(v.seen, k)
		}
	}
	if _, dup := v.seen[header]; dup {
		return ErrReplayed
	}
	v.seen[header] = t.Add(v.window)
	return nil
}

// WebhookSender posts notices as signed JSON through the guarded client.
type WebhookSender struct {
	Client *netguard.Client
	// Secret returns the signing secret of an organisation.
	Secret func(orgID int64) []byte
	// Now is the clock of the signature timestamp (time.Now when nil).
	Now func() time.Time
}

// Send implements Sender. 2xx is success; 400, 401, 403, 404, 405, 410,
// 413 and 422 are permanent failures; everything else is retried.
func (w *WebhookSender) Send(ctx context.Context, m Outgoing) error {
	body, err := json.Marshal(DeliveryDocument(m))
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Recipient, bytes.NewReader(body))
	if err != nil {
		return &SendError{Permanent: true, Err: fmt.Errorf("webhook URL: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, m.Key)
	req.Header.Set(SignatureHeader, Sign(w.Secret(m.OrgID), now(), body))
	resp, err := w.Client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrBlockedAddress) {
			return &SendError{Permanent: true, Err: err}
		}
		return &SendError{Err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	se := &SendError{Code: resp.StatusCode, Err: fmt.Errorf("webhook answered %s", resp.Status)}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusGone, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		se.Permanent = true
	}
	return se
}
