// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"vigil/internal/text"
)

// WriteCSV writes the register as CSV, one risk a row, with a header.
func WriteCSV(w io.Writer, g Register) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "component", "kind", "threat", "category", "assessed", "likelihood", "impact", "inherent", "inherent_level",
		"mitigations", "independent", "layered_defence", "residual_likelihood", "residual_impact", "residual", "residual_level", "links"})
	for _, r := range g.Risks {
		var links []string
		for _, m := range r.Mitigations {
			for _, l := range []string{m.Provision, m.Evidence} {
				if l != "" {
					links = append(links, l)
				}
			}
		}
		_ = cw.Write([]string{r.ID, r.Component, string(r.Kind), r.Threat, string(r.Category), strconv.FormatBool(r.Assessed),
			strconv.Itoa(r.Inherent.Likelihood), strconv.Itoa(r.Inherent.Impact), strconv.Itoa(r.Inherent.Value()), string(r.Inherent.Level()),
			strconv.Itoa(len(r.Mitigations)), strconv.Itoa(r.Independent), strconv.FormatBool(r.LayeredDefence),
			strconv.Itoa(r.Residual.Likelihood), strconv.Itoa(r.Residual.Impact), strconv.Itoa(r.Residual.Value()), string(r.Residual.Level()),
			strings.Join(links, " ")})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("risk register csv: %w", err)
	}
	return nil
}

// ReportInfo is what the PDF report says about the register beside it.
type ReportInfo struct {
	// Version is the register's stored version.
	Version int
	Created time.Time
	// Lines are extra lines for the summary (update posture, tests).
	Lines []string
}

// Layout of the heat map on the report's first page, in points from the
// top left of an A4 page: residual likelihood 5 is the top row, impact 1
// the left column.
const (
	heatX     = 120.0
	heatY     = 190.0
	heatCell  = 48.0
	heatCount = 14.0 // font size of the counts
	pageH     = 841.89
)

// RenderPDF writes the risk report: the summary, the heat map of residual
// risks (likelihood × impact, the count of risks in each cell) and the
// register. The output is deterministic for a given Created.
func RenderPDF(w io.Writer, g Register, info ReportInfo) error {
	pdf := fpdf.New("P", "pt", "A4", "")
	pdf.SetCreationDate(info.Created)
	pdf.SetModificationDate(info.Created)
	pdf.SetCatalogSort(true)
	pdf.SetMargins(40, 40, 40)
	pdf.SetAutoPageBreak(true, 40)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(tr("Risk register "+g.Product.String()), false)
	pdf.SetCreator("vigil", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Text(40, 60, tr("Risk register: "+g.Product.String()))
	pdf.SetFont("Helvetica", "", 9)
	inh, res := g.Totals()
	lines := []string{
		fmt.Sprintf("Register version %d of %s, system model version %d, threat catalogue %s.", info.Version, info.Created.UTC().Format(time.DateOnly), g.ModelVersion, g.Catalogue),
		fmt.Sprintf("%d risks. Inherent: %d high, %d medium, %d low. Residual: %d high, %d medium, %d low.", len(g.Risks), inh.High, inh.Medium, inh.Low, res.High, res.Medium, res.Low),
		fmt.Sprintf("Risk = likelihood × impact (1–5 each); high ≥ %d, medium %d–%d. A high risk needs mitigations on ≥ %d independent layers.", HighFrom, MediumFrom, HighFrom-1, HighNeedsMits),
	}
	lines = append(lines, info.Lines...)
	for i, l := range lines {
		pdf.Text(40, 80+float64(i)*12, tr(l))
	}

	// Heat map of residual risks.
	pdf.SetFont("Helvetica", "B", 10)
	pdf.Text(heatX, heatY-10, "Residual risks (count per cell)")
	hm := g.HeatMap()
	for li := 5; li >= 1; li-- {
		y := heatY + float64(5-li)*heatCell
		pdf.SetFont("Helvetica", "", 9)
		pdf.SetTextColor(0, 0, 0)
		pdf.Text(heatX-14, y+heatCell/2+3, strconv.Itoa(li))
		for im := 1; im <= 5; im++ {
			x := heatX + float64(im-1)*heatCell
			r, gr, b := heatColour(LevelOf(li * im))
			pdf.SetFillColor(r, gr, b)
			pdf.SetDrawColor(255, 255, 255)
			pdf.Rect(x, y, heatCell, heatCell, "FD")
			n := strconv.Itoa(hm[li-1][im-1])
			pdf.SetFont("Helvetica", "B", heatCount)
			pdf.SetTextColor(0x1a, 0x1a, 0x1a)
			pdf.Text(x+(heatCell-pdf.GetStringWidth(n))/2, y+heatCell/2+5, n)
		}
	}
	pdf.SetFont("Helvetica", "", 9)
	for im := 1; im <= 5; im++ {
		pdf.Text(heatX+float64(im-1)*heatCell+heatCell/2-2, heatY+5*heatCell+12, strconv.Itoa(im))
	}
	pdf.Text(heatX+heatCell*2, heatY+5*heatCell+26, "impact")
	pdf.TransformBegin()
	pdf.TransformRotate(90, heatX-26, heatY+heatCell*3)
	pdf.Text(heatX-26, heatY+heatCell*3, "likelihood")
	pdf.TransformEnd()

	// The register.
	pdf.SetY(heatY + 5*heatCell + 44)
	cols := []struct {
		head string
		w    float64
	}{{"Risk", 150}, {"Category", 90}, {"Inherent", 50}, {"Mitigations (layers)", 95}, {"Layered", 45}, {"Residual", 55}}
	pdf.SetFont("Helvetica", "B", 8)
	for _, c := range cols {
		pdf.CellFormat(c.w, 14, c.head, "B", 0, "L", false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 8)
	for _, r := range g.Risks {
		layered := "yes"
		if !r.LayeredDefence {
			layered = "NO"
		}
		mits := "none"
		if len(r.Mitigations) > 0 {
			mits = fmt.Sprintf("%d (%d)", len(r.Mitigations), r.Independent)
		}
		if !r.Assessed {
			mits = "not assessed"
		}
		cells := []string{r.ID, string(r.Category), fmt.Sprintf("%d×%d=%d", r.Inherent.Likelihood, r.Inherent.Impact, r.Inherent.Value()),
			mits, layered, fmt.Sprintf("%d %s", r.Residual.Value(), r.Residual.Level())}
		for i, c := range cols {
			pdf.CellFormat(c.w, 12, tr(text.Fit(cells[i], int(c.w/4.2))), "", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("risk report pdf: %w", err)
	}
	return nil
}

func heatColour(l Level) (r, g, b int) {
	switch l {
	case High:
		return 0xe5, 0x73, 0x73
	case Medium:
		return 0xff, 0xd5, 0x4f
	}
	return 0xa5, 0xd6, 0xa7
}
