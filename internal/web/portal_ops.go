// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// opsRoutes are the pages of a member's notices and downloads and of the
// analysts' operations, with the API routes they need.
func (s *Server) opsRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageNotices", Method: http.MethodGet, Path: PagePath + "/notices", Tag: tag, Query: pageParams(), API: "noticeList",
			Summary: "The warnings sent to an organisation, to acknowledge", page: s.pageNotices},
		{ID: "pageNoticeAck", Method: http.MethodPost, Path: PagePath + "/notices/{nid}/ack", Tag: tag, API: "noticeAck", OwnAct: true,
			Summary: "Acknowledge a warning (as its signed link does)", page: s.pageNoticeAck},
		{ID: "pageFindingsCSV", Method: http.MethodGet, Path: PagePath + "/findings.csv", Tag: tag, Query: findingQuery(), API: "findingList",
			ContentType: "text/csv", Summary: "An organisation's findings as CSV", page: s.pageFindingsCSV},
		{ID: "pageFindingsJSON", Method: http.MethodGet, Path: PagePath + "/findings.json", Tag: tag, Query: findingQuery(), API: "findingList",
			ContentType: "application/json", Summary: "An organisation's findings as JSON", page: s.pageFindingsJSON},
		{ID: "pageOutbox", Method: http.MethodGet, Path: "/analyst/outbox", Tag: tag, Role: account.RoleAnalyst, API: "outboxList",
			Query:   []Param{{Name: "state", Type: "string", Enum: outboxStates}},
			Summary: "Deliveries; those of unknown outcome to settle", page: s.pageOutbox},
		{ID: "pageOutboxResolve", Method: http.MethodPost, Path: "/analyst/outbox/{oid}/resolve", Tag: tag, Role: account.RoleAnalyst, API: "outboxResolve",
			Summary: "Settle a delivery of unknown outcome", page: s.pageOutboxResolve},
		{ID: "pageCalls", Method: http.MethodGet, Path: "/analyst/calls", Tag: tag, Role: account.RoleAnalyst, API: "callList",
			Summary: "Escalated warnings to follow up by telephone, with the outcome of the latest call", page: s.pageCalls},
		{ID: "pageCallRecord", Method: http.MethodPost, Path: "/analyst/calls/{cnid}/outcome", Tag: tag, Role: account.RoleAnalyst, API: "callRecord",
			Summary: "Record how a call about an escalated warning went (reached, no answer, wrong number, left a message) with a note", page: s.pageCallRecord},
		{ID: "pageAudit", Method: http.MethodGet, Path: "/analyst/audit", Tag: tag, Role: account.RoleAnalyst, API: "auditList",
			Query: append(pageParams(), auditParams()...), Summary: "Audit log of every change, with filters (actor, kind, dates)", page: s.pageAudit},
		{ID: "pageAuditExport", Method: http.MethodGet, Path: "/analyst/audit/export", Tag: tag, Role: account.RoleAnalyst, API: "auditList",
			Query: append(auditParams(), formatParam()), ContentType: "text/csv", Summary: "The audit entries the filters select as CSV or JSON", page: s.pageAuditExport},
		{ID: "pagePlotNotices", Method: http.MethodGet, Path: "/analyst/plots/notices.svg", Tag: tag, Role: account.RoleAnalyst, API: "notifyStats",
			ContentType: "image/svg+xml", Summary: "Plot: warnings sent and acknowledged per day", page: s.pagePlotNotices},
		{ID: "pagePlotTriggers", Method: http.MethodGet, Path: "/analyst/plots/triggers.svg", Tag: tag, Role: account.RoleAnalyst,
			ContentType: "image/svg+xml", Summary: "Plot: open findings and organisations per trigger", page: s.pagePlotTriggers},
		{ID: "pagePlotAcks", Method: http.MethodGet, Path: "/analyst/plots/acks.svg", Tag: tag, Role: account.RoleAnalyst,
			ContentType: "image/svg+xml", Summary: "Plot: time to acknowledge a warning", page: s.pagePlotAcks},
		{ID: "pagePlotTrend", Method: http.MethodGet, Path: "/analyst/plots/trend.svg", Tag: tag, Role: account.RoleAnalyst, Query: trendQuery(),
			ContentType: "image/svg+xml", Summary: "Plot: new findings per day of the chosen triggers (by default the busiest)", page: s.pagePlotTrend},
		{ID: "pagePlotGrades", Method: http.MethodGet, Path: "/analyst/plots/grades.svg", Tag: tag, Role: account.RoleAnalyst,
			ContentType: "image/svg+xml", Summary: "Plot: valid labels by grade", page: s.pagePlotGrades},
		// API twins of the pages above that the API lacked.
		{ID: "callList", Method: http.MethodGet, Path: "/api/v1/calls", Tag: "notices", Scope: auth.ScopeAdmin,
			Response: "CallList", Summary: "Escalated notices to follow up by telephone, with the numbers to call and the latest call's outcome", api: s.callList},
		{ID: "callRecord", Method: http.MethodPost, Path: "/api/v1/calls/{cnid}/outcome", Tag: "notices", Scope: auth.ScopeAdmin,
			Request: "CallInput", Response: "CallRecord", Status: http.StatusCreated,
			Summary: "Record the outcome of a telephone call about an escalated notice (reached, acknowledged — which acknowledges the notice as given on the telephone —, no_answer, wrong_number, left_message) with a note", api: s.callRecord},
		{ID: "auditList", Method: http.MethodGet, Path: "/api/v1/audit", Tag: "accounts", Scope: auth.ScopeAdmin,
			Query: append(append(pageParams(), auditParams()...), formatParam()), CSV: true, Response: "AuditPage",
			Summary: "Audit log of every change made through the CLI, the API or the portal, newest first (after: entries older than this id); format=csv for CSV", api: s.auditList},
	}
}

