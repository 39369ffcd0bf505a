// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// Ratings is the assessment and label workflow the portal drives (the
// rating service): a member starts an assessment of a device and answers
// the questionnaire, an analyst reviews it and issues the label.
type Ratings interface {
	LabelChecker
	Catalogue() *assess.Catalogue
	Start(ctx context.Context, sc tenant.Scope, p assess.Request) (assess.Assessment, error)
	SetAnswers(ctx context.Context, sc tenant.Scope, id int64, r io.Reader, name, actor string) (assess.Assessment, []errs.RowError, error)
	Submit(ctx context.Context, sc tenant.Scope, id int64, actor string) (assess.Assessment, error)
	Review(ctx context.Context, sc tenant.Scope, id int64, reviewer, note, reject string) (assess.Assessment, error)
	Issue(ctx context.Context, sc tenant.Scope, id int64, actor string) (rating.Issued, error)
	// Revoke withdraws a label and its assessment (as `vigil label revoke`).
	Revoke(ctx context.Context, sc tenant.Scope, labelID, reason, actor string) (label.Record, error)
	AddEvidence(ctx context.Context, sc tenant.Scope, id int64, name, mediaType string, content []byte, actor string) (assess.Attachment, error)
	// On is the service on a transaction's store: reviews, label issues
	// and revocations run through the application (app.ReviewAssessment,
	// app.IssueLabel, app.RevokeLabel), which audits each in its
	// transaction.
	On(st rating.Store) *rating.Service
}

