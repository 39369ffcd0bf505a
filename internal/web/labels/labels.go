// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package labels serves vigil's public label registry, without
// authentication:
//
//	GET /.well-known/vigil-keys.json   the label signing keys (JWKS, with status and dates)
//	GET /labels/{id}                   HTML page: current grade, validity, history, the label
//	GET /labels/{id}.json              the signed label document as issued
//	GET /labels/{id}.svg|.png|.pdf     the label rendered like an energy label
//	GET /labels/{id}/status.json       the registry's view: revoked, superseded, latest grade
//
// `vigil label verify URL` reads the last three. Handler serves them all;
// Routes lists them for a router's route table.
package labels

import (
	"bytes"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
)

// Handler serves the registry. It is safe for concurrent use.
type Handler struct {
	svc  *rating.Service
	log  *slog.Logger
	page *template.Template
	mux  *http.ServeMux
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
	h := &Handler{svc: svc, log: log, page: pageTemplate(), mux: http.NewServeMux()}
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
		{Method: http.MethodGet, Path: "/labels/{file}", ContentType: "text/html",
			Summary: "A label: HTML page (/labels/{id}), signed JSON (.json) or rendering (.svg, .png, .pdf)", Handler: h.label},
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
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'")
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

func (h *Handler) label(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, ext := file, ""
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		id, ext = file[:i], file[i+1:]
	}
	if !idRE.MatchString(id) {
		http.Error(w, "label not found", http.StatusNotFound)
		return
	}
	doc, l, err := h.svc.Signed(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	securityHeaders(w)
	switch ext {
	case "":
		h.htmlPage(w, r, l)
	case "json":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
		_, _ = w.Write(doc)
	case rating.FormatSVG, rating.FormatPNG, rating.FormatPDF:
		var buf bytes.Buffer
		if err := rating.RenderDoc(&buf, l, ext); err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", map[string]string{"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}[ext])
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
		_, _ = w.Write(buf.Bytes())
	default:
		http.Error(w, "label not found", http.StatusNotFound)
	}
}

// pageData is what the HTML page shows.
type pageData struct {
	Label    label.Label
	Reg      rating.RegistryStatus
	State    string
	Valid    bool
	Current  bool // this label is the device's latest
	SVG      template.HTML
	Mand     assess.Tally
	Rec      assess.Tally
	Now      time.Time
	KeysPath string
}

