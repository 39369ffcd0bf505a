// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/tlp"
)

// feedTypes are the feed formats an upload may name (a generic CSV needs
// a column mapping file, which only the command line takes).
var feedTypes = []string{"auto", "shadowserver", "blocklist", "credentials"}

// maxFeedUpload bounds a feed file sent to the API.
const maxFeedUpload = 256 << 20

// ingestRoutes are the analysts' ingest and notify pages (upload a feed,
// follow its run and quarantine, preview and send the notices) and the API
// routes that do the same.
func (s *Server) ingestRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageRuns", Method: http.MethodGet, Path: "/analyst/runs", Tag: tag, Role: account.RoleAnalyst, API: "ingestRunList",
			Query: pageParams(), Summary: "Ingest runs with their counts, and the feed upload", page: s.pageRuns},
		{ID: "pageIngest", Method: http.MethodPost, Path: "/analyst/runs", Tag: tag, Role: account.RoleAnalyst, API: "ingestUpload", MaxBody: maxFeedUpload,
			Summary: "Ingest an uploaded feed file", page: s.pageIngest},
		{ID: "pageRun", Method: http.MethodGet, Path: "/analyst/runs/{rid}", Tag: tag, Role: account.RoleAnalyst, API: "ingestRunGet",
			Summary: "An ingest run: progress, counts and quarantined rows", page: s.pageRun},
		{ID: "pageRunProgress", Method: http.MethodGet, Path: "/analyst/runs/{rid}/progress", Tag: tag, Role: account.RoleAnalyst, API: "ingestRunGet",
			ContentType: "text/html", Summary: "An ingest run's progress and counts as an HTML fragment of its page, polled while the run is running", page: s.pageRunProgress},
		{ID: "pageNotify", Method: http.MethodGet, Path: "/analyst/notify", Tag: tag, Role: account.RoleAnalyst, API: "notifyPreview",
			Summary: "Preview the notices a notify run would send", page: s.pageNotify},
		{ID: "pageNotifySend", Method: http.MethodPost, Path: "/analyst/notify", Tag: tag, Role: account.RoleAnalyst, API: "notifyRun",
			Summary: "Compose and send the notices (a notify run)", page: s.pageNotifySend},

		{ID: "ingestUpload", Method: http.MethodPost, Path: "/api/v1/ingest/runs", Tag: "ingest", Scope: auth.ScopeAdmin, MaxBody: maxFeedUpload,
			Query: []Param{
				{Name: "name", Type: "string", Description: "the file's name, which names the report type as Shadowserver's do (required)"},
				{Name: "type", Type: "string", Enum: feedTypes, Description: "the feed format (default auto)"},
				{Name: "trigger", Type: "string", Description: "the campaign (default: the report type)"},
				{Name: "partial", Type: "string", Enum: []string{"true", "false"}, Description: "true: not a full report; findings it does not list stay open"},
				{Name: "again", Type: "string", Enum: []string{"true", "false"}, Description: "true: ingest content that was ingested completely before (else it is skipped, and the summary says so)"},
				{Name: "tlp", Type: "string", Enum: []string{"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}, Description: "the Traffic Light Protocol 2.0 marking the file came with (default: unmarked); every finding keeps it"},
			},
			Response: "IngestSummary", Summary: "Ingest a feed file (the request body) as `vigil ingest feed` does", api: s.ingestUpload},
		{ID: "ingestRunList", Method: http.MethodGet, Path: "/api/v1/ingest/runs", Tag: "ingest", Scope: auth.ScopeAdmin, Query: pageParams(),
			Response: "RunPage", Summary: "Ingest runs, newest first (after: runs older than this id)", api: s.ingestRunList},
		{ID: "ingestRunGet", Method: http.MethodGet, Path: "/api/v1/ingest/runs/{rid}", Tag: "ingest", Scope: auth.ScopeAdmin,
			Response: "RunDetail", Summary: "An ingest run with its quarantined rows", api: s.ingestRunGet},
		{ID: "notifyPreview", Method: http.MethodGet, Path: "/api/v1/notify/preview", Tag: "notices", Scope: auth.ScopeAdmin,
			Response: "NotifyRunResult", Summary: "The notices a notify run would compose now, with recipients, subjects and findings (`vigil notify run --dry-run`); writes nothing", api: s.notifyPreview},
		{ID: "notifyRun", Method: http.MethodPost, Path: "/api/v1/notify/run", Tag: "notices", Scope: auth.ScopeAdmin,
			Response: "NotifyRunResult", Summary: "Compose notices from new finding events, escalate overdue ones and deliver the outbox (`vigil notify run`)", api: s.notifyRun},
	}
}

