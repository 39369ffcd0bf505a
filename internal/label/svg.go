// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/color"
	"io"
	"strconv"
	"strings"
	"text/template"
)

const svgTemplate = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-labelledby="title">
<title id="title">{{x .L.Title}}</title>
<style>text{font-family:'Go','DejaVu Sans','Helvetica Neue',Arial,sans-serif}.b{font-weight:bold}.o{stroke:#1a1a1a;stroke-width:2;paint-order:stroke}</style>
{{range .L.Rects}}<rect x="{{n .X}}" y="{{n .Y}}" width="{{n .W}}" height="{{n .H}}" fill="{{c .Fill}}"/>
{{end}}{{range .L.Polygons}}<polygon points="{{pts .Points}}" fill="{{c .Fill}}"/>
{{end}}{{range .L.Texts}}<text x="{{n .X}}" y="{{n .Y}}" font-size="{{n .Size}}"{{if .Bold}} class="b{{if .Outline}} o{{end}}"{{end}} fill="{{c .Fill}}"{{if ne .Anchor "start"}} text-anchor="{{.Anchor}}"{{end}}>{{x .S}}</text>
{{end}}<g id="qr" fill="#000" shape-rendering="crispEdges"><rect x="{{n .L.QR.X}}" y="{{n .L.QR.Y}}" width="{{n .L.QR.Size}}" height="{{n .L.QR.Size}}" fill="#fff"/>
<path d="{{.QRPath}}"/></g>
</svg>
`

// svgPage holds the parsed template; parsing is cheap enough to do per call
// and keeps the package free of globals.
func svgPage() *template.Template {
	return template.Must(template.New("label.svg").Funcs(template.FuncMap{
		"x": func(s string) string {
			var b strings.Builder
			_ = xml.EscapeText(&b, []byte(s))
			return b.String()
		},
		"n": func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) },
		"c": func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) },
		"pts": func(ps []point) string {
			parts := make([]string, len(ps))
			for i, p := range ps {
				parts[i] = strconv.FormatFloat(p.X, 'f', -1, 64) + "," + strconv.FormatFloat(p.Y, 'f', -1, 64)
			}
			return strings.Join(parts, " ")
		},
	}).Parse(svgTemplate))
}

// qrPath draws the dark modules as one path of unit squares per run.
func qrPath(q qr) string {
	var b strings.Builder
	for r, row := range q.Modules {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			run := 1
			for c+run < len(row) && row[c+run] {
				run++
			}
			x := q.X + float64(c)*q.Module
			y := q.Y + float64(r)*q.Module
			fmt.Fprintf(&b, "M%s %sh%sv%sh-%sz", fnum(x), fnum(y), fnum(float64(run)*q.Module), fnum(q.Module), fnum(float64(run)*q.Module))
			c += run
		}
	}
	return b.String()
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// RenderSVG writes the label as a standalone SVG document (Width × Height
// user units).
func RenderSVG(w io.Writer, l Label) error {
	ly, err := layoutLabel(l)
	if err != nil {
		return fmt.Errorf("render svg: %w", err)
	}
	var buf bytes.Buffer
	err = svgPage().Execute(&buf, struct {
		W, H   int
		L      layout
		QRPath string
	}{Width, Height, ly, qrPath(ly.QR)})
	if err != nil {
		return fmt.Errorf("render svg: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