// opsSchemas registers the schemas of opsRoutes.
func opsSchemas(add func(name string, v, example any)) {
	add("Call", notify.Call{}, nil)
	add("CallList", List[notify.Call]{}, nil)
	add("CallInput", app.CallInput{}, app.CallInput{Outcome: notify.CallNoAnswer, Note: "tried the security desk twice; will call again tomorrow"})
	add("CallRecord", notify.CallRecord{}, nil)
	add("AuditEntry", account.AuditEntry{}, nil)
	add("AuditPage", Page[account.AuditEntry]{}, nil)
}

func (s *Server) callList(c *call) (any, error) {
	cs, err := s.store.NoticeCallList(c.ctx(), c.scope())
	if cs == nil {
		cs = []notify.Call{}
	}
	return List[notify.Call]{Items: cs}, err
}

func (s *Server) callRecord(c *call) (any, error) {
	id, err := c.pathID("cnid")
	if err != nil {
		return nil, err
	}
	var in app.CallInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.RecordCall(c.ctx(), c.scope(), id, in)
}

func (s *Server) auditList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	f, err := app.ParseAuditFilter(c.query("by"), c.query("kind"), c.query("since"), c.query("until"))
	if err != nil {
		return nil, err
	}
	es, err := s.app.AuditQuery(c.ctx(), f, p)
	if err != nil {
		return nil, err
	}
	if c.query("format") == "csv" {
		var b bytes.Buffer
		if len(es) > limit {
			es = es[:limit]
		}
		if err := app.WriteAuditCSV(&b, es); err != nil {
			return nil, err
		}
		return csvBody{name: "vigil-audit.csv", data: b.Bytes()}, nil
	}
	return pageOf(es, limit, func(e account.AuditEntry) int64 { return e.ID }), nil
}

// auditParams are the filters of the audit log.
func auditParams() []Param {
	return []Param{
		{Name: "by", Type: "string", Description: "only entries of this actor"},
		{Name: "kind", Type: "string", Description: "only entries of this kind: the action's first word (org, contact, token, suppression, …)"},
		{Name: "since", Type: "string", Description: "only entries at or after this date (2026-01-31) or RFC 3339 time"},
		{Name: "until", Type: "string", Description: "only entries up to and including this date, or before this RFC 3339 time"},
	}
}

// pageParamsOf parses limit and after of a page (validated by the route's
// Query) with a default limit.
func (pc *pageCall) pageParamsOf(def int) (keyset.Page, error) {
	p := keyset.Page{Limit: def + 1}
	if v := pc.query("after"); v != "" {
		p.After, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := pc.query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, errs.Keyed(codeBadRequest, "limit", "int.range", "%q: must be an integer from 1 to %d", v, maxLimit)
		}
		p.Limit = n + 1
	}
	return p, nil
}

// nextURL returns the URL of the next page when items (fetched with one
// more than the limit) has one, and cuts items to the page.
func nextURL[T any](pc *pageCall, items *[]T, p keyset.Page, id func(T) int64) string {
	if len(*items) < p.Limit {
		return ""
	}
	*items = (*items)[:p.Limit-1]
	q := pc.r.URL.Query()
	q.Set("after", strconv.FormatInt(id((*items)[len(*items)-1]), 10))
	q.Del("msg")
	return pc.r.URL.Path + "?" + q.Encode()
}

// listView is a page of a list.
type listView[T any] struct {
	Items []T
	Next  string
	State string
}

func (s *Server) pageNotices(pc *pageCall) error {
	p, err := pc.pageParamsOf(50)
	if err != nil {
		return err
	}
	ns, err := s.store.NoticeList(pc.ctx(), pc.scope(), notify.NoticeFilter{Page: p})
	if err != nil {
		return err
	}
	next := nextURL(pc, &ns, p, func(n notify.Notice) int64 { return n.ID })
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	replies, err := s.store.NoticeReplyList(pc.ctx(), pc.scope(), ids)
	if err != nil {
		return err
	}
	v := listView[noticeView]{Next: next}
	for _, n := range ns {
		nv := noticeView{Notice: n}
		for _, r := range replies {
			if r.NoticeID == n.ID {
				nv.Replies = append(nv.Replies, r)
			}
		}
		v.Items = append(v.Items, nv)
	}
	return pc.page("notices", "notices.title", v)
}

