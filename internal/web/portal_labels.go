// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
)

// LabelChecker verifies signed labels: the same checks as `vigil label
// verify` (signature, key, validity, revocation, supersession), which the
// rating service implements.
type LabelChecker interface {
	// Verify checks a label document at time at.
	Verify(ctx context.Context, doc []byte, at time.Time) (rating.Verification, error)
	// Signed returns the signed document of label id as issued.
	Signed(ctx context.Context, id string) ([]byte, label.Label, error)
}

// labelRoutes are the public label verification pages.
func (s *Server) labelRoutes() []Route {
	return []Route{
		{ID: "pageLabelVerify", Method: http.MethodGet, Path: "/labels/verify", Tag: "portal", Public: true,
			Query:   []Param{{Name: "id", Type: "string", Description: "a label id to verify at once (the registry's links)"}},
			Summary: "Verify a security label: by its id or an uploaded label document", page: s.pageLabelVerify},
		{ID: "pageLabelVerifyPost", Method: http.MethodPost, Path: "/labels/verify", Tag: "portal", Public: true,
			Summary: "Verify a security label (rate-limited per client)", Stateless: true, page: s.pageLabelVerifyPost},
	}
}

// labelVerifyView is the verification page: the form and, after a check, its
// outcome.
type labelVerifyView struct {
	ID     string
	Result *rating.Verification
}

func (s *Server) pageLabelVerify(pc *pageCall) error {
	v := labelVerifyView{ID: strings.ToUpper(strings.TrimSpace(pc.query("id")))}
	if v.ID == "" {
		return pc.page("label_verify", "verify.title", v)
	}
	fail := func(err error) error { return pc.formError(err, "label_verify", "verify.title", v) }
	if s.labels == nil {
		return errs.Errorf(errs.NotFound, "label verification is not set up on this server")
	}
	if err := s.allowCheck(pc.w, pc.r); err != nil {
		return err
	}
	doc, _, err := s.labels.Signed(pc.ctx(), v.ID)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return fail(errs.Field("id", v.ID, "no label with this id in the registry"))
		}
		return err
	}
	return s.showVerification(pc, v, doc)
}

// maxLabelDoc bounds an uploaded label document.
const maxLabelDoc = 64 << 10

func (s *Server) pageLabelVerifyPost(pc *pageCall) error {
	v := labelVerifyView{ID: strings.ToUpper(pc.form("id"))}
	fail := func(err error) error { return pc.formError(err, "label_verify", "verify.title", v) }
	if s.labels == nil {
		return errs.Errorf(errs.NotFound, "label verification is not set up on this server")
	}
	if err := s.allowCheck(pc.w, pc.r); err != nil {
		return err
	}
	var doc []byte
	f, _, err := pc.r.FormFile("file")
	switch {
	case err == nil:
		defer f.Close()
		if doc, err = io.ReadAll(io.LimitReader(f, maxLabelDoc+1)); err != nil {
			return err
		}
		if len(doc) > maxLabelDoc {
			return fail(errs.Field("file", "", "a label document is at most 64 KiB"))
		}
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		if v.ID == "" {
			return fail(errs.Field("id", "", "give a label id or upload a label document"))
		}
		if doc, _, err = s.labels.Signed(pc.ctx(), v.ID); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return fail(errs.Field("id", v.ID, "no label with this id in the registry"))
			}
			return err
		}
	default:
		return fail(errs.Field("file", "", "the upload could not be read"))
	}
	return s.showVerification(pc, v, doc)
}

// showVerification verifies doc and renders the outcome (422 when the
// label is not valid).
func (s *Server) showVerification(pc *pageCall, v labelVerifyView, doc []byte) error {
	res, err := s.labels.Verify(pc.ctx(), doc, s.store.Now())
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
