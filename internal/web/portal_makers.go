// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/tenant"
)

// makerRoutes are the pages of makers and test labs (evidence files of an
// assessment, an organisation's labels with their downloads and embed
// snippet) and their API twins. Every path names the organisation the
// account acts for, so a lab acting for several chooses it on every page.
func (s *Server) makerRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageEvidenceAdd", Makers: true, Method: http.MethodPost, Path: PagePath + "/assessments/{sid}/evidence", Tag: tag, API: "assessmentEvidenceAdd", MaxBody: assess.MaxEvidenceBytes,
			Summary: "Upload an evidence file of an assessment", page: s.pageEvidenceAdd},
		{ID: "pageEvidenceGet", Makers: true, Method: http.MethodGet, Path: PagePath + "/assessments/{sid}/evidence/{eid}", Tag: tag, API: "assessmentEvidenceGet",
			ContentType: "application/octet-stream", Summary: "Download an evidence file of an assessment (always as an attachment)", page: s.pageEvidenceGet},
		{ID: "pageOrgLabels", Makers: true, Method: http.MethodGet, Path: PagePath + "/labels", Tag: tag, API: "orgLabels",
			Summary: "An organisation's labels: downloads and the snippet that embeds each", page: s.pageOrgLabels},
		{ID: "assessmentEvidenceAdd", Makers: true, Method: http.MethodPost, Path: OrgPath + "/assessments/{sid}/evidence", Tag: "assessments", Scope: auth.ScopeWrite, MaxBody: assess.MaxEvidenceBytes,
			Query:    []Param{{Name: "name", Type: "string", Description: "the file's name (a base name, at most 255 characters)"}},
			Response: "Attachment", Status: http.StatusCreated,
			Summary: "Add an evidence file (the request body; PDF, PNG, JPEG, GIF, WebP, plain text, CSV, JSON, Markdown or ZIP, at most 20 MiB) to a draft or submitted assessment",
			api:     s.assessmentEvidenceAdd},
		{ID: "assessmentEvidenceList", Makers: true, Method: http.MethodGet, Path: OrgPath + "/assessments/{sid}/evidence", Tag: "assessments", Scope: auth.ScopeRead,
			Response: "AttachmentList", Summary: "An assessment's evidence files", api: s.assessmentEvidenceList},
		{ID: "assessmentEvidenceGet", Makers: true, Method: http.MethodGet, Path: OrgPath + "/assessments/{sid}/evidence/{eid}", Tag: "assessments", Scope: auth.ScopeRead,
			ContentType: "application/octet-stream",
			Summary:     "Download an evidence file of an assessment: its content as an attachment, with its stored media type when that is one an upload accepts (never HTML)",
			api:         s.assessmentEvidenceGet},
		{ID: "orgLabels", Makers: true, Method: http.MethodGet, Path: OrgPath + "/labels", Tag: "assessments", Scope: auth.ScopeRead,
			Response: "OrgLabelList", Summary: "The organisation's labels, newest first, with their downloads and embed snippet", api: s.orgLabels},
	}
}

// makerSchemas registers the schemas of makerRoutes.
func makerSchemas(add func(name string, v, example any)) {
	add("Attachment", assess.Attachment{}, nil)
	add("AttachmentList", List[assess.Attachment]{}, nil)
	add("OrgLabel", OrgLabel{}, nil)
	add("OrgLabelList", List[OrgLabel]{}, nil)
}

// evidenceTypes are the media types an evidence file may have: its content
// is sniffed (http.DetectContentType) and must be one of the keys; a
// declared type must be the sniffed one or one of the values.
var evidenceTypes = map[string][]string{
	"application/pdf": nil,
	"image/png":       nil,
	"image/jpeg":      nil,
	"image/gif":       nil,
	"image/webp":      nil,
	"application/zip": nil,
	"text/plain":      {"text/csv", "text/markdown", "application/json"},
}