// noticeView is a notice on the warnings page with the answers that came
// back by e-mail.
type noticeView struct {
	notify.Notice
	Replies []notify.Reply
}

func (s *Server) pageNoticeAck(pc *pageCall) error {
	nid, err := pc.pathID("nid")
	if err != nil {
		return err
	}
	if _, err := s.app.AckNotice(pc.ctx(), pc.scope(), nid); err != nil {
		return err
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/notices?msg=notices.acked", pc.org))
}

// findingsDownloadPage is how many findings a download reads and writes at
// a time: its memory is bounded by one page, whatever the organisation has.
const findingsDownloadPage = 1000

// eachFindingPage reads every finding of the page's organisation that
// matches the filter, a page at a time (keyset on id), and hands each page
// to write before it reads the next. No page is kept.
func (s *Server) eachFindingPage(pc *pageCall, write func(fs []finding.Finding, first bool) error) error {
	size := max(s.downloadPage, 1)
	for after, first := int64(0), true; ; first = false {
		fs, err := s.store.FindingList(pc.ctx(), pc.scope(), findingFilter(pc.query, keyset.Page{After: after, Limit: size}))
		if err != nil {
			return err
		}
		if err := write(fs, first); err != nil {
			return err
		}
		if len(fs) < size {
			return nil
		}
		after = fs[len(fs)-1].ID
	}
}

// downloadHeader sets the headers of a file to save.
func (pc *pageCall) downloadHeader(ct, name string) {
	h := pc.w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "no-store")
}

// pageFindingsCSV streams the CSV download: the header row after the first
// page was read (an error before it is an error page), then each page as
// it is read. An error after that ends the file short; it is logged.
func (s *Server) pageFindingsCSV(pc *pageCall) error {
	w := csv.NewWriter(pc.w)
	err := s.eachFindingPage(pc, func(fs []finding.Finding, first bool) error {
		if first {
			pc.downloadHeader("text/csv; charset=utf-8", fmt.Sprintf("vigil-findings-%d.csv", pc.org))
			_ = w.Write(findingsCSVHeader)
		}
		for _, f := range fs {
			_ = w.Write(findingRecord(f))
		}
		w.Flush()
		return w.Error()
	})
	return s.streamed(pc, err)
}

// streamed is the outcome of a download that may have begun: an error
// before anything was written is the page's, one after it is logged (the
// file ends short; the status is sent already).
func (s *Server) streamed(pc *pageCall, err error) error {
	if err != nil && pc.w.Header().Get("Content-Disposition") != "" {
		s.log.Error("download cut short", "path", pc.r.URL.Path, "err", err)
		return nil
	}
	return err
}

// findingsCSVHeader is the header row of the findings CSV.
var findingsCSVHeader = []string{"id", "trigger", "type", "severity", "status", "ip", "port", "hostname", "asn", "cve", "first_seen", "last_seen", "count", "evidence", "tlp"}

// findingRecord is one finding's CSV row, every cell defused against
// spreadsheet formulas (feed text is a third party's: CSV injection).
func findingRecord(f finding.Finding) []string {
	rec := []string{strconv.FormatInt(f.ID, 10), f.Trigger, f.Type, f.Severity.String(), string(f.Status), f.IP,
		intOrEmpty(int64(f.Port)), f.Hostname, intOrEmpty(f.ASN), f.CVE, f.FirstSeen.UTC().Format(time.RFC3339),
		f.LastSeen.UTC().Format(time.RFC3339), strconv.FormatInt(f.Count, 10), string(f.Evidence), f.TLP.String()}
	for i := range rec {
		rec[i] = text.CSVCell(rec[i])
	}
	return rec
}

// findingsCSV writes findings as the API's format=csv answers them (one
// page).
func findingsCSV(fs []finding.Finding) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(findingsCSVHeader)
	for _, f := range fs {
		_ = w.Write(findingRecord(f))
	}
	w.Flush()
	return b.Bytes()
}

// pageFindingsJSON streams the JSON download ({"items": [...]}, one
// finding a line), a page at a time as pageFindingsCSV.
func (s *Server) pageFindingsJSON(pc *pageCall) error {
	n := 0
	err := s.eachFindingPage(pc, func(fs []finding.Finding, first bool) error {
		var b bytes.Buffer
		if first {
			pc.downloadHeader("application/json", fmt.Sprintf("vigil-findings-%d.json", pc.org))
			b.WriteString(`{"items": [`)
		}
		for _, f := range fs {
			row, err := json.Marshal(f)
			if err != nil {
				return fmt.Errorf("finding %d: %w", f.ID, err)
			}
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n  ")
			b.Write(row)
			n++
		}
		if len(fs) < max(s.downloadPage, 1) {
			b.WriteString("\n]}\n")
		}
		_, err := pc.w.Write(b.Bytes())
		return err
	})
	return s.streamed(pc, err)
}

