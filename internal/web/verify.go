// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/pgpkey"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// codeTooMany is a client over its request rate.
const codeTooMany errs.Code = "too_many_requests"

// Verification rate: a burst of verifyBurst lookups per client address,
// then one every verifyEvery. A person checking a warning needs a few; a
// guesser of tickets or codes gets nowhere (40 and 50 bits).
const (
	verifyEvery = 6 * time.Second
	verifyBurst = 10
)

// VerifyInput is a lookup on the verification page: the ticket from the
// warning and, optionally, its access code.
type VerifyInput struct {
	Ticket string `json:"ticket"`
	Code   string `json:"code,omitempty"`
}

// trustRoutes are the public routes that let a recipient and a machine
// check a warning: the verification API and page, and the notice schema.
func (s *Server) trustRoutes() []Route {
	v := &verifier{s: s, limit: s.newLimiter(verifyEvery, verifyBurst), svc: &verify.Service{Store: s.store,
		Key: func(ctx context.Context) ([]byte, error) { return s.store.SettingSecret(ctx, ticket.KeySetting) }}}
	const tag = "verification"
	return []Route{
		{ID: "verifyLookup", Method: http.MethodPost, Path: "/api/v1/verify", Tag: tag, Public: true,
			Request: "VerifyRequest", Response: "Verification",
			Summary: "Check a warning by its ticket: genuine, when sent, to which domains; with the access code, the whole notice (rate-limited per client)",
			api:     v.api},
		{ID: "verifyPage", Method: http.MethodGet, Path: verify.Path, Tag: tag, Public: true, ContentType: "text/html",
			Summary: "The verification page: a form for the ticket and access code of a warning", raw: v.page},
		{ID: "verifyPageLookup", Method: http.MethodPost, Path: verify.Path, Tag: tag, Public: true, ContentType: "text/html",
			Summary: "The verification page's answer (form post of ticket and code)", raw: v.page},
		{ID: "wkdKey", Method: http.MethodGet, Path: pgpkey.WKDPrefix + "{hash}", Tag: tag, Public: true, ContentType: "application/octet-stream",
			Summary: "The service's OpenPGP public key in its Web Key Directory (the key notices are signed with), at the hash of its address's local part", raw: v.wkdKey},
		{ID: "wkdPolicy", Method: http.MethodGet, Path: pgpkey.WKDPolicy, Tag: tag, Public: true, ContentType: "text/plain",
			Summary: "The Web Key Directory's policy file (empty): the directory exists when the service has an OpenPGP key", raw: v.wkdPolicy},
		{ID: "noticeSchema", Method: http.MethodGet, Path: notify.SchemaPath, Tag: tag, Public: true, ContentType: "application/schema+json",
			Summary: "The JSON Schema of the notice document (webhook body, notice.json attachment)", raw: serveNoticeSchema},
	}
}

func serveNoticeSchema(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(notify.NoticeSchema)
}

// openPGP returns the service's OpenPGP key, nil when it has none.
func (v *verifier) openPGP() *pgpkey.Key {
	if v.s.app == nil {
		return nil
	}
	k, err := v.s.app.OpenPGPPublic()
	if err != nil {
		v.s.log.Error("openpgp key", "err", err)
		return nil
	}
	return k
}

