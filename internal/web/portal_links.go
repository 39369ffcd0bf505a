// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/pgpkey"
	"vigil/internal/verify"
)

// noAPILink is why the pages of a warning's signed links have no API twin.
const noAPILink = "the signed link in the warning is its own credential for one notice or address; " +
	"API clients acknowledge with noticeAck under their token and list addresses with suppressionAdd"

// linkRoutes are the pages the links in a warning open, each a page of
// the portal in the reader's language: acknowledgement (GET and POST
// /ack/{ack}) and opt-out (GET and POST /optout/{optout}). GET shows what
// the link is about and a button; only POST acts (mail scanners fetch
// every link), and POST /optout also takes a mail client's one-click
// request (RFC 8058: no cookie, no CSRF token). The link-signing key is the
// store's notify.AckKeySetting secret.
func (s *Server) linkRoutes() []Route {
	key := func(ctx context.Context) ([]byte, error) { return s.store.SettingSecret(ctx, notify.AckKeySetting) }
	ack := &notify.AckLinks{Store: s.store, Now: s.store.Now, Key: key}
	opt := &notify.OptOutLinks{Store: s.store, Now: s.store.Now, Key: key}
	const tag = "notices"
	return []Route{
		{ID: "ackShow", Method: http.MethodGet, Path: "/ack/{ack}", Tag: tag, Public: true,
			Summary: "Acknowledgement page of a notice (signed link from the warning)", page: s.pageAck(ack, false)},
		{ID: "ackConfirm", Method: http.MethodPost, Path: "/ack/{ack}", Tag: tag, Public: true, NoAPI: noAPILink,
			Summary: "Acknowledge a notice through its signed link", page: s.pageAck(ack, true)},
		{ID: "optOutShow", Method: http.MethodGet, Path: notify.OptOutPath + "{optout}", Tag: tag, Public: true,
			Summary: "Opt-out page of a discovered contact (signed link from the warning): shows a confirm button", page: s.pageOptOut(opt, false)},
		{ID: "optOutConfirm", Method: http.MethodPost, Path: notify.OptOutPath + "{optout}", Tag: tag, Public: true, NoAPI: noAPILink,
			Summary: "Opt out through the signed link (the button, or an RFC 8058 one-click POST): the address goes on the suppression list", page: s.pageOptOut(opt, true)},
	}
}

// ackView is what the acknowledgement page shows.
type ackView struct {
	Notice notify.Notice
	Done   bool
}

func (s *Server) pageAck(h *notify.AckLinks, confirm bool) func(pc *pageCall) error {
	return func(pc *pageCall) error {
		pc.w.Header().Set("X-Robots-Tag", "noindex")
		n, err := h.Open(pc.ctx(), pc.r.PathValue("ack"), confirm)
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			return pc.render(http.StatusNotFound, "link_unknown", "link.unknown.title", nil, nil)
		case err != nil:
			return err
		}
		title := "ack.title"
		if confirm || n.AckedAt != nil {
			title = "ack.done.title"
		}
		return pc.page("ack", title, ackView{Notice: n, Done: confirm})
	}
}

// optOutView is what the opt-out page shows.
type optOutView struct {
	Address string
	Done    bool
}

func (s *Server) pageOptOut(h *notify.OptOutLinks, confirm bool) func(pc *pageCall) error {
	return func(pc *pageCall) error {
		pc.w.Header().Set("X-Robots-Tag", "noindex")
		addr, done, err := h.Open(pc.ctx(), pc.r.PathValue("optout"), confirm)
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			return pc.render(http.StatusNotFound, "link_unknown", "link.unknown.title", nil, nil)
		case err != nil:
			return err
		}
		title := "optout.title"
		if done {
			title = "optout.done.title"
		}
		return pc.page("optout", title, optOutView{Address: addr, Done: done})
	}
}

// verifyView is what the warning verification page shows.
type verifyView struct {
	// PGP is the service's OpenPGP key, when it signs its warnings.
	PGP          *pgpView
	Ticket, Code string
	Result       *verify.Result
}

// pgpView is the OpenPGP key as the verification page shows it.
type pgpView struct {
	Address, Fingerprint, Armored, WKD string
}

// pageVerify is the warning verification page: GET shows the form, POST
// looks the ticket (and code) up, rate-limited per client like the API.
func (v *verifier) pageVerify(pc *pageCall) error {
	pc.w.Header().Set("X-Robots-Tag", "noindex")
	view := verifyView{}
	if k := v.openPGP(); k != nil {
		if armored, err := k.ArmoredPublic(); err == nil {
			view.PGP = &pgpView{Address: k.Address(), Fingerprint: k.Fingerprint(), Armored: armored, WKD: pgpkey.WKDPath(k.Address())}
		}
	}
	if pc.r.Method != http.MethodPost {
		return pc.page("verify", "wverify.title", view)
	}
	view.Ticket = pc.form("ticket")
	code := pc.form("code") // never echoed back into the page
	if !v.limit.Allow(v.s.clientIP(pc.r)) {
		pc.w.Header().Set("Retry-After", "6")
		return pc.render(http.StatusTooManyRequests, "verify", "wverify.title", view,
			map[string]string{"_": pc.s.messages(pc.lang)["wverify.toomany"]})
	}
	res, err := v.svc.Lookup(pc.ctx(), view.Ticket, code)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		return pc.render(http.StatusNotFound, "verify", "wverify.title", view,
			map[string]string{"ticket": pc.s.messages(pc.lang)["wverify.unknown"]})
	case err != nil:
		return err
	}
	view.Result = &res
	return pc.page("verify", "wverify.title", view)
}