// assessRoutes are the assessment pages of members and analysts and their
// API twins.
func (s *Server) assessRoutes() []Route {
	const tag = "portal"
	states := []string{string(assess.Draft), string(assess.Submitted), string(assess.Reviewed), string(assess.Labelled)}
	sq := []Param{{Name: "state", Type: "string", Enum: states, Description: "only assessments in this state"}}
	return []Route{
		{ID: "pageAssessments", Makers: true, Method: http.MethodGet, Path: PagePath + "/assessments", Tag: tag, API: "assessmentList",
			Summary: "An organisation's assessments and labels", page: s.pageAssessments},
		{ID: "pageAssessmentStart", Makers: true, Method: http.MethodPost, Path: PagePath + "/assessments", Tag: tag, API: "assessmentStart",
			Summary: "Start the assessment of a device", page: s.pageAssessmentStart},
		{ID: "pageAssessment", Makers: true, Method: http.MethodGet, Path: PagePath + "/assessments/{sid}", Tag: tag, API: "assessmentGet",
			Summary: "An assessment: the questionnaire, review comments and the label", page: s.pageAssessment},
		{ID: "pageAssessmentAnswers", Makers: true, Method: http.MethodPost, Path: PagePath + "/assessments/{sid}/answers", Tag: tag, API: "assessmentAnswers",
			Summary: "Save the questionnaire's answers (and submit them for review)", page: s.pageAssessmentAnswers},
		{ID: "pageReviews", Method: http.MethodGet, Path: "/analyst/assessments", Tag: tag, Role: account.RoleAnalyst, API: "assessmentQueue",
			Query: sq, Summary: "Assessments to review and labels to issue", page: s.pageReviews},
		{ID: "pageReview", Method: http.MethodPost, Path: "/analyst/assessments/{sid}/review", Tag: tag, Role: account.RoleAnalyst, API: "assessmentReview",
			Summary: "Accept an assessment or return it with comments", page: s.pageReview},
		{ID: "pageIssue", Method: http.MethodPost, Path: "/analyst/assessments/{sid}/label", Tag: tag, Role: account.RoleAnalyst, API: "assessmentIssue",
			Summary: "Issue the label of a reviewed assessment", page: s.pageIssue},
		{ID: "pageLabelHistory", Method: http.MethodGet, Path: "/analyst/assessments/{sid}/labels", Tag: tag, Role: account.RoleAnalyst, API: "labelHistory",
			Summary: "An assessment's labels and their history, with the form to revoke the valid one", page: s.pageLabelHistory},
		{ID: "pageLabelRevoke", Method: http.MethodPost, Path: "/analyst/assessments/{sid}/revoke", Tag: tag, Role: account.RoleAnalyst, API: "labelRevoke",
			Summary: "Revoke an assessment's valid label, with a reason", page: s.pageLabelRevoke},

		{ID: "assessmentList", Makers: true, Method: http.MethodGet, Path: OrgPath + "/assessments", Tag: "assessments", Scope: auth.ScopeRead, Query: sq,
			Response: "AssessmentList", Summary: "The organisation's assessments", api: s.assessmentList},
		{ID: "assessmentStart", Makers: true, Method: http.MethodPost, Path: OrgPath + "/assessments", Tag: "assessments", Scope: auth.ScopeWrite,
			Request: "AssessmentStart", Response: "Assessment", Status: http.StatusCreated, Summary: "Start the assessment of a device of the organisation", api: s.assessmentStart},
		{ID: "assessmentGet", Makers: true, Method: http.MethodGet, Path: OrgPath + "/assessments/{sid}", Tag: "assessments", Scope: auth.ScopeRead,
			Response: "Assessment", Summary: "One assessment with its answers and review trail", api: s.assessmentGet},
		{ID: "assessmentAnswers", Makers: true, Method: http.MethodPost, Path: OrgPath + "/assessments/{sid}/answers", Tag: "assessments", Scope: auth.ScopeWrite,
			Request: "AnswersInput", Response: "AnswersSaved", Summary: "Replace a draft assessment's answers and, with submit, hand it to review", api: s.assessmentAnswers},
		{ID: "assessmentQueue", Method: http.MethodGet, Path: "/api/v1/assessments", Tag: "assessments", Scope: auth.ScopeAdmin, Query: sq,
			Response: "AssessmentList", Summary: "Every organisation's assessments (default: those submitted for review)", api: s.assessmentQueue},
		{ID: "assessmentReview", Method: http.MethodPost, Path: "/api/v1/assessments/{sid}/review", Tag: "assessments", Scope: auth.ScopeAdmin,
			Request: "ReviewInput", Response: "Assessment", Summary: "Accept a submitted assessment, or return it to its maker with comments", api: s.assessmentReview},
		{ID: "assessmentIssue", Method: http.MethodPost, Path: "/api/v1/assessments/{sid}/label", Tag: "assessments", Scope: auth.ScopeAdmin,
			Response: "LabelIssued", Status: http.StatusCreated, Summary: "Grade a reviewed assessment and issue its signed label", api: s.assessmentIssue},
		{ID: "labelHistory", Method: http.MethodGet, Path: "/api/v1/assessments/{sid}/labels", Tag: "assessments", Scope: auth.ScopeAdmin,
			Response: "LabelHistory", Summary: "An assessment's labels and their history (issued, regraded, revoked, expired: who, when, why)", api: s.labelHistory},
		{ID: "labelRevoke", Method: http.MethodPost, Path: "/api/v1/assessments/{sid}/revoke", Tag: "assessments", Scope: auth.ScopeAdmin,
			Request: "RevokeInput", Response: "LabelHistory", Summary: "Revoke an assessment's valid label (verification then fails with the reason)", api: s.labelRevoke},
	}
}

// AssessmentStart is the body of POST /api/v1/orgs/{id}/assessments.
type AssessmentStart struct {
	DeviceID int64 `json:"device_id"`
}

// AnswersInput is the body of POST .../assessments/{sid}/answers: the
// answers document (as `vigil assess answer` reads it) and whether to
// submit the assessment for review afterwards.
type AnswersInput struct {
	Answers assess.Answers `json:"answers"`
	Submit  bool           `json:"submit,omitempty"`
}

// AnswersSaved answers a save: the assessment and answers that were not
// stored.
type AnswersSaved struct {
	Assessment assess.Assessment `json:"assessment"`
	Rejected   []errs.RowError   `json:"rejected,omitempty"`
}