// wkdKey serves the public key at the WKD hash of its address; any other
// hash, or no key, is 404.
func (v *verifier) wkdKey(w http.ResponseWriter, r *http.Request) {
	k := v.openPGP()
	if k == nil || r.PathValue("hash") != pgpkey.WKDHash(k.Address()) {
		http.NotFound(w, r)
		return
	}
	pub, err := k.Public()
	if err != nil {
		v.s.log.Error("openpgp key", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(pub)
}

func (v *verifier) wkdPolicy(w http.ResponseWriter, r *http.Request) {
	if v.openPGP() == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(http.StatusOK)
}

// verifier serves the verification API and page.
type verifier struct {
	s     *Server
	limit *limiter
	svc   *verify.Service
}

func (v *verifier) api(c *call) (any, error) {
	if !v.limit.Allow(v.s.clientIP(c.r)) {
		c.w.Header().Set("Retry-After", "6")
		return nil, errs.Errorf(codeTooMany, "too many lookups from your address; try again in a minute")
	}
	var in VerifyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return v.svc.Lookup(c.ctx(), in.Ticket, in.Code)
}

// verifyView is what the page shows.
type verifyView struct {
	// PGP is the service's OpenPGP key, when it signs its warnings.
	PGP          *pgpView
	Ticket, Code string
	Asked        bool
	Result       *verify.Result
	Error        string
}

// pgpView is the OpenPGP key as the verification page shows it.
type pgpView struct {
	Address, Fingerprint, Armored, WKD string
}

func (v *verifier) page(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	view := verifyView{}
	if k := v.openPGP(); k != nil {
		if armored, err := k.ArmoredPublic(); err == nil {
			view.PGP = &pgpView{Address: k.Address(), Fingerprint: k.Fingerprint(), Armored: armored, WKD: pgpkey.WKDPath(k.Address())}
		}
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			status, view.Error = http.StatusBadRequest, "Het formulier is onleesbaar · The form could not be read."
		} else {
			view.Asked, view.Ticket, view.Code = true, r.PostForm.Get("ticket"), r.PostForm.Get("code")
		}
	}
	if view.Asked {
		switch {
		case !v.limit.Allow(v.s.clientIP(r)):
			h.Set("Retry-After", "6")
			status, view.Error = http.StatusTooManyRequests, "Te veel pogingen vanaf uw adres; probeer het over een minuut opnieuw. · Too many attempts from your address; try again in a minute."
		default:
			res, err := v.svc.Lookup(r.Context(), view.Ticket, view.Code)
			switch {
			case errs.CodeOf(err) == errs.NotFound:
				status, view.Error = http.StatusNotFound, "Geen waarschuwing heeft dit ticket. Controleer wat u typte; klopt het, dan komt het bericht niet van ons. · "+verify.ErrUnknown+"."
			case err != nil:
				v.s.log.Error("verification", "err", err)
				status, view.Error = http.StatusInternalServerError, "Er ging iets mis; probeer het later opnieuw. · Something went wrong; please try again later."
			default:
				view.Result = &res
			}
		}
		view.Code = "" // never echo the code back into the page
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := verifyPage.Execute(w, view); err != nil && !errors.Is(err, http.ErrHandlerTimeout) {
		v.s.log.Warn("verification page", "err", err)
	}
}

var verifyPage = template.Must(template.New("verify").Funcs(template.FuncMap{
	"day": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
}).Parse(`<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex">
<title>Waarschuwing controleren · Verify a warning</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 2em auto; padding: 0 1em; line-height: 1.45">
<h1 style="font-size: 1.35em">Waarschuwing controleren · Verify a warning</h1>
<p>Vul het ticket uit de waarschuwing in (bijvoorbeeld VGL-7K3P-Q9XD). Met alleen het ticket ziet u of de waarschuwing echt van ons komt, wanneer we haar verstuurden en naar welk domein. Met de toegangscode uit het bericht ziet u de hele waarschuwing.<br>
<span lang="en">Enter the ticket from the warning (for example VGL-7K3P-Q9XD). The ticket alone shows whether the warning really came from us, when we sent it and to which domain. With the access code from the message you see the whole warning.</span></p>
<form method="post" action="/verify" autocomplete="off">
<p><label>Ticket<br><input name="ticket" value="{{.Ticket}}" required maxlength="40" size="20" spellcheck="false" autocapitalize="characters"></label></p>
<p><label>Toegangscode · Access code (optioneel · optional)<br><input name="code" maxlength="40" size="20" spellcheck="false" autocapitalize="characters"></label></p>
<p><button type="submit" style="padding: .45em 1em; font-size: 1em">Controleren · Verify</button></p>
</form>
{{with .Error}}<p role="alert" style="border-left: 4px solid #b91c1c; padding-left: .8em"><strong>{{.}}</strong></p>{{end}}
{{with .Result}}
<section style="border-left: 4px solid #15803d; padding-left: .8em">
<h2 style="font-size: 1.15em">Echt · Genuine: {{.Ticket}}</h2>
<p>Deze waarschuwing komt van ons. · This warning came from us.</p>
<ul>
<li>Opgesteld · Written: {{day .Created}}</li>
<li>Verstuurd · Sent: {{with .SentAt}}{{day .}}{{else}}nog niet · not yet{{end}}</li>
<li>Naar · To: {{range $i, $d := .Domains}}{{if $i}}, {{end}}{{$d}}{{else}}(geen e-mail · no e-mail){{end}}</li>
</ul>
{{if and .CodeGiven (not .CodeValid)}}<p role="alert"><strong>De toegangscode klopt niet bij dit ticket. · The access code does not match this ticket.</strong></p>{{end}}
{{with .Notice}}
<h2 style="font-size: 1.15em">{{if .OrgName}}{{.OrgName}} · {{end}}{{.Severity}} · {{len .Items}} bevinding(en) · finding(s)</h2>
{{range .Items}}
<h3 style="font-size: 1em">{{if .TriggerTitle}}{{.TriggerTitle}}{{else}}{{.Trigger}}{{end}} ({{.Severity}}, {{.Event}})</h3>
<p>{{.Type}} · <code>{{.Key}}</code>{{with .Hostname}} ({{.}}){{end}}{{with .CVE}} · {{.}}{{end}}<br>
{{day .FirstSeen}} – {{day .LastSeen}}{{if gt .Count 1}} · {{.Count}}×{{end}}</p>
{{with .Links}}<ul>{{range .}}<li>{{.Title}}: {{.URL}}</li>{{end}}</ul>{{end}}
{{end}}
{{end}}
{{with .Acknowledged}}<p>Ontvangst bevestigd · Receipt confirmed: {{day .}}</p>{{end}}
</section>
{{end}}
{{with .PGP}}
<section>
<h2 style="font-size: 1.15em">OpenPGP</h2>
<p>Onze waarschuwingen zijn ondertekend met deze sleutel van {{.Address}} (ook in onze Web Key Directory, {{.WKD}}). · <span lang="en">Our warnings are signed with this key of {{.Address}} (also in our Web Key Directory, {{.WKD}}).</span></p>
<p>Vingerafdruk · Fingerprint: <code>{{.Fingerprint}}</code></p>
<pre style="white-space: pre-wrap; font-size: .8em">{{.Armored}}</pre>
</section>
{{end}}
<p><small>We vragen nooit om wachtwoorden of andere inloggegevens. · We never ask for passwords or other login details.</small></p>
</body></html>
`))