// evidenceType checks an evidence file's content against the allowed types
// and the type it was declared with, and returns the type to store.
func evidenceType(declared string, content []byte) (string, error) {
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(content))
	also, ok := evidenceTypes[sniffed]
	if !ok {
		return "", errs.FieldKeyed("file", sniffed, "evidence.type", "an evidence file must be a PDF, PNG, JPEG, GIF, WebP, plain text (CSV, JSON, Markdown) or ZIP file")
	}
	d, _, err := mime.ParseMediaType(declared)
	switch {
	case declared == "" || d == "application/octet-stream":
		return sniffed, nil
	case err != nil:
		return "", errs.FieldKeyed("file", declared, "mediatype.invalid", "not a media type")
	case d == sniffed || slices.Contains(also, d):
		return d, nil
	}
	return "", errs.FieldKeyed("file", declared, "evidence.mismatch", "the content is %s, not the declared %s", sniffed, d)
}

// addEvidence checks and stores an evidence file of assessment id.
func (s *Server) addEvidence(ctx context.Context, sc tenant.Scope, id int64, name, declared string, content []byte, actor string) (assess.Attachment, error) {
	r, err := s.ratings()
	if err != nil {
		return assess.Attachment{}, err
	}
	if _, err := s.store.AssessmentGet(ctx, sc, id); err != nil {
		return assess.Attachment{}, err
	}
	if len(content) == 0 {
		return assess.Attachment{}, errs.FieldKeyed("file", name, "evidence.empty", "the file is empty")
	}
	typ, err := evidenceType(declared, content)
	if err != nil {
		return assess.Attachment{}, err
	}
	return r.AddEvidence(ctx, sc, id, name, typ, content, actor)
}

func (s *Server) assessmentEvidenceAdd(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	// Another organisation's assessment is not found before the input is
	// judged.
	if _, err := s.store.AssessmentGet(c.ctx(), c.scope(), id); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(c.query("name"))
	if name == "" {
		return nil, errs.FieldKeyed("name", "", "evidence.name", "give the file's name in ?name=")
	}
	content, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, c.s.bodyLimit(c.route)))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errs.Keyed(codeTooLarge, "", "evidence.large", "an evidence file is at most %d MiB", assess.MaxEvidenceBytes>>20)
		}
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	return s.addEvidence(c.ctx(), c.scope(), id, name, c.r.Header.Get("Content-Type"), content, tokenActor(c.p))
}

func (s *Server) assessmentEvidenceList(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	if _, err := s.store.AssessmentGet(c.ctx(), c.scope(), id); err != nil {
		return nil, err
	}
	ev, err := s.store.EvidenceList(c.ctx(), c.scope(), id)
	if ev == nil {
		ev = []assess.Attachment{}
	}
	return List[assess.Attachment]{Items: ev}, err
}

// evidenceFile returns evidence file eid of assessment sid of sc with its
// content. Another organisation's assessment or file is not found.
func (s *Server) evidenceFile(ctx context.Context, sc tenant.Scope, sid, eid int64) (fileBody, error) {
	ev, err := s.store.EvidenceList(ctx, sc, sid)
	if err != nil {
		return fileBody{}, err
	}
	for _, e := range ev {
		if e.ID != eid {
			continue
		}
		b, err := s.store.EvidenceContent(ctx, sc, e.SHA256)
		if err != nil {
			return fileBody{}, fmt.Errorf("evidence %d of assessment %d: %w", eid, sid, err)
		}
		return fileBody{name: e.Name, ct: e.MediaType, data: b}, nil
	}
	if _, err := s.store.AssessmentGet(ctx, sc, sid); err != nil {
		return fileBody{}, err
	}
	return fileBody{}, errs.Keyed(errs.NotFound, "", "evidence.notfound", "evidence file %d of assessment %d not found", eid, sid)
}

func (s *Server) assessmentEvidenceGet(c *call) (any, error) {
	sid, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	eid, err := c.pathID("eid")
	if err != nil {
		return nil, err
	}
	f, err := s.evidenceFile(c.ctx(), c.scope(), sid, eid)
	if err != nil || !c.p.Operator() {
		return f, err
	}
	return f, s.app.Audit(c.ctx(), account.AuditEntry{Actor: tokenActor(c.p), Via: account.AuditAPI, Action: "evidence.download", OrgID: c.org,
		Object: evidenceObject(sid, eid), Detail: f.name})
}

// evidenceObject names evidence file eid of assessment sid in the audit
// log. A file is confidential to its maker: staff and operator tokens'
// downloads are audited; the organisation's own are not.
func evidenceObject(sid, eid int64) string {
	return fmt.Sprintf("assessment %d evidence %d", sid, eid)
}

