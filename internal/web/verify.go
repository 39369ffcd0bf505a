// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/pgpkey"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// codeTooMany is a client over its request rate.
const codeTooMany = errs.TooMany

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
		{ID: "verifyPage", Method: http.MethodGet, Path: verify.Path, Tag: tag, Public: true,
			Summary: "The verification page: a form for the ticket and access code of a warning", page: v.pageVerify},
		{ID: "verifyPageLookup", Method: http.MethodPost, Path: verify.Path, Tag: tag, Public: true, API: "verifyLookup", Stateless: true,
			Summary: "The verification page's answer (form post of ticket and code; rate-limited per client)", page: v.pageVerify},
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
		return nil, errs.Keyed(codeTooMany, "", "lookups.wait", "too many lookups from your address; try again in a minute")
	}
	var in VerifyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return v.svc.Lookup(c.ctx(), in.Ticket, in.Code)
}