// ReviewInput is the body of POST /api/v1/assessments/{sid}/review: accept
// (with an optional note) or return with comments.
type ReviewInput struct {
	Accept   bool   `json:"accept"`
	Comments string `json:"comments,omitempty"`
}

// LabelIssued answers a label issue: the label's id, grade and page.
type LabelIssued struct {
	ID    string `json:"id"`
	Grade string `json:"grade"`
	URL   string `json:"url"`
}

// assessSchemas registers the schemas of assessRoutes.
func assessSchemas(add func(name string, v, example any)) {
	// The assessment's parts, named apart from the registry's and the
	// findings' types of the same Go names.
	add("AssessedDevice", assess.Device{}, nil)
	add("AssessmentFinding", assess.Finding{}, nil)
	add("Assessment", assess.Assessment{}, nil)
	add("AssessmentList", List[assess.Assessment]{}, nil)
	add("AssessmentStart", AssessmentStart{}, AssessmentStart{DeviceID: 1})
	add("AnswersInput", AnswersInput{}, AnswersInput{Answers: assess.Answers{Format: assess.AnswersFormat, Edition: assess.DefaultEdition,
		Items: map[string]assess.Answer{"5.1-1": {Status: assess.Met}}}})
	add("AnswersSaved", AnswersSaved{}, nil)
	add("ReviewInput", ReviewInput{}, ReviewInput{Accept: false, Comments: "5.3-13: give the support period's end date"})
	add("LabelIssued", LabelIssued{}, nil)
	add("LabelEvent", label.Event{}, nil)
	add("LabelHistoryItem", LabelHistoryItem{}, nil)
	add("LabelHistory", LabelHistory{}, nil)
	add("RevokeInput", RevokeInput{}, RevokeInput{Reason: "the maker withdrew the product"})
}

// ratings returns the workflow or a not-found error when the server runs
// without one.
func (s *Server) ratings() (Ratings, error) {
	if s.labels == nil {
		return nil, errs.Keyed(errs.NotFound, "", "labels.off", "assessments and labels are not set up on this server")
	}
	return s.labels, nil
}

func (s *Server) startAssessment(ctx context.Context, sc tenant.Scope, device int64, actor string) (assess.Assessment, error) {
	r, err := s.ratings()
	if err != nil {
		return assess.Assessment{}, err
	}
	if device <= 0 {
		return assess.Assessment{}, errs.FieldKeyed("device_id", device, "assess.device", "choose a device")
	}
	if _, err := s.store.DeviceGet(ctx, sc, device); err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return assess.Assessment{}, errs.FieldKeyed("device_id", device, "assess.nodevice", "no such device of this organisation")
		}
		return assess.Assessment{}, err
	}
	return r.Start(ctx, sc, assess.Request{DeviceID: device, Edition: assess.DefaultEdition, Actor: actor})
}

// saveAnswers stores answers and, when submit is set and all were
// stored, hands the assessment to review.
func (s *Server) saveAnswers(ctx context.Context, sc tenant.Scope, id int64, ans assess.Answers, submit bool, actor string) (AnswersSaved, error) {
	r, err := s.ratings()
	if err != nil {
		return AnswersSaved{}, err
	}
	cur, err := s.store.AssessmentGet(ctx, sc, id)
	if err != nil {
		return AnswersSaved{}, err
	}
	if ans.Format == "" {
		ans.Format = assess.AnswersFormat
	}
	if ans.Device.Vendor == "" {
		ans.Device = cur.Device // the device assessed
	}
	doc, err := json.Marshal(ans)
	if err != nil {
		return AnswersSaved{}, err
	}
	a, bad, err := r.SetAnswers(ctx, sc, id, bytes.NewReader(doc), "answers", actor)
	if err != nil {
		return AnswersSaved{}, err
	}
	out := AnswersSaved{Assessment: assessmentOut(a), Rejected: bad}
	if submit {
		if len(bad) > 0 {
			return out, errs.Keyed(errs.Invalid, bad[0].Field, "assess.answers.bad", "%d answers were not stored: %s", len(bad), bad[0].Reason)
		}
		sub, err := r.Submit(ctx, sc, id, actor)
		if err != nil {
			return out, err
		}
		out.Assessment = assessmentOut(sub)
	}
	return out, nil
}