func (s *Server) pageEvidenceGet(pc *pageCall) error {
	sid, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	eid, err := pc.pathID("eid")
	if err != nil {
		return err
	}
	f, err := s.evidenceFile(pc.ctx(), pc.scope(), sid, eid)
	if err != nil {
		return err
	}
	if pc.user.Staff() {
		if err := s.audit(pc, "evidence.download", pc.org, evidenceObject(sid, eid), f.name); err != nil {
			return err
		}
	}
	f.write(pc.w, http.StatusOK)
	return nil
}

func (s *Server) pageEvidenceAdd(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	v, err := s.assessmentView(pc, id)
	if err != nil {
		return err
	}
	fail := func(err error) error { return pc.formError(err, "assessment", "assessment.title", v) }
	f, hdr, err := pc.r.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
			return fail(errs.FieldKeyed("file", "", "file.none", "choose a file"))
		}
		return err
	}
	defer f.Close()
	if err := pc.fileTooLarge("file", hdr); err != nil {
		return fail(err)
	}
	content, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read evidence: %w", err)
	}
	if _, err := s.addEvidence(pc.ctx(), pc.scope(), id, hdr.Filename, hdr.Header.Get("Content-Type"), content, pc.user.Email); err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "file" && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
			err = keepKey(&errs.Error{Code: e.Code, Field: "file", Message: errs.Message(err), Err: err}, err)
		}
		return fail(err)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/assessments/%d?msg=evidence.uploaded#evidence-h", pc.org, id))
}

// OrgLabel is one of an organisation's labels with what a maker needs to
// publish it: the downloads and an HTML snippet that embeds the label and
// links to its public page.
type OrgLabel struct {
	ID           string    `json:"id"`
	AssessmentID int64     `json:"assessment_id"`
	Vendor       string    `json:"vendor"`
	Model        string    `json:"model"`
	Firmware     string    `json:"firmware,omitempty"`
	Grade        string    `json:"grade"`
	State        string    `json:"state"`
	Issued       time.Time `json:"issued"`
	Expires      time.Time `json:"expires"`
	URL          string    `json:"url"`
	// Downloads maps a format (json, svg, png, pdf) to its URL.
	Downloads map[string]string `json:"downloads"`
	// Embed is the HTML that shows the label (SVG) linked to its page.
	Embed string `json:"embed"`
}

// orgLabelList returns the labels of sc, newest first.
func (s *Server) orgLabelList(ctx context.Context, sc tenant.Scope) ([]OrgLabel, error) {
	ls, err := s.store.LabelList(ctx, sc, label.Filter{Newest: true, Limit: 500})
	if err != nil {
		return nil, err
	}
	now := s.store.Now()
	out := make([]OrgLabel, 0, len(ls))
	for _, l := range ls {
		doc, state := l.Listing(now)
		page := s.baseURL + "/labels/" + l.ID
		ol := OrgLabel{ID: l.ID, AssessmentID: l.AssessmentID, Vendor: doc.Device.Vendor, Model: doc.Device.Model, Firmware: doc.Device.Firmware,
			Grade: l.Grade.String(), State: state, Issued: l.Issued, Expires: l.Expires, URL: page, Downloads: map[string]string{}}
		for _, f := range []string{"json", "svg", "png", "pdf"} {
			ol.Downloads[f] = page + "." + f
		}
		alt := fmt.Sprintf("IoT security label %s: %s %s, grade %s", l.ID, doc.Device.Vendor, doc.Device.Model, ol.Grade)
		ol.Embed = fmt.Sprintf(`<a href="%s"><img src="%s.svg" alt="%s" width="180"></a>`,
			template.HTMLEscapeString(page), template.HTMLEscapeString(page), template.HTMLEscapeString(alt))
		out = append(out, ol)
	}
	return out, nil
}

func (s *Server) orgLabels(c *call) (any, error) {
	ls, err := s.orgLabelList(c.ctx(), c.scope())
	return List[OrgLabel]{Items: ls}, err
}

func (s *Server) pageOrgLabels(pc *pageCall) error {
	ls, err := s.orgLabelList(pc.ctx(), pc.scope())
	if err != nil {
		return err
	}
	return pc.page("org_labels", "orglabels.title", ls)
}