// ingestSchemas registers the schemas of ingestRoutes.
func ingestSchemas(add func(name string, v, example any)) {
	add("IngestSummary", ingest.Summary{}, nil)
	add("RunStatus", ingest.RunStatus{}, nil)
	add("RunPage", Page[ingest.RunStatus]{}, nil)
	add("RunDetail", app.RunDetail{}, nil)
	add("NotifyRunResult", app.NotifyRunResult{}, nil)
}

// feedOptions are the options of an upload, from the API's query or the
// page's form.
func feedOptions(get func(string) string) (app.FeedOptions, error) {
	typ := get("type")
	if typ != "" && !contains(feedTypes, typ) {
		return app.FeedOptions{}, errs.FieldKeyed("type", typ, "feed.type", "must be one of %s", strings.Join(feedTypes, ", "))
	}
	trig := get("trigger")
	if len(trig) > 100 {
		return app.FeedOptions{}, errs.FieldKeyed("trigger", "", "bytes.max", "at most %d bytes", 100)
	}
	mark, err := tlp.Parse(get("tlp"))
	if err != nil {
		return app.FeedOptions{}, err
	}
	return app.FeedOptions{Type: typ, Trigger: trig, Partial: get("partial") == "true", Again: get("again") == "true", TLP: mark}, nil
}

func (s *Server) ingestUpload(c *call) (any, error) {
	name := c.query("name")
	if name == "" {
		return nil, errs.Keyed(codeBadRequest, "name", "ingest.name", "the query parameter name (the file's name) is required")
	}
	opt, err := feedOptions(c.query)
	if err != nil {
		return nil, err
	}
	sum, err := s.app.IngestUpload(c.ctx(), name, http.MaxBytesReader(c.w, c.r.Body, c.s.bodyLimit(c.route)), opt)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errs.Keyed(codeTooLarge, "", "feed.large", "the feed file exceeds %d bytes", mbe.Limit)
		}
		return nil, err
	}
	// app.IngestUpload audited the run in its transaction.
	return sum, nil
}

func (s *Server) ingestRunList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	rs, err := s.app.IngestRuns(c.ctx(), p)
	if err != nil {
		return nil, err
	}
	return pageOf(rs, limit, func(r ingest.RunStatus) int64 { return r.ID }), nil
}

func (s *Server) ingestRunGet(c *call) (any, error) {
	id, err := c.pathID("rid")
	if err != nil {
		return nil, err
	}
	return s.app.IngestRun(c.ctx(), id)
}

func (s *Server) notifyPreview(c *call) (any, error) {
	return s.app.NotifyPreview(c.ctx())
}

func (s *Server) notifyRun(c *call) (any, error) {
	res, err := s.app.NotifyRun(c.ctx(), app.NotifyRunOptions{})
	if err != nil {
		return nil, err
	}
	return res, s.app.Audit(c.ctx(), account.AuditEntry{Actor: tokenActor(c.p), Action: "notify.run", Detail: notifyDetail(res)})
}

// notifyDetail is the audit log's line about a notify run.
func notifyDetail(res app.NotifyRunResult) string {
	sent := 0
	if res.Delivery != nil {
		sent = res.Delivery.Sent
	}
	return fmt.Sprintf("%d notices composed, %d deliveries sent, %d escalated", res.Composed.Notices, sent, res.Escalated)
}

// runsView is the runs page: the upload form and the runs.
type runsView struct {
	listView[ingest.RunStatus]
	Types []string
	Form  map[string]string
	// Markings are the TLP labels the form offers ("" first: unmarked).
	Markings []string
	// Stopped: a run listed has stopped (the page says what that means).
	Stopped bool
}

func (s *Server) runsView(pc *pageCall) (runsView, error) {
	p, err := pc.pageParamsOf(50)
	if err != nil {
		return runsView{}, err
	}
	rs, err := s.app.IngestRuns(pc.ctx(), p)
	if err != nil {
		return runsView{}, err
	}
	v := runsView{listView: listView[ingest.RunStatus]{Items: rs}, Types: feedTypes, Form: map[string]string{},
		Markings: []string{"", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}}
	v.Next = nextURL(pc, &v.Items, p, func(r ingest.RunStatus) int64 { return r.ID })
	for _, r := range v.Items {
		v.Stopped = v.Stopped || r.State == ingest.StateStopped
	}
	return v, nil
}