func (s *Server) review(ctx context.Context, sc tenant.Scope, id int64, in ReviewInput, reviewer string) (assess.Assessment, error) {
	r, err := s.ratings()
	if err != nil {
		return assess.Assessment{}, err
	}
	if in.Accept {
		return s.app.ReviewAssessment(ctx, r, sc, id, reviewer, in.Comments, "")
	}
	if len(bytes.TrimSpace([]byte(in.Comments))) == 0 {
		return assess.Assessment{}, errs.FieldKeyed("comments", "", "review.comments", "say what the maker must change")
	}
	return s.app.ReviewAssessment(ctx, r, sc, id, reviewer, "", in.Comments)
}

func (s *Server) issue(ctx context.Context, sc tenant.Scope, id int64, actor string) (rating.Issued, error) {
	r, err := s.ratings()
	if err != nil {
		return rating.Issued{}, err
	}
	return s.app.IssueLabel(ctx, r, sc, id, actor)
}

// assessmentsOut normalises assessments for JSON: empty lists, not null.
func assessmentsOut(as []assess.Assessment) List[assess.Assessment] {
	if as == nil {
		as = []assess.Assessment{}
	}
	for i := range as {
		as[i] = assessmentOut(as[i])
	}
	return List[assess.Assessment]{Items: as}
}

func assessmentOut(a assess.Assessment) assess.Assessment {
	if a.History == nil {
		a.History = []assess.Transition{}
	}
	return a
}

func (s *Server) assessmentList(c *call) (any, error) {
	as, err := s.store.AssessmentList(c.ctx(), c.scope(), assess.Filter{State: assess.State(c.query("state")), Page: keyset.Page{Limit: maxLimit}})
	return assessmentsOut(as), err
}

func (s *Server) assessmentStart(c *call) (any, error) {
	var in AssessmentStart
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	a, err := s.startAssessment(c.ctx(), c.scope(), in.DeviceID, tokenActor(c.p))
	return assessmentOut(a), err
}

func (s *Server) assessmentGet(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	a, err := s.store.AssessmentGet(c.ctx(), c.scope(), id)
	return assessmentOut(a), err
}

func (s *Server) assessmentAnswers(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	var in AnswersInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.saveAnswers(c.ctx(), c.scope(), id, in.Answers, in.Submit, tokenActor(c.p))
}

func (s *Server) assessmentQueue(c *call) (any, error) {
	st := assess.State(c.query("state"))
	if st == "" {
		st = assess.Submitted
	}
	as, err := s.store.AssessmentList(c.ctx(), c.scope(), assess.Filter{State: st, Page: keyset.Page{Limit: maxLimit}})
	return assessmentsOut(as), err
}

func (s *Server) assessmentReview(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	var in ReviewInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	a, err := s.review(c.ctx(), c.scope(), id, in, tokenActor(c.p))
	if err != nil {
		return nil, err
	}
	return assessmentOut(a), nil
}

func (s *Server) assessmentIssue(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	out, err := s.issue(c.ctx(), c.scope(), id, tokenActor(c.p))
	if err != nil {
		return nil, err
	}
	return LabelIssued{ID: out.Record.ID, Grade: out.Score.Grade.String(), URL: "/labels/" + out.Record.ID}, nil
}

// assessmentsView is a member's assessments page.
type assessmentsView struct {
	Items   []assess.Assessment
	Devices []registry.Device
}

func (s *Server) assessmentsView(pc *pageCall) (assessmentsView, error) {
	as, err := s.store.AssessmentList(pc.ctx(), pc.scope(), assess.Filter{Page: keyset.Page{Limit: 200}})
	if err != nil {
		return assessmentsView{}, err
	}
	ds, err := s.store.DeviceList(pc.ctx(), pc.scope(), keyset.Page{Limit: 500})
	return assessmentsView{Items: as, Devices: ds}, err
}

