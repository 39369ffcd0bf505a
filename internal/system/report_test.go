// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
)

// TestRenderPDF renders the camera's risk report, parses the PDF and reads
// the heat map back: the glyphs of the counts, placed by their position in
// the page, give each cell's number, which must be the register's count
// of residual risks with that likelihood and impact.
func TestRenderPDF(t *testing.T) {
	g := cameraRegister(t)
	var out bytes.Buffer
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := RenderPDF(&out, g, ReportInfo{Version: 3, Created: created}); err != nil {
		t.Fatal(err)
	}
	r, err := pdf.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	type glyph struct {
		x float64
		s string
	}
	cells := map[[2]int][]glyph{}
	for _, tx := range r.Page(1).Content().Text {
		if math.Abs(tx.FontSize-heatCount) > 0.01 {
			continue
		}
		top := pageH - tx.Y // from the top, like the layout
		col := int((tx.X - heatX) / heatCell)
		row := int((top - heatY) / heatCell)
		if tx.X < heatX || top < heatY || col > 4 || row > 4 {
			t.Errorf("a count glyph %q outside the heat map at (%.0f, %.0f)", tx.S, tx.X, top)
			continue
		}
		k := [2]int{5 - row, col + 1} // likelihood, impact
		cells[k] = append(cells[k], glyph{tx.X, tx.S})
	}
	hm := g.HeatMap()
	total := 0
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			gs := cells[[2]int{l, i}]
			sort.Slice(gs, func(a, b int) bool { return gs[a].x < gs[b].x })
			var s strings.Builder
			for _, gl := range gs {
				s.WriteString(gl.s)
			}
			n, err := strconv.Atoi(s.String())
			if err != nil || n != hm[l-1][i-1] {
				t.Errorf("heat map cell likelihood %d × impact %d reads %q; want %d", l, i, s.String(), hm[l-1][i-1])
			}
			total += n
		}
	}
	if total != len(g.Risks) || hm[2][4] != 3 {
		t.Errorf("the heat map counts %d risks (3×5: %d); want %d", total, hm[2][4], len(g.Risks))
	}
	txt, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	if _, err := io.Copy(&all, txt); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Risk register: Acme Cam 2", "Register version 3", "fw/shared-keys", fmt.Sprintf("%d risks", len(g.Risks))} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	var again bytes.Buffer
	if err := RenderPDF(&again, g, ReportInfo{Version: 3, Created: created}); err != nil || !bytes.Equal(out.Bytes(), again.Bytes()) {
		t.Errorf("PDF not deterministic (%v)", err)
	}
}

func TestWriteCSV(t *testing.T) {
	g := cameraRegister(t)
	var b bytes.Buffer
	if err := WriteCSV(&b, g); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != len(g.Risks)+1 {
		t.Fatalf("%d records, %v; want %d", len(recs), err, len(g.Risks)+1)
	}
	for _, rec := range recs[1:] {
		if rec[0] == "web/default-credentials" {
			if got := strings.Join(rec[12:], ","); got != "true,1,4,4,low,5.1-1 5.1-5" {
				t.Errorf("web/default-credentials: %s", got)
			}
		}
	}
}
