// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"vigil/internal/app"
	"vigil/internal/errs"
	"vigil/internal/rating"
)

// LabelChecker is what the public verification needs of the labels issued
// here (the rating service): their keys, registry status and documents as
// issued. Page and API verify through app.VerifyLabelWith, the code
// `vigil label verify` runs.
type LabelChecker = app.LabelRegistry

// LabelVerifyInput names the label to verify: the id of a label in this
// registry, or a label document (as downloaded from a registry, or as the
// maker was given it).
type LabelVerifyInput struct {
	ID       string          `json:"id,omitempty"`
	Document json.RawMessage `json:"document,omitempty"`
}

// labelRoutes are the public label verification page and its API twin.
func (s *Server) labelRoutes() []Route {
	return []Route{
		{ID: "pageLabelVerify", Method: http.MethodGet, Path: "/labels/verify", Tag: "portal", Public: true,
			Query:   []Param{{Name: "id", Type: "string", Description: "a label id to verify at once (the registry's links)"}},
			Summary: "Verify a security label: by its id or an uploaded label document", page: s.pageLabelVerify},
		{ID: "pageLabelVerifyPost", Method: http.MethodPost, Path: "/labels/verify", Tag: "portal", Public: true, API: "labelVerify",
			Summary: "Verify a security label (rate-limited per client)", Stateless: true, page: s.pageLabelVerifyPost},
		{ID: "labelVerify", Method: http.MethodPost, Path: "/api/v1/labels/verify", Tag: "labels", Public: true, Stateless: true,
			Request: "LabelVerify", Response: "LabelVerification",
			Summary: "Verify a security label by its id in this registry or its document: signature, key, validity, revocation, supersession, as `vigil label verify` (rate-limited per client)",
			api:     s.labelVerify},
	}
}

// labelSchemas registers the schemas of labelRoutes.
func labelSchemas(add func(name string, v, example any)) {
	add("LabelVerify", LabelVerifyInput{}, LabelVerifyInput{ID: "VL-7K3M-Q9TX-2B4D"})
	add("LabelVerification", rating.Verification{}, nil)
}

// labelVerifyView is the verification page: the form and, after a check, its
// outcome.
type labelVerifyView struct {
	ID     string
	Result *rating.Verification
}

// verifyLabel verifies a label by id or document for a visitor: the
// per-client limit, then app.VerifyLabelWith on this registry.
func (s *Server) verifyLabel(w http.ResponseWriter, r *http.Request, id string, doc []byte) (rating.Verification, error) {
	if s.labels == nil {
		return rating.Verification{}, errs.Keyed(errs.NotFound, "", "verify.off", "label verification is not set up on this server")
	}
	if err := s.allowCheck(w, r); err != nil {
		return rating.Verification{}, err
	}
	req := app.VerifyRequest{Doc: doc, At: s.store.Now()}
	switch {
	case len(doc) > maxLabelDoc:
		return rating.Verification{}, errs.FieldKeyed("file", "", "label.large", "a label document is at most 64 KiB")
	case len(doc) == 0 && id == "":
		return rating.Verification{}, errs.FieldKeyed("id", "", "label.none", "give a label id or upload a label document")
	case len(doc) == 0:
		req.ID = id
	}
	return app.VerifyLabelWith(r.Context(), req, s.labels)
}

func (s *Server) labelVerify(c *call) (any, error) {
	var in LabelVerifyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	v, err := s.verifyLabel(c.w, c.r, strings.ToUpper(strings.TrimSpace(in.ID)), in.Document)
	return v, inField(err, "", map[string]string{"file": "document"})
}

func (s *Server) pageLabelVerify(pc *pageCall) error {
	v := labelVerifyView{ID: strings.ToUpper(strings.TrimSpace(pc.query("id")))}
	if v.ID == "" {
		return pc.page("label_verify", "verify.title", v)
	}
	return s.showVerification(pc, v, nil)
}

// maxLabelDoc bounds an uploaded label document.
const maxLabelDoc = 64 << 10

func (s *Server) pageLabelVerifyPost(pc *pageCall) error {
	v := labelVerifyView{ID: strings.ToUpper(pc.form("id"))}
	var doc []byte
	f, _, err := pc.r.FormFile("file")
	switch {
	case err == nil:
		defer f.Close()
		if doc, err = io.ReadAll(io.LimitReader(f, maxLabelDoc+1)); err != nil {
			return err
		}
		if len(doc) == 0 {
			return pc.formError(errs.FieldKeyed("file", "", "upload.empty", "the uploaded file is empty"), "label_verify", "verify.title", v)
		}
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
	default:
		return pc.formError(errs.FieldKeyed("file", "", "upload.unreadable", "the upload could not be read"), "label_verify", "verify.title", v)
	}
	return s.showVerification(pc, v, doc)
}

// showVerification verifies the label (doc, else id) and renders the
// outcome (422 when the label is not valid).
func (s *Server) showVerification(pc *pageCall, v labelVerifyView, doc []byte) error {
	res, err := s.verifyLabel(pc.w, pc.r, v.ID, doc)
	if errs.CodeOf(err) == errs.Invalid {
		return pc.formError(err, "label_verify", "verify.title", v)
	}
	if err != nil {
		return err
	}
	v.Result = &res
	status := http.StatusOK
	if !res.OK() {
		status = http.StatusUnprocessableEntity
	}
	return pc.render(status, "label_verify", "verify.title", v, nil)
}