func (s *Server) pageRuns(pc *pageCall) error {
	v, err := s.runsView(pc)
	if err != nil {
		return err
	}
	return pc.page("runs", "runs.title", v)
}

// pageIngest ingests the uploaded file through the same service as `vigil
// ingest feed` and shows its run.
func (s *Server) pageIngest(pc *pageCall) error {
	v, err := s.runsView(pc)
	if err != nil {
		return err
	}
	for _, k := range []string{"type", "trigger", "partial", "again", "tlp"} {
		v.Form[k] = pc.form(k)
	}
	opt, err := feedOptions(pc.form)
	if err != nil {
		return pc.formError(err, "runs", "runs.title", v)
	}
	f, hdr, err := pc.r.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
			return pc.formError(&errs.Error{Code: errs.Invalid, Field: "file", Message: "choose a feed file to upload", Key: "ingest.file"}, "runs", "runs.title", v)
		}
		return err
	}
	defer f.Close()
	if err := pc.fileTooLarge("file", hdr); err != nil {
		return pc.formError(err, "runs", "runs.title", v)
	}
	sum, err := s.app.IngestUpload(pc.ctx(), hdr.Filename, io.Reader(f), opt)
	if err != nil {
		return pc.formError(err, "runs", "runs.title", v)
	}
	if sum.Skipped != "" {
		// The same content was ingested completely before: nothing was
		// read; the form says so on the box that reads it again.
		return pc.formError(&errs.Error{Code: errs.Conflict, Field: "again", Message: sum.Skipped}, "runs", "runs.title", v)
	}
	return pc.redirect("/analyst/runs/" + strconv.FormatInt(sum.RunID, 10) + "?msg=runs.ingested")
}

func (s *Server) pageRun(pc *pageCall) error {
	v, err := s.runView(pc)
	if err != nil {
		return err
	}
	return pc.page("run", "run.title", v)
}

// pageRunProgress answers the part of a run's page that changes while the
// run is running (state, progress, counts); the page polls it with htmx
// until the run has ended, when the fragment comes without the polling.
func (s *Server) pageRunProgress(pc *pageCall) error {
	v, err := s.runView(pc)
	if err != nil {
		return err
	}
	return pc.fragment("run", "run-live", v)
}

func (s *Server) runView(pc *pageCall) (runView, error) {
	id, err := pc.pathID("rid")
	if err != nil {
		return runView{}, err
	}
	d, err := s.app.IngestRun(pc.ctx(), id)
	if err != nil {
		return runView{}, err
	}
	v := runView{RunDetail: d}
	if d.Run.CheckpointAt != nil {
		v.Checkpoint = *d.Run.CheckpointAt
	}
	if d.Run.FinishedAt != nil {
		v.Finished = *d.Run.FinishedAt
	}
	return v, nil
}

// runView is a run's page; Checkpoint and Finished are nil when zero.
type runView struct {
	app.RunDetail
	Checkpoint, Finished any
}

func (s *Server) pageNotify(pc *pageCall) error {
	p, err := s.app.NotifyPreview(pc.ctx())
	if err != nil {
		return err
	}
	return pc.page("notify", "notify.title", notifyView{Preview: p})
}

// notifyView is the notify page: the preview, and after a run its result.
type notifyView struct {
	Preview app.NotifyRunResult
	Result  *app.NotifyRunResult
}

// Sent counts the deliveries a run sent.
func (v notifyView) Sent() int {
	if v.Result == nil || v.Result.Delivery == nil {
		return 0
	}
	return v.Result.Delivery.Sent
}

func (s *Server) pageNotifySend(pc *pageCall) error {
	res, err := s.app.NotifyRun(pc.ctx(), app.NotifyRunOptions{})
	if err != nil {
		return err
	}
	if err := s.audit(pc, "notify.run", 0, "", notifyDetail(res)); err != nil {
		return err
	}
	p, err := s.app.NotifyPreview(pc.ctx())
	if err != nil {
		return err
	}
	return pc.render(http.StatusOK, "notify", "notify.title", notifyView{Preview: p, Result: &res}, nil)
}
