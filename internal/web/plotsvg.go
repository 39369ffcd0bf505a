// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"fmt"
	"html"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// plotMark is one figure of a plot as its SVG carries it: where it is
// drawn (the canvas' points, origin bottom left, as the drawing inside the
// SVG's flipped group) and what it is. Series is a stable name for machines
// (data-series), Name the series as the reader's language says it, Key the
// day, trigger or grade the figure belongs to.
type plotMark struct {
	X, Y, W, H   vg.Length
	Series, Name string
	Key          string
	Value        float64
}

// plotData is a plotter that draws nothing: it notes, when its plot is
// drawn, where the figures of its series land, so that the SVG can carry
// each of them as an element with a title and data attributes (a tooltip
// for people, a hook for tests and tools; the table beside the plot stays
// the screen reader's source).
type plotData struct {
	bars  []markedBars
	lines []markedLine
	marks []plotMark
}

// markedBars is a bar chart whose bars are marked, the i-th under keys[i].
type markedBars struct {
	b            *plotter.BarChart
	series, name string
	keys         []string
}

// markedLine is a line whose points are marked, the i-th under keys[i].
type markedLine struct {
	pts          plotter.XYs
	series, name string
	keys         []string
}

// addBars marks the bars of b.
func (d *plotData) addBars(b *plotter.BarChart, series, name string, keys []string) {
	d.bars = append(d.bars, markedBars{b, series, name, keys})
}

// addLine marks the points of a line.
func (d *plotData) addLine(pts plotter.XYs, series, name string, keys []string) {
	d.lines = append(d.lines, markedLine{pts, series, name, keys})
}

// Plot implements plot.Plotter: it notes where the marked figures are
// drawn on c.
func (d *plotData) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, mb := range d.bars {
		b := mb.b
		trCat, trVal := trX, trY
		if b.Horizontal {
			trCat, trVal = trY, trX
		}
		for i, v := range b.Values {
			if i >= len(mb.keys) {
				break
			}
			cat := trCat(b.XMin+float64(i)) - b.Width/2 + b.Offset
			lo, hi := trVal(0), trVal(v)
			m := plotMark{Series: mb.series, Name: mb.name, Key: mb.keys[i], Value: v}
			if b.Horizontal {
				m.X, m.Y, m.W, m.H = lo, cat, hi-lo, b.Width
			} else {
				m.X, m.Y, m.W, m.H = cat, lo, b.Width, hi-lo
			}
			d.marks = append(d.marks, m)
		}
	}
	const r = vg.Length(3) // half the side of a point's mark
	for _, ml := range d.lines {
		for i, pt := range ml.pts {
			if i >= len(ml.keys) {
				break
			}
			d.marks = append(d.marks, plotMark{X: trX(pt.X) - r, Y: trY(pt.Y) - r, W: 2 * r, H: 2 * r,
				Series: ml.series, Name: ml.name, Key: ml.keys[i], Value: pt.Y})
		}
	}
}

// plotFigure is what an SVG answer draws: its title and description (the
// image's accessible name and summary), its panels stacked top to bottom
// and the figures they mark.
type plotFigure struct {
	Title, Desc string
	Panels      []*plot.Plot
	Data        []*plotData
}

// plotPanelHeight is the height of a panel; the width is plotWidth.
const (
	plotWidth       = 16 * vg.Centimeter
	plotPanelHeight = 10 * vg.Centimeter
)

// renderSVG draws f as an SVG document: a <title> and <desc> first, the
// panels, then a group (class "plot-data") with an invisible rectangle per
// marked figure carrying data-series, data-key and data-value and a
// <title> ("Acknowledged 2026-11-23: 1").
func renderSVG(f plotFigure) ([]byte, error) {
	for _, p := range f.Panels {
		for _, a := range []*plot.Axis{&p.X, &p.Y} {
			a.Tick.Label.Font.Size = vg.Points(11)
			a.Label.TextStyle.Font.Size = vg.Points(11)
		}
		p.Legend.TextStyle.Font.Size = vg.Points(11)
		p.Title.TextStyle.Font.Size = vg.Points(12)
	}
	for i, d := range f.Data {
		d.marks = nil
		f.Panels[min(i, len(f.Panels)-1)].Add(d)
	}
	h := plotPanelHeight * vg.Length(len(f.Panels))
	c := vgsvg.New(plotWidth, h)
	dc := draw.New(c)
	if len(f.Panels) == 1 {
		f.Panels[0].Draw(dc)
	} else {
		rows := make([][]*plot.Plot, len(f.Panels))
		for i, p := range f.Panels {
			rows[i] = []*plot.Plot{p}
		}
		canvases := plot.Align(rows, draw.Tiles{Rows: len(rows), Cols: 1, PadY: vg.Millimeter * 4}, dc)
		for i, p := range f.Panels {
			p.Draw(canvases[i][0])
		}
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("write plot: %w", err)
	}
	return annotateSVG(b.Bytes(), f)
}

// annotateSVG puts f's title and description at the start of the SVG
// document svg and its marks at the end of the drawing.
func annotateSVG(svg []byte, f plotFigure) ([]byte, error) {
	const open = `xmlns:xlink="http://www.w3.org/1999/xlink">`
	const end = "</g>\n</svg>"
	i, j := bytes.Index(svg, []byte(open)), bytes.LastIndex(svg, []byte(end))
	if i < 0 || j < i {
		return nil, fmt.Errorf("plot: unexpected SVG from the plotting library")
	}
	i += len(open)
	var out bytes.Buffer
	out.Write(svg[:i])
	fmt.Fprintf(&out, "\n<title>%s</title>\n<desc>%s</desc>", html.EscapeString(f.Title), html.EscapeString(f.Desc))
	out.Write(svg[i:j])
	out.WriteString(`<g class="plot-data">` + "\n")
	pt := func(l vg.Length) string { return strconv.FormatFloat(l.Points(), 'f', 2, 64) }
	for _, d := range f.Data {
		for _, m := range d.marks {
			w, h, x, y := m.W, m.H, m.X, m.Y
			if w < 0 {
				x, w = x+w, -w
			}
			if h < 0 {
				y, h = y+h, -h
			}
			v := strconv.FormatFloat(m.Value, 'f', -1, 64)
			fmt.Fprintf(&out, `<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="none" pointer-events="all" data-series="%s" data-key="%s" data-value="%s"><title>%s %s: %s</title></rect>`+"\n",
				pt(x), pt(y), pt(w), pt(h), html.EscapeString(m.Series), html.EscapeString(m.Key), v,
				html.EscapeString(m.Name), html.EscapeString(m.Key), v)
		}
	}
	out.WriteString("</g>\n")
	out.Write(svg[j:])
	return out.Bytes(), nil
}
