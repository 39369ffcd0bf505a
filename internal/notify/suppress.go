// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
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

// OptOutHandler serves the opt-out links, /optout/{token}. GET shows the
// address and a confirm button; POST records the opt-out (the button, or
// a mail client's one-click request of RFC 8058, whose body is
// "List-Unsubscribe=One-Click"). A GET never opts anyone out, because mail
// scanners and link previews fetch every link in a message. Unknown or
// forged tokens get 404. The page is in Dutch and English.
type OptOutHandler struct {
	Store SuppressionStore
	// Key returns the link-signing key (the acknowledgement links' key).
	Key    func(ctx context.Context) ([]byte, error)
	Now    func() time.Time
	Logger *slog.Logger
}

var optOutPage = template.Must(template.New("optout").Parse(`<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex">
<title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.4">
<main>
{{if .Address}}
{{if .Done}}
<h1 style="font-size: 1.3em">Afgemeld · Unsubscribed</h1>
<p>U ontvangt geen waarschuwingen meer op {{.Address}}. · You will receive no more warnings at {{.Address}}.</p>
{{else}}
<h1 style="font-size: 1.3em">Afmelden · Unsubscribe</h1>
<p>Wij stuurden een beveiligingswaarschuwing naar {{.Address}} omdat dit adres als contact voor misbruik of beveiliging gepubliceerd is (security.txt of RDAP).
Na afmelden sturen wij niets meer naar dit adres.</p>
<p>We sent a security warning to {{.Address}} because it is published as an abuse or security contact (security.txt or RDAP).
Once you unsubscribe we send nothing more to this address.</p>
<form method="post"><button type="submit" name="confirm" value="1" style="padding: .5em 1em; font-size: 1em">Afmelden · Unsubscribe</button></form>
{{end}}
{{else}}
<h1 style="font-size: 1.3em">Onbekende link · Unknown link</h1>
<p>Deze afmeldlink is ongeldig. · This unsubscribe link is not valid.</p>
{{end}}
</main>
</body></html>
`))

type optOutView struct {
	Title   string
	Address string
	Done    bool
}

// ServeHTTP implements http.Handler.
func (h *OptOutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := linkPage(w, r, OptOutPath)
	if !ok {
		return
	}
	addr, done, err := h.Open(r.Context(), token, r.Method == http.MethodPost)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		h.render(w, http.StatusNotFound, optOutView{Title: "Unknown link"})
	case err != nil:
		h.fail(w, err)
	default:
		h.render(w, http.StatusOK, optOutView{Title: "vigil", Address: addr, Done: done})
	}
}

// Open returns the address an opt-out link's token names and whether it
// is opted out; with optOut it first puts the address on the suppression
// list (SuppressLink). A malformed or forged token is errs.NotFound. The
// portal's page and ServeHTTP both answer through it.
func (h *OptOutHandler) Open(ctx context.Context, token string, optOut bool) (addr string, done bool, err error) {
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

func (h *OptOutHandler) render(w http.ResponseWriter, status int, v optOutView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = optOutPage.Execute(w, v)
}

func (h *OptOutHandler) fail(w http.ResponseWriter, err error) {
	if h.Logger != nil {
		h.Logger.Error("opt-out", "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
