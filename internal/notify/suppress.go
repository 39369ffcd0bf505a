// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/registry"
)

// How an address came on the suppression list.
const (
	// SuppressLink: the recipient opted out through the link in a warning.
	SuppressLink = "link"
	// SuppressBounce: mail to the address bounced for good (hard bounce).
	SuppressBounce = "bounce"
	// SuppressAnalyst: an analyst put the address on the list.
	SuppressAnalyst = "analyst"
)

// OutboxSuppressed is the final state of an e-mail whose recipient is on
// the suppression list: it was not sent (opted out or listed by an
// analyst after the row was made).
const OutboxSuppressed OutboxState = "suppressed"

// Suppression is one address on the suppression list: nothing more is
// sent to it, on any path (composer, fallback chain, unregistered
// warnings, the dispatcher right before a send).
type Suppression struct {
	ID int64 `json:"id"`
	// Address is normalised (SuppressionAddress).
	Address string `json:"address"`
	// How is SuppressLink, SuppressBounce or SuppressAnalyst.
	How string `json:"how"`
	// Actor is who listed it: the analyst, "link" or the bounce's source.
	Actor  string    `json:"actor,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"created_at"`
}

// SuppressionStore is the storage of the suppression list.
type SuppressionStore interface {
	// SuppressionAdd puts s on the list (an address listed before keeps
	// its first entry) and ends the unsent e-mail to it (state
	// suppressed); a notice left with no delivery goes to the call list.
	// It returns the rows ended.
	SuppressionAdd(ctx context.Context, s Suppression) (int64, error)
	// AddressSuppressed returns how address is on the list, "" if not.
	AddressSuppressed(ctx context.Context, address string) (string, error)
}

// SuppressionAddress is the form of an address on the suppression list:
// a valid bare e-mail address, lower-cased (mail providers treat local
// parts without regard to case, and an opt-out must not be dodged by
// spelling).
func SuppressionAddress(s string) (string, error) {
	a, err := registry.NormalizeEmail(s)
	if err != nil {
		return "", err
	}
	return strings.ToLower(a), nil
}

const optOutContext = "vigil-optout/1"

// OptOutToken returns the token of the opt-out link of address: the
// normalised address and a 128-bit HMAC-SHA256 tag under key (the key
// that signs acknowledgement links, in its own context),
// base64url-encoded.
func OptOutToken(key []byte, address string) string {
	a := strings.ToLower(strings.TrimSpace(address))
	return base64.RawURLEncoding.EncodeToString(append([]byte(a), optOutMAC(key, a)...))
}

func optOutMAC(key []byte, address string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(optOutContext))
	m.Write([]byte{0})
	m.Write([]byte(address))
	return m.Sum(nil)[:16]
}

// ParseOptOutToken checks token under key and returns its address. A
// malformed or forged token is errs.NotFound.
func ParseOptOutToken(key []byte, token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) <= 16 || len(b) > 16+320 {
		return "", errs.Errorf(errs.NotFound, "unknown opt-out link")
	}
	a := string(b[:len(b)-16])
	if !hmac.Equal(b[len(b)-16:], optOutMAC(key, a)) {
		return "", errs.Errorf(errs.NotFound, "unknown opt-out link")
	}
	return a, nil
}

// OptOutPath is where opt-out links point, followed by the token.
const OptOutPath = "/optout/"

// OptOutURL returns the opt-out link of address under base (the public
// URL of the vigil server).
func OptOutURL(base string, key []byte, address string) string {
	return strings.TrimRight(base, "/") + OptOutPath + OptOutToken(key, address)
}

// OptOutLinks opens the opt-out links of warnings, /optout/{token}: the
// portal's page shows the address and a confirm button, and only a POST
// (the button, or a mail client's one-click request of RFC 8058, whose
// body is "List-Unsubscribe=One-Click") opts out, because mail scanners
// and link previews fetch every link in a message.
type OptOutLinks struct {
	Store SuppressionStore
	// Key returns the link-signing key (the acknowledgement links' key).
	Key func(ctx context.Context) ([]byte, error)
	Now func() time.Time
}

// Open returns the address an opt-out link's token names and whether it
// is opted out; with optOut it first puts the address on the suppression
// list (SuppressLink). A malformed or forged token is errs.NotFound.
func (h *OptOutLinks) Open(ctx context.Context, token string, optOut bool) (addr string, done bool, err error) {
	key, err := h.Key(ctx)
	if err != nil {
		return "", false, fmt.Errorf("opt-out link key: %w", err)
	}
	addr, err = ParseOptOutToken(key, token)
	if err != nil {
		return "", false, errs.Errorf(errs.NotFound, "unknown opt-out link")
	}
	if optOut {
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		if _, err := h.Store.SuppressionAdd(ctx, Suppression{Address: addr, How: SuppressLink, Actor: SuppressLink,
			Reason: "opt-out link", At: now().UTC()}); err != nil {
			return "", false, err
		}
		return addr, true, nil
	}
	how, err := h.Store.AddressSuppressed(ctx, addr)
	if err != nil {
		return "", false, err
	}
	return addr, how != "", nil
}
