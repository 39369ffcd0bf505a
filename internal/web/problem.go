// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"vigil/internal/errs"
)

// Problem is an RFC 9457 problem details object, the body of every error
// response (media type application/problem+json).
type Problem struct {
	// Type identifies the kind of problem: "urn:vigil:problem:" plus a code
	// such as not_found or invalid.
	Type string `json:"type"`
	// Title is a short summary of the kind of problem.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence. Internal errors never carry their
	// cause here; it is logged instead.
	Detail string `json:"detail,omitempty"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance,omitempty"`
	// Field names the request member (a JSON path such as assets[0].value,
	// a query parameter or a path parameter) that the problem is about.
	Field string `json:"field,omitempty"`
}

// ProblemType is the prefix of every Problem.Type.
const ProblemType = "urn:vigil:problem:"

// ProblemContentType is the media type of error responses.
const ProblemContentType = "application/problem+json"

// Codes for request-level failures that the domain's errs codes do not
// cover. They travel as *errs.Error like the domain's codes, so that one
// table maps every code to a status.
const (
	codeBadRequest       errs.Code = "bad_request"            // malformed JSON, unknown field, bad path or query parameter
	codeTooLarge         errs.Code = "too_large"              // body over the limit
	codeMediaType        errs.Code = "unsupported_media_type" // body not JSON
	codeMethodNotAllowed errs.Code = "method_not_allowed"     // path exists, method does not
	codeUnavailable      errs.Code = "unavailable"            // a dependency (the database) does not answer
)

// problemKind is a row of the status table.
type problemKind struct {
	status int
	title  string
}

// problemTable maps every error code to its HTTP status and title. Codes
// not listed are internal errors.
func problemTable() map[errs.Code]problemKind {
	return map[errs.Code]problemKind{
		codeBadRequest:       {http.StatusBadRequest, "Bad request"},
		errs.Invalid:         {http.StatusUnprocessableEntity, "Invalid input"},
		errs.Unauthorized:    {http.StatusUnauthorized, "Unauthorized"},
		errs.Forbidden:       {http.StatusForbidden, "Forbidden"},
		errs.NotFound:        {http.StatusNotFound, "Not found"},
		codeMethodNotAllowed: {http.StatusMethodNotAllowed, "Method not allowed"},
		errs.Conflict:        {http.StatusConflict, "Conflict"},
		codeTooLarge:         {http.StatusRequestEntityTooLarge, "Request body too large"},
		codeMediaType:        {http.StatusUnsupportedMediaType, "Unsupported media type"},
		errs.Internal:        {http.StatusInternalServerError, "Internal server error"},
		codeUnavailable:      {http.StatusServiceUnavailable, "Service unavailable"},
		codeTooMany:          {http.StatusTooManyRequests, "Too many requests"},
	}
}

// problemFor builds the problem details for err. Internal errors (and
// unknown codes) get a generic detail; the caller logs the cause.
func (s *Server) problemFor(err error, instance string) Problem {
	code := errs.CodeOf(err)
	kind, ok := s.problems[code]
	if !ok {
		code, kind = errs.Internal, s.problems[errs.Internal]
	}
	p := Problem{Type: ProblemType + string(code), Title: kind.title, Status: kind.status, Instance: instance}
	if code == errs.Internal {
		p.Detail = "internal error; it has been logged"
		return p
	}
	var e *errs.Error
	if errors.As(err, &e) {
		p.Field = e.Field
	}
	p.Detail = errs.Message(err)
	return p
}

// writeError writes err as problem details, logging internal errors with
// their cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := s.problemFor(err, r.URL.Path)
	if p.Status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", p.Status), slog.String("err", err.Error()))
	}
	switch p.Status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	case http.StatusTooManyRequests:
		setRetryAfter(w.Header(), err)
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	body, _ := json.Marshal(p) // a Problem always marshals
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(body, '\n'))
}
