// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"fmt"
	"image/color"
	"strings"
	"time"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"vigil/internal/assess"
)

// The label is laid out once, in pixels of a Width × Height canvas, as a list
// of primitives (rectangles, polygons, texts, a QR code); the SVG, PNG and
// PDF renderers only draw those primitives, so the three look the same.
const (
	Width  = 600  // canvas width in px (PNG pixels, SVG user units)
	Height = 1000 // canvas height in px
)

// barColours are the EU energy label's A–G colours, dark green to red.
func barColours() [7]color.RGBA {
	return [7]color.RGBA{
		{0x00, 0xA6, 0x51, 0xff}, // A
		{0x50, 0xB8, 0x48, 0xff}, // B
		{0xBE, 0xD6, 0x30, 0xff}, // C
		{0xFF, 0xF2, 0x00, 0xff}, // D
		{0xFD, 0xB9, 0x13, 0xff}, // E
		{0xF3, 0x70, 0x21, 0xff}, // F
		{0xED, 0x1C, 0x24, 0xff}, // G
	}
}

// Colours as 0xRRGGBB.
const (
	hexWhite = 0xffffff
	hexInk   = 0x1a1a1a
	hexGrey  = 0x666666
	hexLine  = 0xcccccc
	hexBlue  = 0x003399 // EU flag blue
)

func rgb(h uint32) color.RGBA { return color.RGBA{uint8(h >> 16), uint8(h >> 8), uint8(h), 0xff} }

type point struct{ X, Y float64 }

type rect struct {
	X, Y, W, H float64
	Fill       color.RGBA
	Stroke     color.RGBA // zero alpha: none
	StrokeW    float64
}

type polygon struct {
	Points []point
	Fill   color.RGBA
}

type anchor string

const (
	start  anchor = "start"
	middle anchor = "middle"
	end    anchor = "end"
)

type text struct {
	X, Y    float64 // baseline
	Size    float64 // px
	Bold    bool
	Fill    color.RGBA
	Anchor  anchor
	Outline bool // dark outline around light text (bar letters)
	S       string
}

type qr struct {
	X, Y    float64
	Module  float64 // px per module
	Modules [][]bool
}

func (q qr) Size() float64 { return q.Module * float64(len(q.Modules)) }

type layout struct {
	Rects    []rect
	Polygons []polygon
	Texts    []text
	QR       qr
	Title    string
}

// fit shortens s to at most n runes at a word: the words that fit, then
// "…". Only a first word longer than half the room is cut inside (an
// identifier or URL has no words to cut at).
func fit(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	head := string(r[:n-1])
	if r[n-1] != ' ' {
		if i := strings.LastIndexByte(head, ' '); i >= len(head)/2 {
			head = head[:i]
		}
	}
	return strings.TrimRight(head, " ,;:(") + "…"
}