func (s *Server) pageAssessments(pc *pageCall) error {
	v, err := s.assessmentsView(pc)
	if err != nil {
		return err
	}
	return pc.page("assessments", "assessments.title", v)
}

func (s *Server) pageAssessmentStart(pc *pageCall) error {
	dev, _ := strconv.ParseInt(pc.form("device_id"), 10, 64)
	a, err := s.startAssessment(pc.ctx(), pc.scope(), dev, pc.user.Email)
	if err != nil {
		v, verr := s.assessmentsView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "assessments", "assessments.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/assessments/%s?msg=assessment.started", pc.org, a.ID))
}

// question is one provision of the questionnaire with its answer.
type question struct {
	assess.Provision
	Answer assess.Answer
}

// assessmentView is an assessment's page.
type assessmentView struct {
	A         assess.Assessment
	Questions []question
	Statuses  []assess.Status
	Evidence  []assess.Attachment // the files uploaded for it
}

func (s *Server) assessmentView(pc *pageCall, id int64) (assessmentView, error) {
	r, err := s.ratings()
	if err != nil {
		return assessmentView{}, err
	}
	a, err := s.store.AssessmentGet(pc.ctx(), pc.scope(), id)
	if err != nil {
		return assessmentView{}, err
	}
	v := assessmentView{A: a, Statuses: []assess.Status{assess.Met, assess.NotMet, assess.NotApplicable}}
	if v.Evidence, err = s.store.EvidenceList(pc.ctx(), pc.scope(), id); err != nil {
		return assessmentView{}, err
	}
	for _, p := range r.Catalogue().Provisions(a.Edition) {
		v.Questions = append(v.Questions, question{Provision: p, Answer: a.Answers.Items[p.ID]})
	}
	return v, nil
}

func (s *Server) pageAssessment(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	v, err := s.assessmentView(pc, id)
	if err != nil {
		return err
	}
	return pc.page("assessment", "assessment.title", v)
}