func intOrEmpty(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// download answers a file to save.
func (pc *pageCall) download(ct, name string, b []byte) error {
	pc.downloadHeader(ct, name)
	_, err := pc.w.Write(b)
	return err
}

func (s *Server) pageOutbox(pc *pageCall) error {
	state := pc.query("state")
	if state == "" {
		state = string(notify.OutboxUnknown)
	}
	rows, err := s.store.OutboxList(pc.ctx(), tenant.Operator(), notify.OutboxState(state), keyset.Page{Limit: 200})
	if err != nil {
		return err
	}
	return pc.page("outbox", "outbox.title", listView[notify.OutboxEntry]{Items: rows, State: state})
}

func (s *Server) pageOutboxResolve(pc *pageCall) error {
	id, err := pc.pathID("oid")
	if err != nil {
		return err
	}
	outcome := pc.form("outcome")
	if outcome != "sent" && outcome != "resend" {
		return errs.FieldKeyed("outcome", outcome, "outbox.outcome", "must be sent or resend")
	}
	if _, err := s.app.OutboxResolve(pc.ctx(), id, outcome == "sent"); err != nil {
		return err
	}
	return pc.redirect("/analyst/outbox?msg=outbox.resolved")
}

// callsView is the call list: the escalated warnings with the latest
// call's outcome and a form to record the next, and after a refused
// record the warning it was for and what was typed.
type callsView struct {
	Calls    []notify.Call
	Outcomes []notify.CallOutcome
	Failed   int64
	Outcome  string
	Note     string
}

func (s *Server) callsView(pc *pageCall) (callsView, error) {
	cs, err := s.store.NoticeCallList(pc.ctx(), pc.scope())
	return callsView{Calls: cs, Outcomes: notify.CallOutcomes}, err
}

func (s *Server) pageCalls(pc *pageCall) error {
	v, err := s.callsView(pc)
	if err != nil {
		return err
	}
	return pc.page("calls", "calls.title", v)
}

// pageCallRecord records how a call about the escalated warning {cnid}
// went; a refusal is shown beside the warning's form.
func (s *Server) pageCallRecord(pc *pageCall) error {
	id, err := pc.pathID("cnid")
	if err != nil {
		return err
	}
	in := app.CallInput{Outcome: notify.CallOutcome(pc.form("outcome")), Note: pc.r.PostFormValue("note")}
	if _, err := s.app.RecordCall(pc.ctx(), pc.scope(), id, in); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v, verr := s.callsView(pc)
		if verr != nil {
			return verr
		}
		v.Failed, v.Outcome, v.Note = id, string(in.Outcome), in.Note
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "" {
			row := *e
			row.Field = fmt.Sprintf("%s-%d", e.Field, id) // the field of the warning's form
			err = &row
		}
		return pc.formError(err, "calls", "calls.title", v)
	}
	return pc.redirect("/analyst/calls?msg=calls.recorded")
}

func (s *Server) pageAudit(pc *pageCall) error {
	p, err := pc.pageParamsOf(100)
	if err != nil {
		return err
	}
	v := auditView{By: pc.query("by"), Kind: pc.query("kind"), Since: pc.query("since"), Until: pc.query("until")}
	f, err := app.ParseAuditFilter(v.By, v.Kind, v.Since, v.Until)
	if err != nil {
		return err
	}
	if v.Items, err = s.app.AuditQuery(pc.ctx(), f, p); err != nil {
		return err
	}
	v.Next = nextURL(pc, &v.Items, p, func(e account.AuditEntry) int64 { return e.ID })
	q := pc.r.URL.Query()
	q.Del("after")
	q.Del("limit")
	q.Del("msg")
	q.Set("format", "csv")
	v.CSV = "/analyst/audit/export?" + q.Encode()
	q.Set("format", "json")
	v.JSON = "/analyst/audit/export?" + q.Encode()
	return pc.page("audit", "audit.title", v)
}

// auditView is the audit log page: the filters, a page of entries and the
// export links of what the filters select.
type auditView struct {
	listView[account.AuditEntry]
	By, Kind, Since, Until string
	CSV, JSON              string
}

func (s *Server) pageAuditExport(pc *pageCall) error {
	f, err := app.ParseAuditFilter(pc.query("by"), pc.query("kind"), pc.query("since"), pc.query("until"))
	if err != nil {
		return err
	}
	format := pc.query("format")
	if format == "" {
		format = "csv"
	}
	var b strings.Builder
	if _, err := s.app.AuditExport(pc.ctx(), f, format, &b); err != nil {
		return err
	}
	if format == "json" {
		return pc.download("application/json", "vigil-audit.json", []byte(b.String()))
	}
	return pc.download("text/csv; charset=utf-8", "vigil-audit.csv", []byte(b.String()))
}