// wrap breaks s at words into at most lines lines of at most n runes; the
// last line is shortened at a word (fit) when s does not fit.
func wrap(s string, n, lines int) []string {
	var out []string
	rest := strings.TrimSpace(s)
	for len(out) < lines-1 && utf8.RuneCountInString(rest) > n {
		r := []rune(rest)
		head := string(r[:n+1]) // a space right after n runes ends a full line
		i := strings.LastIndexByte(head, ' ')
		if i <= 0 {
			break
		}
		out = append(out, strings.TrimRight(head[:i], " "))
		rest = strings.TrimSpace(rest[i:])
	}
	return append(out, fit(rest, n))
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// layoutLabel places everything. It fails only when the verification URL is
// too long for a QR code.
func layoutLabel(l Label) (layout, error) {
	var ly layout
	ly.Title = fmt.Sprintf("IoT security label %s: %s, grade %s", l.ID, l.Device.String(), l.Grade)
	add := func(t text) { ly.Texts = append(ly.Texts, t) }

	// Frame and header band.
	ly.Rects = append(ly.Rects,
		rect{X: 0, Y: 0, W: Width, H: Height, Fill: rgb(hexWhite)},
		rect{X: 0, Y: 0, W: Width, H: 120, Fill: rgb(hexBlue)},
	)
	add(text{X: 30, Y: 62, Size: 40, Bold: true, Fill: rgb(hexWhite), Anchor: start, S: "IoT SECURITY"})
	add(text{X: 30, Y: 97, Size: 18, Fill: rgb(hexWhite), Anchor: start, S: fit(l.Standard, 34)})
	add(text{X: 570, Y: 62, Size: 30, Bold: true, Fill: rgb(hexWhite), Anchor: end, S: "vigil"})
	add(text{X: 570, Y: 97, Size: 14, Fill: rgb(hexWhite), Anchor: end, S: fit(l.Issuer, 30)})

	// Device.
	add(text{X: 30, Y: 178, Size: 30, Bold: true, Fill: rgb(hexInk), Anchor: start, S: fit(l.Device.Vendor, 32)})
	add(text{X: 30, Y: 214, Size: 26, Fill: rgb(hexInk), Anchor: start, S: fit(l.Device.Model, 38)})
	if l.Device.Firmware != "" {
		add(text{X: 30, Y: 246, Size: 18, Fill: rgb(hexGrey), Anchor: start, S: fit("Firmware "+l.Device.Firmware, 50)})
	}
	ly.Rects = append(ly.Rects, rect{X: 30, Y: 266, W: 540, H: 2, Fill: rgb(hexLine)})

	// A–G bars, shortest at the top, each ending in a point.
	const barY, barH, barStep, barX = 290.0, 50.0, 58.0, 30.0
	cols := barColours()
	for i, g := range assess.Grades() {
		y := barY + float64(i)*barStep
		w := 190 + float64(i)*38
		ly.Polygons = append(ly.Polygons, polygon{Fill: cols[i], Points: []point{
			{barX, y}, {barX + w - 25, y}, {barX + w, y + barH/2}, {barX + w - 25, y + barH}, {barX, y + barH},
		}})
		add(text{X: barX + 16, Y: y + 38, Size: 36, Bold: true, Fill: rgb(hexWhite), Anchor: start, Outline: true, S: g.String()})
	}
	// The grade: a black arrow pointing at its bar.
	if l.Grade.Valid() {
		i := float64(l.Grade.Index())
		top, bot := barY+i*barStep-5, barY+i*barStep+barH+5
		mid := (top + bot) / 2
		ly.Polygons = append(ly.Polygons, polygon{Fill: rgb(hexInk), Points: []point{
			{448, mid}, {480, top}, {570, top}, {570, bot}, {480, bot},
		}})
		add(text{X: 527, Y: mid + 17, Size: 48, Bold: true, Fill: rgb(hexWhite), Anchor: middle, S: l.Grade.String()})
	}

	// Summary.
	m, r := l.Totals()
	add(text{X: 30, Y: 725, Size: 18, Fill: rgb(hexInk), Anchor: start, S: "Mandatory provisions met"})
	add(text{X: 570, Y: 725, Size: 18, Bold: true, Fill: rgb(hexInk), Anchor: end, S: fmt.Sprintf("%d / %d", m.Met, m.Total)})
	add(text{X: 30, Y: 752, Size: 18, Fill: rgb(hexInk), Anchor: start, S: "Recommended provisions met"})
	add(text{X: 570, Y: 752, Size: 18, Bold: true, Fill: rgb(hexInk), Anchor: end, S: fmt.Sprintf("%d / %d", r.Met, r.Total)})
	// What lowered the grade, on two lines: one fact wrapped over both, or
	// the first two facts a line each; every line ends at a word.
	for i, s := range reasonLines(l.Reasons) {
		add(text{X: 30, Y: 781 + float64(i)*18, Size: 13, Fill: rgb(hexGrey), Anchor: start, S: s})
	}
	ly.Rects = append(ly.Rects, rect{X: 30, Y: 812, W: 540, H: 2, Fill: rgb(hexLine)})

	// Footer: identity and dates left, QR right.
	add(text{X: 30, Y: 842, Size: 14, Fill: rgb(hexGrey), Anchor: start, S: "Label"})
	add(text{X: 30, Y: 867, Size: 22, Bold: true, Fill: rgb(hexInk), Anchor: start, S: fit(l.ID, 26)})
	add(text{X: 30, Y: 895, Size: 16, Fill: rgb(hexInk), Anchor: start, S: "Issued " + day(l.Issued)})
	add(text{X: 30, Y: 918, Size: 16, Fill: rgb(hexInk), Anchor: start, S: "Valid until " + day(l.Expires)})
	add(text{X: 30, Y: 942, Size: 12, Fill: rgb(hexGrey), Anchor: start, S: fit(l.Rule+" · key "+l.KeyID, 52)})
	add(text{X: 30, Y: 961, Size: 12, Fill: rgb(hexGrey), Anchor: start, S: fit("Catalogue "+l.Catalogue, 52)})
	add(text{X: 30, Y: 982, Size: 12, Fill: rgb(hexInk), Anchor: start, S: fit(strings.TrimPrefix(l.VerifyURL, "https://"), 52)})

	code, err := qrcode.New(l.VerifyURL, qrcode.Medium)
	if err != nil {
		return layout{}, fmt.Errorf("qr code for %q: %w", l.VerifyURL, err)
	}
	mods := code.Bitmap() // includes the 4-module quiet zone
	const qrBox = 172.0
	mod := float64(int(qrBox) / len(mods))
	if mod < 2 {
		return layout{}, fmt.Errorf("qr code for %q: URL too long for the label", l.VerifyURL)
	}
	size := mod * float64(len(mods))
	// The code's dark modules end at the right margin; its quiet zone
	// extends into the page edge.
	ly.QR = qr{X: 570 + 4*mod - size, Y: 820 + (qrBox-size)/2, Module: mod, Modules: mods}
	return ly, nil
}

// reasonLineRunes is how many runes of the 13 px reason text fit the
// label's width.
const reasonLineRunes = 76

// reasonLines are the (at most two) lines of the label that say what
// lowered its grade.
func reasonLines(rs []assess.Reason) []string {
	say := func(r assess.Reason) string { return "Lowered by " + r.Rule + " (" + r.Effect + "): " + r.Detail }
	switch len(rs) {
	case 0:
		return nil
	case 1:
		return wrap(say(rs[0]), reasonLineRunes, 2)
	case 2:
		return []string{fit(say(rs[0]), reasonLineRunes), fit(say(rs[1]), reasonLineRunes)}
	}
	more := fmt.Sprintf(" (+%d more)", len(rs)-2)
	return []string{fit(say(rs[0]), reasonLineRunes), fit(say(rs[1]), reasonLineRunes-utf8.RuneCountInString(more)) + more}
}
