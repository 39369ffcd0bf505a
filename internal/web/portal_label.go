// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/text"
)

// LabelRegistry is what the public page of a label reads: the signed
// document as issued and the registry's view of it (rating.Service).
type LabelRegistry interface {
	Signed(ctx context.Context, id string) ([]byte, label.Label, error)
	Registry(ctx context.Context, id string) (rating.RegistryStatus, error)
}

// labelIDRE matches label ids as label.NewID makes them.
var labelIDRE = regexp.MustCompile(`^VL(-[0-9A-Z]{4}){3}$`)

// labelPageRoutes are the public page of a label and its files: the page
// in the portal's layout and language, the signed document (.json) and
// its renderings (.svg, .png, .pdf), which `vigil label verify URL` and
// embedding sites read. The keys and the registry status are served by
// package labels.
func (s *Server) labelPageRoutes() []Route {
	if _, ok := s.labels.(LabelRegistry); !ok {
		return nil
	}
	return []Route{
		{ID: "getLabelsFile", Method: http.MethodGet, Path: "/labels/{file}", Tag: "labels", Public: true,
			Summary: "A label: HTML page (/labels/{id}), signed JSON (.json) or rendering (.svg, .png, .pdf)", page: s.pageLabel},
	}
}

// labelPageView is what the page of a label shows.
type labelPageView struct {
	Label   label.Label
	Reg     rating.RegistryStatus
	Valid   bool
	Current bool // this label is the device's latest
	Mand    assess.Tally
	Rec     assess.Tally
}

func (s *Server) pageLabel(pc *pageCall) error {
	reg := s.labels.(LabelRegistry) // labelPageRoutes checked it
	file := pc.r.PathValue("file")
	id, ext := file, ""
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		id, ext = file[:i], file[i+1:]
	}
	notFound := errs.Keyed(errs.NotFound, "", "label.missing", "no label %s", text.Truncate(file, 40))
	if !labelIDRE.MatchString(id) {
		return notFound
	}
	doc, l, err := reg.Signed(pc.ctx(), id)
	if err != nil {
		return err
	}
	h := pc.w.Header()
	switch ext {
	case "":
	case "json":
		h.Set("Content-Type", "application/json")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cache-Control", "public, max-age=86400, immutable")
		_, _ = pc.w.Write(doc)
		return nil
	case rating.FormatSVG, rating.FormatPNG, rating.FormatPDF:
		var buf bytes.Buffer
		if err := rating.RenderDoc(&buf, l, ext); err != nil {
			return err
		}
		h.Set("Content-Type", map[string]string{"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}[ext])
		h.Set("Cache-Control", "public, max-age=86400, immutable")
		_, _ = pc.w.Write(buf.Bytes())
		return nil
	default:
		return notFound
	}
	rs, err := reg.Registry(pc.ctx(), l.ID)
	if err != nil {
		return err
	}
	v := labelPageView{Label: l, Reg: rs, Valid: rs.State == label.Valid, Current: rs.Latest == l.ID}
	v.Mand, v.Rec = l.Totals()
	// The title is the device: a title that is no message key is shown as
	// it is.
	return pc.page("label", l.Device.Vendor+" "+l.Device.Model, v)
}
