// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
)

// pdfScale maps layout pixels to PDF points: the page is 300 × 500 pt
// (about 106 × 176 mm, the proportions of an EU energy label).
const pdfScale = 0.5

// RenderPDF writes the label as a one-page vector PDF with the standard
// Helvetica fonts. The output is deterministic: the document dates are the
// label's issue date.
func RenderPDF(w io.Writer, l Label) error {
	ly, err := layoutLabel(l)
	if err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: Width * pdfScale, Ht: Height * pdfScale}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreationDate(l.Issued)
	pdf.SetModificationDate(l.Issued)
	pdf.SetCatalogSort(true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252 for the core fonts
	pdf.SetTitle(tr(ly.Title), false)
	pdf.SetSubject(tr("Verify at "+l.VerifyURL), false)
	pdf.SetCreator("vigil", false)
	pdf.AddPage()
	s := func(f float64) float64 { return f * pdfScale }

	for _, r := range ly.Rects {
		pdf.SetFillColor(int(r.Fill.R), int(r.Fill.G), int(r.Fill.B))
		pdf.Rect(s(r.X), s(r.Y), s(r.W), s(r.H), "F")
	}
	for _, p := range ly.Polygons {
		pts := make([]fpdf.PointType, len(p.Points))
		for i, pt := range p.Points {
			pts[i] = fpdf.PointType{X: s(pt.X), Y: s(pt.Y)}
		}
		pdf.SetFillColor(int(p.Fill.R), int(p.Fill.G), int(p.Fill.B))
		pdf.Polygon(pts, "F")
	}
	for _, t := range ly.Texts {
		style := ""
		if t.Bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, s(t.Size))
		str := tr(t.S)
		x := s(t.X)
		switch t.Anchor {
		case middle:
			x -= pdf.GetStringWidth(str) / 2
		case end:
			x -= pdf.GetStringWidth(str)
		}
		if t.Outline {
			// Text render mode 2: fill then stroke, for the bar letters.
			pdf.SetDrawColor(0x1a, 0x1a, 0x1a)
			pdf.SetLineWidth(0.8)
			pdf.SetTextRenderingMode(2)
		}
		pdf.SetTextColor(int(t.Fill.R), int(t.Fill.G), int(t.Fill.B))
		pdf.Text(x, s(t.Y), str)
		if t.Outline {
			pdf.SetTextRenderingMode(0)
		}
	}
	q := ly.QR
	pdf.SetFillColor(255, 255, 255)
	pdf.Rect(s(q.X), s(q.Y), s(q.Size()), s(q.Size()), "F")
	pdf.SetFillColor(0, 0, 0)
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
			pdf.Rect(s(q.X+float64(c)*q.Module), s(q.Y+float64(r)*q.Module), s(float64(run)*q.Module), s(q.Module), "F")
			c += run
		}
	}
	pdf.LinkString(s(q.X), s(q.Y), s(q.Size()), s(q.Size()), l.VerifyURL)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("render pdf: %w", err)
	}
	return nil
}