// dashView is the analyst dashboard: each plot with its numbers.
type dashView struct {
	Triggers []finding.TriggerStats
	Days     []notify.Figures
	Overall  notify.Figures
	// Acks are the times to acknowledge per day, AckAll over them all.
	Acks   []notify.AckTimes
	AckAll notify.AckTimes
	// Trend is the new findings per day of the chosen (or busiest) triggers.
	Trend trendView
	// Grades counts the valid labels per grade, A…G.
	Grades []label.GradeCount
	// At is when the figures were read.
	At time.Time
}

// dashSince is how far back the dashboard's daily figures go.
const dashSince = 30 * 24 * time.Hour

// plotSpan is how many days the daily plot shows.
const plotSpan = 14

// plotDays returns the figures of each of the n days up to now, oldest
// first, with zeros for days without any.
func plotDays(days []notify.Figures, now time.Time, n int) []notify.Figures {
	byDay := map[string]notify.Figures{}
	for _, d := range days {
		byDay[d.Period] = d
	}
	out := make([]notify.Figures, n)
	start := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(n - 1))
	for i := range out {
		day := start.AddDate(0, 0, i).Format("2006-01-02")
		out[i] = byDay[day]
		out[i].Period = day
	}
	return out
}

// dashboard reads the dashboard's aggregates, on every view: the triggers'
// counts come from the running totals the store keeps with the findings
// (TriggerStats), the notices' from the store's count per day
// (notify.LoadNoticeDays), so no view aggregates every finding or notice
// item and nothing needs caching.
func (s *Server) dashboard(pc *pageCall) (dashView, error) {
	v, err := s.dashTriggers(pc)
	if err != nil {
		return dashView{}, err
	}
	d, err := s.dashNotices(pc)
	if err != nil {
		return dashView{}, err
	}
	v.Days, v.Overall, v.Acks, v.AckAll = d.Days, d.Overall, d.Acks, d.AckAll
	if v.Trend, err = s.dashTrend(pc); err != nil {
		return dashView{}, err
	}
	if v.Grades, err = s.store.LabelGrades(pc.ctx(), pc.scope()); err != nil {
		return dashView{}, err
	}
	return v, nil
}

// dashTriggers reads the triggers' part of the dashboard (its plot needs
// no more).
func (s *Server) dashTriggers(pc *pageCall) (dashView, error) {
	ts, err := s.store.TriggerStats(pc.ctx(), pc.scope())
	if err != nil {
		return dashView{}, err
	}
	return dashView{Triggers: ts, At: s.store.Now()}, nil
}

// dashNotices reads the notices' part of the dashboard (its plot needs no
// more).
func (s *Server) dashNotices(pc *pageCall) (dashView, error) {
	since := s.store.Now().Add(-dashSince).Truncate(24 * time.Hour)
	days, all, err := notify.LoadNoticeDays(pc.ctx(), s.store, pc.scope(), since)
	if err != nil {
		return dashView{}, err
	}
	acks, ackAll, err := s.dashAcks(pc, since)
	if err != nil {
		return dashView{}, err
	}
	return dashView{Days: days, Overall: all, Acks: acks, AckAll: ackAll, At: s.store.Now()}, nil
}

// dashAcks reads the times to acknowledge per day since since (from the
// running figures per day) and adds them up.
func (s *Server) dashAcks(pc *pageCall, since time.Time) ([]notify.AckTimes, notify.AckTimes, error) {
	acks, err := s.store.NoticeAckDays(pc.ctx(), pc.scope(), since)
	if err != nil {
		return nil, notify.AckTimes{}, err
	}
	var all notify.AckTimes
	for _, a := range acks {
		all.Add(a)
	}
	return acks, all, nil
}

// svg answers a figure as an SVG image (renderSVG). Plots carry style
// attributes, so their own policy allows inline style and nothing else.
func (pc *pageCall) svg(f plotFigure) error {
	b, err := renderSVG(f)
	if err != nil {
		return err
	}
	h := pc.w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	_, err = pc.w.Write(b)
	return err
}

