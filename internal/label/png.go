// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// fonts caches faces per (bold, size) for one rendering.
type fonts struct {
	regular, bold *opentype.Font
	faces         map[[2]float64]font.Face
}

func newFonts() (*fonts, error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, err
	}
	return &fonts{regular: r, bold: b, faces: map[[2]float64]font.Face{}}, nil
}

func (f *fonts) face(bold bool, size float64) (font.Face, error) {
	k := [2]float64{0, size}
	ft := f.regular
	if bold {
		k[0], ft = 1, f.bold
	}
	if fc, ok := f.faces[k]; ok {
		return fc, nil
	}
	fc, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, err
	}
	f.faces[k] = fc
	return fc, nil
}

func (f *fonts) close() {
	for _, fc := range f.faces {
		fc.Close()
	}
}

// RenderPNG writes the label as a Width × Height PNG drawn with the Go
// fonts.
func RenderPNG(w io.Writer, l Label) error {
	img, err := renderImage(l)
	if err != nil {
		return fmt.Errorf("render png: %w", err)
	}
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	return enc.Encode(w, img)
}

func renderImage(l Label) (*image.RGBA, error) {
	ly, err := layoutLabel(l)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, Width, Height))
	for _, r := range ly.Rects {
		draw.Draw(img, image.Rect(round(r.X), round(r.Y), round(r.X+r.W), round(r.Y+r.H)), image.NewUniform(r.Fill), image.Point{}, draw.Over)
	}
	for _, p := range ly.Polygons {
		fillPolygon(img, p)
	}
	fs, err := newFonts()
	if err != nil {
		return nil, err
	}
	defer fs.close()
	for _, t := range ly.Texts {
		fc, err := fs.face(t.Bold, t.Size)
		if err != nil {
			return nil, err
		}
		x := fixed.Int26_6(math.Round(t.X * 64))
		switch t.Anchor {
		case middle:
			x -= font.MeasureString(fc, t.S) / 2
		case end:
			x -= font.MeasureString(fc, t.S)
		}
		y := fixed.Int26_6(math.Round(t.Y * 64))
		if t.Outline {
			ink := image.NewUniform(rgb(hexInk))
			for _, d := range [][2]int{{-2, 0}, {2, 0}, {0, -2}, {0, 2}, {-1, -1}, {1, 1}, {-1, 1}, {1, -1}} {
				dr := font.Drawer{Dst: img, Src: ink, Face: fc, Dot: fixed.Point26_6{X: x + fixed.I(d[0]), Y: y + fixed.I(d[1])}}
				dr.DrawString(t.S)
			}
		}
		dr := font.Drawer{Dst: img, Src: image.NewUniform(t.Fill), Face: fc, Dot: fixed.Point26_6{X: x, Y: y}}
		dr.DrawString(t.S)
	}
	q := ly.QR
	draw.Draw(img, image.Rect(round(q.X), round(q.Y), round(q.X+q.Size()), round(q.Y+q.Size())), image.White, image.Point{}, draw.Src)
	for r, row := range q.Modules {
		for c, dark := range row {
			if !dark {
				continue
			}
			x, y := q.X+float64(c)*q.Module, q.Y+float64(r)*q.Module
			draw.Draw(img, image.Rect(round(x), round(y), round(x+q.Module), round(y+q.Module)), image.Black, image.Point{}, draw.Src)
		}
	}
	return img, nil
}

func round(f float64) int { return int(math.Round(f)) }

// fillPolygon fills p anti-aliased with x/image/vector, rasterizing only
// its bounding box.
func fillPolygon(img *image.RGBA, p polygon) {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, pt := range p.Points {
		minX, minY = math.Min(minX, pt.X), math.Min(minY, pt.Y)
		maxX, maxY = math.Max(maxX, pt.X), math.Max(maxY, pt.Y)
	}
	box := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY))).Intersect(img.Bounds())
	if box.Empty() {
		return
	}
	ras := vector.NewRasterizer(box.Dx(), box.Dy())
	ras.DrawOp = draw.Over
	for i, pt := range p.Points {
		x, y := float32(pt.X-float64(box.Min.X)), float32(pt.Y-float64(box.Min.Y))
		if i == 0 {
			ras.MoveTo(x, y)
		} else {
			ras.LineTo(x, y)
		}
	}
	ras.ClosePath()
	ras.Draw(img, box, image.NewUniform(color.RGBA(p.Fill)), image.Point{})
}