func (h *Handler) htmlPage(w http.ResponseWriter, r *http.Request, l label.Label) {
	rs, err := h.svc.Registry(r.Context(), l.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var svg bytes.Buffer
	if err := label.RenderSVG(&svg, l); err != nil {
		h.fail(w, r, err)
		return
	}
	// The renderer escapes every text it draws; drop the XML declaration to
	// inline the drawing.
	s := svg.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	d := pageData{Label: l, Reg: rs, State: string(rs.State), Valid: rs.State == label.Valid, Current: rs.Latest == l.ID,
		SVG: template.HTML(s), Now: time.Now().UTC(), KeysPath: "/.well-known/vigil-keys.json"} //nolint:gosec // our own escaped SVG
	d.Mand, d.Rec = l.Totals()
	switch rs.State {
	case label.Revoked:
		d.State = "revoked: " + rs.RevokeReason
	case rating.Superseded:
		d.State = "superseded by " + rs.SupersededBy
	case label.Expired:
		d.State = "expired on " + l.Expires.Format(time.DateOnly)
	}
	var out bytes.Buffer
	if err := h.page.Execute(&out, d); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(out.Bytes())
}

func pageTemplate() *template.Template {
	return template.Must(template.New("label.html").Funcs(template.FuncMap{
		"day":     func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
		"percent": func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		"time":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	}).Parse(pageHTML))
}

const pageHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<title>IoT security label {{.Label.ID}}: {{.Label.Device.Vendor}} {{.Label.Device.Model}}, grade {{.Reg.LatestGrade}}</title>
<style>
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1a1a1a;background:#f4f5f7}
main{max-width:1080px;margin:0 auto;padding:24px;display:flex;flex-wrap:wrap;gap:32px}
.label{flex:0 0 360px}.label svg{width:360px;height:auto;box-shadow:0 2px 8px rgba(0,0,0,.15)}
.info{flex:1 1 480px}
.state{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:bold;color:#fff;background:#1b6e3a}
.state.bad{background:#b3261e}
.grade{font-size:48px;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:12px 0}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;font-size:14px}
.muted{color:#666;font-size:13px}
</style>
</head>
<body>
<main>
<div class="label">{{.SVG}}</div>
<div class="info">
<h1>{{.Label.Device.Vendor}} {{.Label.Device.Model}}</h1>
{{if .Label.Device.Firmware}}<p>Firmware {{.Label.Device.Firmware}}</p>{{end}}
<p><span class="state{{if not .Valid}} bad{{end}}">{{if .Valid}}valid{{else}}{{.State}}{{end}}</span></p>
<p>Current grade: <span class="grade">{{.Reg.LatestGrade}}</span>
{{if not .Current}}<br>This label (grade {{.Label.Grade}}) was replaced: see <a href="/labels/{{.Reg.Latest}}">{{.Reg.Latest}}</a>.{{end}}</p>
<table>
<tr><th>Label</th><td>{{.Label.ID}}</td></tr>
<tr><th>Grade on this label</th><td>{{.Label.Grade}} ({{.Label.Rule}})</td></tr>
<tr><th>Standard</th><td>{{.Label.Standard}}, catalogue {{.Label.Catalogue}}</td></tr>
<tr><th>Issued</th><td>{{day .Label.Issued}} by {{.Label.Issuer}}</td></tr>
<tr><th>Valid until</th><td>{{day .Label.Expires}}</td></tr>
<tr><th>Mandatory provisions met</th><td>{{.Mand.Met}} / {{.Mand.Total}}</td></tr>
<tr><th>Recommended provisions met</th><td>{{.Rec.Met}} / {{.Rec.Total}}</td></tr>
<tr><th>Signing key</th><td>{{.Label.KeyID}} (<a href="{{.KeysPath}}">public keys</a>)</td></tr>
</table>
{{if .Label.Reasons}}<h2>What lowered the grade</h2>
<ul>{{range .Label.Reasons}}<li><b>{{.Rule}}</b> ({{.Effect}}): {{.Detail}}</li>{{end}}</ul>{{end}}
{{with .Reg.System}}{{if .RegisterVersion}}<h2>The whole system</h2>
<p>Risk register version {{.RegisterVersion}} of {{.Product.Vendor}} {{.Product.Model}} (device, firmware, network services, cloud and app).</p>
{{if .Unmitigated}}<p>Unmitigated high residual risks:</p>
<ul>{{range .Unmitigated}}<li>{{.ID}}: {{.Title}} (residual {{.Residual.Likelihood}}×{{.Residual.Impact}})</li>{{end}}</ul>
{{else}}<p>No high residual risk is left unmitigated.</p>{{end}}{{end}}
{{if .RetestDue}}<p class="state bad">A re-test is due: the {{.Test.Kind}} by {{.Test.Lab}} of {{.Test.Date}} stopped counting on {{day .Test.Expires}}. The next grade is issued as a new label.</p>
{{else}}{{with .Test}}<p>{{.Kind}} by {{.Lab}} on {{.Date}}: {{.Passed}} items passed, {{len .Failed}} failed; it counts until {{day .Expires}}.</p>{{end}}{{end}}
{{with .Posture}}<h2>Updates</h2>
<table><tr><th>Security updates until</th><td>{{.SupportEnd}}</td></tr>
<tr><th>Latest firmware</th><td>{{.LatestFirmware}}{{if ge .LatestShare 0.0}} (seen on {{percent .LatestShare}} of field sightings){{end}}</td></tr>
{{if ge .FixDays 0}}<tr><th>Advisory to fixed firmware</th><td>median {{.FixDays}} days</td></tr>{{end}}</table>{{end}}
{{with .Fleet}}<h2>In the field</h2>
<p>Feed rows naming this product: {{.Rows}} ({{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}).</p>
<table>{{range $k, $v := .Services}}<tr><th>Exposed {{$k}}</th><td>{{$v}} sightings</td></tr>{{end}}
{{range .Firmware}}<tr><th>Firmware {{.Value}}</th><td>{{.Count}} sightings, last {{day .LastSeen}}</td></tr>{{end}}
{{range .SharedKeys}}<tr><th>Shared {{.Kind}}</th><td>{{.Fingerprint}}: {{.Addresses}} sightings in {{.Networks}} networks</td></tr>{{end}}
<tr><th>Keys seen in one or two networks</th><td>{{.UniqueKeys}}</td></tr></table>{{end}}{{end}}
<h2>History</h2>
<table>
<tr><th>When</th><th>Event</th><th>Label</th><th>Grade</th><th>Why</th></tr>
{{range .Reg.History}}<tr><td>{{time .At}}</td><td>{{.Kind}}</td><td><a href="/labels/{{.LabelID}}">{{.LabelID}}</a></td><td>{{if .PrevGrade}}{{.PrevGrade}} → {{end}}{{.Grade}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>
<h2>Per section</h2>
<table>
<tr><th>Section</th><th>Mandatory met</th><th>Recommended met</th><th>Not applicable</th></tr>
{{range .Label.Sections}}<tr><td>{{.Section}} {{.Title}}</td><td>{{.Mandatory.Met}}/{{.Mandatory.Total}}</td><td>{{.Recommended.Met}}/{{.Recommended.Total}}</td><td>{{.NotApplicable}}</td></tr>
{{end}}</table>
<p class="muted">Downloads: <a href="/labels/{{.Label.ID}}.json">signed label (JSON)</a> ·
<a href="/labels/{{.Label.ID}}.svg">SVG</a> · <a href="/labels/{{.Label.ID}}.png">PNG</a> · <a href="/labels/{{.Label.ID}}.pdf">PDF</a> ·
<a href="/labels/{{.Label.ID}}/status.json">registry status</a>.
Verify offline with <code>vigil label verify {{.Label.VerifyURL}}</code>. Checked {{time .Now}}.</p>
</div>
</main>
</body>
</html>
`