func (s *Server) pagePlotNotices(pc *pageCall) error {
	v, err := s.dashNotices(pc)
	if err != nil {
		return err
	}
	p := plot.New()
	msgs := s.messages(pc.lang)
	p.Y.Label.Text = msgs["dash.count"]
	p.Y.Min = 0
	// Every day of the last fortnight, quiet days included, so that one
	// busy day reads as a day on a time line.
	days := plotDays(v.Days, s.store.Now(), plotSpan)
	n := len(days)
	keys := make([]string, n)
	sent, delivered, acked := make(plotter.Values, n), make(plotter.Values, n), make(plotter.Values, n)
	failed, bounced := make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	top := 1.0
	for i, d := range days {
		sent[i], delivered[i], acked[i] = float64(d.Sent), float64(d.Delivered()), float64(d.Acknowledged)
		failed[i], bounced[i] = float64(d.Failed), float64(d.Bounced)
		names[i], keys[i] = d.Period[5:], d.Period // MM-DD
		top = max(top, sent[i], acked[i], failed[i], bounced[i])
	}
	p.Y.Max = top * 1.3 // room for the legend
	w := vg.Points(5)
	series := []struct {
		vals     plotter.Values
		id, name string
	}{{sent, "sent", msgs["dash.sent"]}, {delivered, "delivered", msgs["dash.delivered"]}, {acked, "acknowledged", msgs["dash.acked"]},
		{failed, "failed", msgs["dash.failed"]}, {bounced, "bounced", msgs["dash.bounced"]}}
	data := &plotData{}
	for i, sr := range series {
		b, err := plotter.NewBarChart(sr.vals, w)
		if err != nil {
			return err
		}
		b.Color, b.LineStyle.Width = plotColor(i), 0
		b.Offset = (vg.Length(i) - vg.Length(len(series)-1)/2) * w
		p.Add(b)
		p.Legend.Add(sr.name, b)
		data.addBars(b, sr.id, sr.name, keys)
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top, p.Legend.Left = true, true
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 0.8
	p.X.Tick.Label.XAlign = -1
	return pc.svg(plotFigure{Title: msgs["dash.plot.notices"], Desc: msgs["dash.desc.notices"], Panels: []*plot.Plot{p}, Data: []*plotData{data}})
}

func (s *Server) pagePlotTriggers(pc *pageCall) error {
	v, err := s.dashTriggers(pc)
	if err != nil {
		return err
	}
	p := plot.New()
	msgs := s.messages(pc.lang)
	open, orgs := plotter.Values{}, plotter.Values{}
	var names []string
	for _, t := range v.Triggers {
		open = append(open, float64(t.Open))
		orgs = append(orgs, float64(t.Organisations))
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		names, open, orgs = []string{"–"}, plotter.Values{0}, plotter.Values{0}
	}
	// The first trigger on top, as in the table.
	slices.Reverse(open)
	slices.Reverse(orgs)
	slices.Reverse(names)
	// Horizontal bars: trigger names read along the axis, not slanted.
	w := vg.Points(7)
	b1, err := plotter.NewBarChart(open, w)
	if err != nil {
		return err
	}
	b1.Color, b1.Offset, b1.Horizontal, b1.LineStyle.Width = plotColor(0), w/2, true, 0
	b2, err := plotter.NewBarChart(orgs, w)
	if err != nil {
		return err
	}
	b2.Color, b2.Offset, b2.Horizontal, b2.LineStyle.Width = plotColor(2), -w/2, true, 0
	p.Add(plotter.NewGrid(), b1, b2)
	p.Legend.Add(msgs["dash.open"], b1)
	p.Legend.Add(msgs["dash.orgs"], b2)
	data := &plotData{}
	data.addBars(b1, "open", msgs["dash.open"], names)
	data.addBars(b2, "organisations", msgs["dash.orgs"], names)
	p.Legend.Top = true
	p.X.Min = 0
	top := 1.0
	for i := range open {
		top = max(top, open[i], orgs[i])
	}
	p.X.Max = top * 1.3 // room for the legend
	p.NominalY(names...)
	return pc.svg(plotFigure{Title: msgs["dash.plot.triggers"], Desc: msgs["dash.desc.triggers"], Panels: []*plot.Plot{p}, Data: []*plotData{data}})
}

func (s *Server) pagePlotAcks(pc *pageCall) error {
	_, all, err := s.dashAcks(pc, s.store.Now().Add(-dashSince).Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	p := plot.New()
	msgs := s.messages(pc.lang)
	p.Y.Label.Text = msgs["dash.acks.count"]
	p.X.Label.Text = msgs["dash.acks.after"]
	vals := plotter.Values{float64(all.WithinHour), float64(all.WithinDay), float64(all.WithinWeek), float64(all.Later)}
	top := 1.0
	for _, v := range vals {
		top = max(top, v)
	}
	b, err := plotter.NewBarChart(vals, vg.Points(24))
	if err != nil {
		return err
	}
	b.Color, b.LineStyle.Width = plotColor(1), 0
	p.Add(plotter.NewGrid(), b)
	p.Y.Min, p.Y.Max = 0, top*1.1
	buckets := []string{msgs["dash.acks.hour"], msgs["dash.acks.day"], msgs["dash.acks.week"], msgs["dash.acks.later"]}
	p.NominalX(buckets...)
	data := &plotData{}
	data.addBars(b, "acknowledged", msgs["dash.acks.n"], buckets)
	return pc.svg(plotFigure{Title: msgs["dash.plot.acks"], Desc: msgs["dash.desc.acks"], Panels: []*plot.Plot{p}, Data: []*plotData{data}})
}

// trendTop is how many triggers the findings-over-time plot shows unless
// the analyst chooses them; trendMax is how many they may choose.
const (
	trendTop = 5
	trendMax = 8
)

// trendQuery is the choice of the triggers the findings-over-time plot and
// its table show, shared by the dashboard and the plot.
func trendQuery() []Param {
	return []Param{{Name: "trend", Type: "string", Multi: true,
		Description: fmt.Sprintf("A trigger to show in the findings per day plot and its table, once per trigger (at most %d); none: the %d busiest", trendMax, trendTop)}}
}

// trendView is the new findings per day (the plot's span, quiet days
// included) of the triggers that warned the most organisations in that
// span (then: with the most new findings), and the organisations warned
// about them per day of sending.
type trendView struct {
	Triggers []string
	Rows     []trendRow
	// Choices are the triggers with new findings or warnings in the
	// span, the busiest first, and any chosen one without; Chosen says whether the analyst
	// chose the triggers; Query is the plot's query string for them.
	Choices []string
	Chosen  bool
	Query   string
}

// Max is how many triggers the analyst may choose.
func (trendView) Max() int { return trendMax }

// Shows reports whether the trigger is one the plot shows.
func (v trendView) Shows(name string) bool { return slices.Contains(v.Triggers, name) }

// trendRow is a day of trendView: per trigger, in its order, the new
// findings (N) and the organisations warned (Warned).
type trendRow struct {
	Day    string
	N      []int64
	Warned []int64
}

// Cells returns the day's figures in the table's column order: per
// trigger its new findings, then its organisations warned.
func (r trendRow) Cells() []int64 {
	out := make([]int64, 0, 2*len(r.N))
	for i := range r.N {
		out = append(out, r.N[i], r.Warned[i])
	}
	return out
}

// dashTrend reads the findings per day and trigger of the plot's span
// (from the running counts per day) and the organisations warned, and
// keeps the chosen triggers, or the busiest.
func (s *Server) dashTrend(pc *pageCall) (trendView, error) {
	now := s.store.Now()
	start := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -(plotSpan - 1))
	ds, err := s.store.TriggerDays(pc.ctx(), pc.scope(), start)
	if err != nil {
		return trendView{}, err
	}
	ws, err := s.store.OrgWarnDays(pc.ctx(), pc.scope(), start)
	if err != nil {
		return trendView{}, err
	}
	// A trigger is busy by the organisations it warned in the span, then
	// by its new findings: a report's findings carry the day of its
	// events, which may lie before the span, while the warnings about
	// them go out today.
	found, warned := map[string]int64{}, map[string]int64{}
	for _, d := range ds {
		found[d.Trigger] += d.Findings
	}
	for _, w := range ws {
		warned[w.Trigger] += w.Orgs
	}
	var names []string
	for _, m := range []map[string]int64{found, warned} {
		for n, c := range m {
			if c > 0 && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	busiest := func(a, b string) int {
		if warned[a] != warned[b] {
			return cmp.Compare(warned[b], warned[a])
		}
		if found[a] != found[b] {
			return cmp.Compare(found[b], found[a])
		}
		return strings.Compare(a, b)
	}
	slices.SortFunc(names, busiest)
	v := trendView{Choices: names}
	chosen, err := s.trendChoice(pc)
	if err != nil {
		return trendView{}, err
	}
	if chosen != nil {
		for _, n := range chosen {
			if !slices.Contains(v.Choices, n) {
				v.Choices = append(v.Choices, n)
			}
		}
		slices.SortFunc(chosen, busiest)
		names, v.Chosen = chosen, true
		v.Query = "?" + url.Values{"trend": chosen}.Encode()
	} else {
		names = names[:min(len(names), trendTop)]
	}
	v.Triggers = names
	col := map[string]int{}
	for i, n := range names {
		col[n] = i
	}
	row := map[string]int{}
	for i := range plotSpan {
		day := start.AddDate(0, 0, i).Format(time.DateOnly)
		row[day] = i
		v.Rows = append(v.Rows, trendRow{Day: day, N: make([]int64, len(names)), Warned: make([]int64, len(names))})
	}
	for _, d := range ds {
		r, ok := row[d.Day]
		c, in := col[d.Trigger]
		if ok && in {
			v.Rows[r].N[c] += d.Findings
		}
	}
	for _, w := range ws {
		r, ok := row[w.Day]
		c, in := col[w.Trigger]
		if ok && in {
			v.Rows[r].Warned[c] += w.Orgs
		}
	}
	return v, nil
}

// trendChoice returns the triggers the analyst chose for the trend plot
// (nil: none chosen), each once, refusing more than trendMax and names
// that are no trigger.
func (s *Server) trendChoice(pc *pageCall) ([]string, error) {
	var chosen []string
	for _, n := range pc.r.URL.Query()["trend"] {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(chosen, n) {
			chosen = append(chosen, n)
		}
	}
	if len(chosen) == 0 {
		return nil, nil
	}
	if len(chosen) > trendMax {
		return nil, errs.Keyed(codeBadRequest, "trend", "trend.many", "%d triggers chosen: the plot shows at most %d", len(chosen), trendMax)
	}
	known, err := s.store.TriggerNames(pc.ctx(), pc.scope())
	if err != nil {
		return nil, err
	}
	for _, n := range chosen {
		if !slices.Contains(known, n) {
			return nil, errs.Keyed(codeBadRequest, "trend", "trigger.unknown", "%q: no such trigger", n)
		}
	}
	return chosen, nil
}

func (s *Server) pagePlotTrend(pc *pageCall) error {
	v, err := s.dashTrend(pc)
	if err != nil {
		return err
	}
	msgs := s.messages(pc.lang)
	names, keys := make([]string, len(v.Rows)), make([]string, len(v.Rows))
	for i, r := range v.Rows {
		names[i], keys[i] = r.Day[5:], r.Day // MM-DD
	}
	// Two panels over the same days, each trigger in the same colour, line
	// and marker in both: the new findings above, the organisations warned
	// below, each panel titled and with its legend.
	panel := func(title, ylabel, series string, fig func(r trendRow) []int64) (*plot.Plot, *plotData, error) {
		p := plot.New()
		p.Title.Text, p.Y.Label.Text = title, ylabel
		p.Y.Min = 0
		top := 1.0
		for _, r := range v.Rows {
			for _, n := range fig(r) {
				top = max(top, float64(n))
			}
		}
		p.Y.Max = top * 1.3 // room for the legend
		p.Add(plotter.NewGrid())
		data := &plotData{}
		for c, name := range v.Triggers {
			pts := make(plotter.XYs, len(v.Rows))
			for i, r := range v.Rows {
				pts[i].X, pts[i].Y = float64(i), float64(fig(r)[c])
			}
			l, sc, err := plotter.NewLinePoints(pts)
			if err != nil {
				return nil, nil, err
			}
			l.Color, sc.Color = plotColor(c), plotColor(c)
			l.Width = vg.Points(1.5)
			l.Dashes = trendDashes(c)
			sc.Shape = trendShapes[c%len(trendShapes)]
			p.Add(l, sc)
			p.Legend.Add(name, l, sc)
			data.addLine(pts, series+":"+name, title+", "+name, keys)
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.NominalX(names...)
		p.X.Tick.Label.Rotation = 0.8
		p.X.Tick.Label.XAlign = -1
		return p, data, nil
	}
	found, fdata, err := panel(msgs["dash.trend.found"], msgs["dash.trend.count"], "findings", func(r trendRow) []int64 { return r.N })
	if err != nil {
		return err
	}
	warned, wdata, err := panel(msgs["dash.trend.warnedp"], msgs["dash.trend.orgs"], "warned", func(r trendRow) []int64 { return r.Warned })
	if err != nil {
		return err
	}
	return pc.svg(plotFigure{Title: msgs["dash.plot.trend"], Desc: msgs["dash.desc.trend"], Panels: []*plot.Plot{found, warned}, Data: []*plotData{fdata, wdata}})
}

// trendShapes and trendDashes tell the triggers' lines apart without
// colour vision.
var trendShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

func trendDashes(i int) []vg.Length {
	return [][]vg.Length{nil, {vg.Points(5), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}, {vg.Points(1), vg.Points(4)}}[i%5]
}

func (s *Server) pagePlotGrades(pc *pageCall) error {
	gs, err := s.store.LabelGrades(pc.ctx(), pc.scope())
	if err != nil {
		return err
	}
	p := plot.New()
	msgs := s.messages(pc.lang)
	p.Y.Label.Text = msgs["dash.labels"]
	p.X.Label.Text = msgs["dash.grade"]
	vals := make(plotter.Values, len(gs))
	names := make([]string, len(gs))
	top := 1.0
	for i, g := range gs {
		vals[i], names[i] = float64(g.Labels), g.Grade.String()
		top = max(top, vals[i])
	}
	b, err := plotter.NewBarChart(vals, vg.Points(20))
	if err != nil {
		return err
	}
	b.Color, b.LineStyle.Width = plotColor(0), 0
	p.Add(plotter.NewGrid(), b)
	p.Y.Min, p.Y.Max = 0, top*1.1
	p.NominalX(names...)
	data := &plotData{}
	data.addBars(b, "labels", msgs["dash.labels"], names)
	return pc.svg(plotFigure{Title: msgs["dash.plot.grades"], Desc: msgs["dash.desc.grades"], Panels: []*plot.Plot{p}, Data: []*plotData{data}})
}

// plotColor is the i-th colour of the plots (dark enough on white for
// contrast, told apart without colour vision by their order and legend).
func plotColor(i int) color.Color {
	cs := []color.RGBA{{0x0b, 0x53, 0x94, 0xff}, {0x1b, 0x6e, 0x3a, 0xff}, {0x8a, 0x4b, 0x08, 0xff}, {0x8e, 0x1f, 0x5c, 0xff}}
	return cs[i%len(cs)]
}
