// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// AckHandler serves the acknowledgement links, /ack/{token}. GET shows
// what the notice was about and a button; POST (the button) records the
// acknowledgement. A GET never acknowledges, because mail scanners and
// link previews fetch every link in a message. Unknown or forged tokens
// get 404. The page is in Dutch and English.
type AckHandler struct {
	Store AckStore
	// Key returns the link-signing key (usually the store's
	// SettingSecret(ctx, AckKeySetting)).
	Key    func(ctx context.Context) ([]byte, error)
	Now    func() time.Time
	Logger *slog.Logger
}

var ackPage = template.Must(template.New("ack").Parse(`<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex">
<title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.4">
{{if .Notice}}
<h1 style="font-size: 1.3em">{{if .Done}}Ontvangst bevestigd · Receipt confirmed{{else}}Ontvangst bevestigen · Confirm receipt{{end}}</h1>
<p>Ticket {{.Notice.Ticket}}{{if .Notice.OrgName}} · {{.Notice.OrgName}}{{end}} · {{.Notice.Severity}} · {{.Notice.Items}} bevinding(en) / finding(s){{if .Notice.Triggers}} · {{range $i, $t := .Notice.Triggers}}{{if $i}}, {{end}}{{$t}}{{end}}{{end}}</p>
{{if .Notice.AckedAt}}
<p>Bevestigd op / confirmed at {{.Notice.AckedAt.UTC.Format "2006-01-02 15:04 UTC"}}. Dank u wel · Thank you.</p>
{{else}}
<form method="post"><button type="submit" style="padding: .5em 1em; font-size: 1em">Ik heb deze waarschuwing ontvangen · I received this warning</button></form>
{{end}}
{{else}}
<h1 style="font-size: 1.3em">Onbekende link · Unknown link</h1>
<p>Deze bevestigingslink is ongeldig. · This confirmation link is not valid.</p>
{{end}}
</body></html>
`))

type ackView struct {
	Title  string
	Notice *Notice
	Done   bool
}

// ServeHTTP implements http.Handler.
func (h *AckHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := linkPage(w, r, "/ack/")
	if !ok {
		return
	}
	done := r.Method == http.MethodPost
	n, err := h.Open(r.Context(), token, done)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		h.render(w, http.StatusNotFound, ackView{Title: "Unknown link"})
	case err != nil:
		h.fail(w, err)
	default:
		h.render(w, http.StatusOK, ackView{Title: "vigil", Notice: &n, Done: done})
	}
}

// Open returns the notice an acknowledgement link's token names and, with
// ack, records its acknowledgement ("link"; the first one is kept). A
// token that is malformed, forged or names no notice is errs.NotFound.
// The portal's page and ServeHTTP both answer through it.
func (h *AckHandler) Open(ctx context.Context, token string, ack bool) (Notice, error) {
	key, err := h.Key(ctx)
	if err != nil {
		return Notice{}, fmt.Errorf("ack link key: %w", err)
	}
	id, err := ParseAckToken(key, token)
	if err != nil {
		return Notice{}, errs.Errorf(errs.NotFound, "unknown acknowledgement link")
	}
	// The signed link is the capability for its one notice, whichever
	// organisation it belongs to (or none, for an unregistered owner): the
	// handler reads and acknowledges that notice in the operator's scope.
	linkScope := tenant.Operator()
	if ack {
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		return h.Store.NoticeAck(ctx, linkScope, id, "link", now().UTC())
	}
	return h.Store.NoticeGet(ctx, linkScope, id)
}

func (h *AckHandler) render(w http.ResponseWriter, status int, v ackView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = ackPage.Execute(w, v)
}

func (h *AckHandler) fail(w http.ResponseWriter, err error) {
	if h.Logger != nil {
		h.Logger.Error("acknowledgement", "err", err)
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// linkPage starts the answer of a page a signed link in a message opens
// (acknowledgement, opt-out): no caching, no referrer, no sniffing, a CSP
// that allows only the page's own form, and GET, HEAD or POST only. It
// returns the link's token (the {token} path value, else the path after
// prefix) and false when it has answered already.
func linkPage(w http.ResponseWriter, r *http.Request, prefix string) (string, bool) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return "", false
	}
	token := r.PathValue("token")
	if token == "" {
		token = strings.TrimPrefix(r.URL.Path, prefix)
	}
	return token, true
}