func (s *Server) pageAssessmentAnswers(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	v, err := s.assessmentView(pc, id)
	if err != nil {
		return err
	}
	// The form changes what it shows (each provision's status and
	// justification, the support end) in the stored answers; the rest
	// (conditions, the support URL, each answer's evidence, given through
	// the API or a file) stays.
	ans := v.A.Answers
	ans.Items = maps.Clone(ans.Items)
	if ans.Items == nil {
		ans.Items = map[string]assess.Answer{}
	}
	if ans.Format == "" {
		ans.Format, ans.Edition = assess.AnswersFormat, v.A.Edition
	}
	if ans.Device.Vendor == "" {
		ans.Device = v.A.Device
	}
	ans.Support.End = pc.form("support_end")
	var bad error
	for i, q := range v.Questions {
		st := assess.Status(pc.form("s-" + q.ID))
		if st == "" {
			delete(ans.Items, q.ID)
			v.Questions[i].Answer = assess.Answer{}
			continue
		}
		if st != assess.Met && st != assess.NotMet && st != assess.NotApplicable && bad == nil {
			bad = errs.FieldKeyed("s-"+q.ID, st, "assess.status", "must be met, not met or not applicable")
		}
		a := ans.Items[q.ID]
		a.Status, a.Justification = st, pc.form("j-"+q.ID)
		ans.Items[q.ID] = a
		v.Questions[i].Answer = a
	}
	v.A.Answers.Support.End = ans.Support.End
	if bad == nil {
		// Every answer is checked before any is stored: a form with one
		// bad answer changes nothing.
		doc, err := json.Marshal(ans)
		if err != nil {
			return err
		}
		if _, rejected := assess.LoadAnswers(bytes.NewReader(doc), "answers"); len(rejected) > 0 {
			bad = answerRefused(rejected[0])
		}
	}
	if bad != nil {
		return pc.formError(bad, "assessment", "assessment.title", v)
	}
	saved, err := s.saveAnswers(pc.ctx(), pc.scope(), id, ans, pc.form("submit") != "", pc.user.Email)
	if err == nil && len(saved.Rejected) > 0 {
		err = answerRefused(saved.Rejected[0])
	}
	if err != nil {
		return pc.formError(err, "assessment", "assessment.title", v)
	}
	msg := "assessment.saved"
	if saved.Assessment.State == assess.Submitted {
		msg = "assessment.submitted"
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/assessments/%d?msg=%s", pc.org, id, msg))
}

// answerRefused is the refusal of an answer, on its form control.
func answerRefused(r errs.RowError) error {
	return &errs.Error{Code: errs.Invalid, Field: answerField(r.Field), Message: r.Reason}
}

// answerField names the form control of an answers document's field
// ("answers.5.1-1.status" is s-5.1-1, its justification j-5.1-1, the
// support end support_end).
func answerField(f string) string {
	if f == "support.end" {
		return "support_end"
	}
	rest, ok := strings.CutPrefix(f, "answers.")
	if !ok {
		return f
	}
	if id, ok := strings.CutSuffix(rest, ".justification"); ok {
		return "j-" + id
	}
	return "s-" + strings.TrimSuffix(rest, ".status")
}

// reviewsView is the analysts' assessment queue.
type reviewsView struct {
	Items []assess.Assessment
	State string
	Orgs  map[int64]string
}

// reviewsView lists the assessments in the state the query asks for, or
// in state def when it asks for none or when a refused form re-renders
// the list it came from.
func (s *Server) reviewsView(pc *pageCall, def assess.State) (reviewsView, error) {
	st := assess.State(pc.query("state"))
	if pc.r.Method != http.MethodGet || st == "" {
		st = def
	}
	as, err := s.store.AssessmentList(pc.ctx(), pc.scope(), assess.Filter{State: st, Page: keyset.Page{Limit: 200}})
	if err != nil {
		return reviewsView{}, err
	}
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.OrgID)
	}
	names, err := s.store.OrgNames(pc.ctx(), pc.scope(), ids)
	return reviewsView{Items: as, State: string(st), Orgs: names}, err
}

func (s *Server) pageReviews(pc *pageCall) error {
	v, err := s.reviewsView(pc, assess.Submitted)
	if err != nil {
		return err
	}
	return pc.page("reviews", "reviews.title", v)
}

func (s *Server) pageReview(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	in := ReviewInput{Accept: pc.form("decision") == "accept", Comments: pc.form("comments")}
	if d := pc.form("decision"); d != "accept" && d != "return" {
		return errs.FieldKeyed("decision", d, "review.decision", "must be accept or return")
	}
	if _, err := s.review(pc.ctx(), pc.scope(), id, in, pc.user.Email); err != nil {
		v, verr := s.reviewsView(pc, assess.Submitted)
		if verr != nil {
			return verr
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Field == "comments" {
			err = keepKey(&errs.Error{Code: e.Code, Field: fmt.Sprintf("comments-%d", id), Message: e.Message, Err: err}, err)
		}
		return pc.formError(err, "reviews", "reviews.title", v)
	}
	return pc.redirect("/analyst/assessments?msg=reviews.done")
}

func (s *Server) pageIssue(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	if _, err := s.issue(pc.ctx(), pc.scope(), id, pc.user.Email); err != nil {
		// A refusal shows on the list of reviewed assessments, beside the
		// button of the row it refused when that row is still there.
		v, verr := s.reviewsView(pc, assess.Reviewed)
		if verr != nil {
			return verr
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Code != errs.Internal && slices.ContainsFunc(v.Items, func(a assess.Assessment) bool { return a.ID == strconv.FormatInt(id, 10) }) {
			err = keepKey(&errs.Error{Code: e.Code, Field: fmt.Sprintf("issue-%d", id), Message: e.Message, Err: err}, err)
		}
		return pc.formError(err, "reviews", "reviews.title", v)
	}
	return pc.redirect("/analyst/assessments?state=labelled&msg=reviews.issued")
}
