// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package labels serves the machine-readable part of vigil's public label
// registry, without authentication:
//
//	GET /.well-known/vigil-keys.json   the label signing keys (JWKS, with status and dates)
//	GET /labels/{id}/status.json       the registry's view: revoked, superseded, latest grade
//
// The page of a label (/labels/{id}, in the portal's layout and language),
// its signed document (.json) and renderings (.svg, .png, .pdf) are a page
// route of internal/web. `vigil label verify URL` reads the document, the
// status and the keys. Handler serves these routes; Routes lists them for
// a router's route table.
package labels

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"

	"vigil/internal/errs"
	"vigil/internal/rating"
)

// Handler serves the registry. It is safe for concurrent use.
type Handler struct {
	svc *rating.Service
	log *slog.Logger
	mux *http.ServeMux
}

// Route is one public route of the registry.
type Route struct {
	Method      string
	Path        string // a net/http ServeMux pattern path
	Summary     string
	ContentType string
	Handler     http.HandlerFunc
}

// New returns the registry handler for svc; log receives internal errors
// (nil discards).
func New(svc *rating.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, log: log, mux: http.NewServeMux()}
	for _, rt := range h.Routes() {
		h.mux.HandleFunc(rt.Method+" "+rt.Path, rt.Handler)
	}
	return h
}

// Routes returns the registry's routes.
func (h *Handler) Routes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/.well-known/vigil-keys.json", ContentType: "application/json",
			Summary: "Label signing keys (JWKS: Ed25519, with status and dates)", Handler: h.keys},
		{Method: http.MethodGet, Path: "/labels/{id}/status.json", ContentType: "application/json",
			Summary: "A label's registry status: valid, expired, revoked or superseded, and the device's current grade", Handler: h.status},
	}
}

// ServeHTTP serves the registry's routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// idRE matches label ids as label.NewID makes them.
var idRE = regexp.MustCompile(`^VL(-[0-9A-Z]{4}){3}$`)

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch errs.CodeOf(err) {
	case errs.NotFound:
		http.Error(w, "label not found", http.StatusNotFound)
	case errs.Invalid:
		http.Error(w, errs.Message(err), http.StatusBadRequest)
	default:
		h.log.Error("label registry", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func securityHeaders(w http.ResponseWriter) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
}

func (h *Handler) keys(w http.ResponseWriter, r *http.Request) {
	kr, err := h.svc.Keyring()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	doc, err := kr.MarshalJWKS()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	securityHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(doc)
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !idRE.MatchString(id) {
		http.Error(w, "label not found", http.StatusNotFound)
		return
	}
	rs, err := h.svc.Registry(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, rs)
}

func writeJSON(w http.ResponseWriter, v any) {
	securityHeaders(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
