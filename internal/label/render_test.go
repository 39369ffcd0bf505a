// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	_ "image/png" // image.Decode
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"vigil/internal/assess"
)

// goldenDir is where the example labels live; they are documentation, so
// they sit under docs/ rather than testdata/.
const goldenDir = "../../docs/label"

func examples(tb testing.TB) map[string]Label {
	s := testSigner()
	out := map[string]Label{}
	for name, l := range map[string]Label{"A": labelA(tb), "E": labelE(tb)} {
		l.KeyID = s.KeyID()
		out[name] = l
	}
	return out
}

func render(t *testing.T, l Label, f func(io.Writer, Label) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b, l); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRenderSVG(t *testing.T) {
	t.Parallel()
	for name, l := range examples(t) {
		t.Run(name, func(t *testing.T) {
			out := render(t, l, RenderSVG)
			dec := xml.NewDecoder(bytes.NewReader(out))
			dec.Strict = true
			var root string
			var texts []string
			inText := false
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("invalid XML: %v", err)
				}
				switch e := tok.(type) {
				case xml.StartElement:
					if root == "" {
						root = e.Name.Local
						if e.Name.Space != "http://www.w3.org/2000/svg" {
							t.Errorf("namespace %q", e.Name.Space)
						}
						for _, a := range e.Attr {
							if a.Name.Local == "width" && a.Value != "600" {
								t.Errorf("width %s", a.Value)
							}
						}
					}
					inText = e.Name.Local == "text"
				case xml.CharData:
					if inText {
						texts = append(texts, string(e))
					}
				case xml.EndElement:
					inText = false
				}
			}
			if root != "svg" {
				t.Errorf("root %q", root)
			}
			all := strings.Join(texts, "|")
			for _, want := range []string{l.ID, l.Device.Vendor, l.Device.Model, "Firmware " + l.Device.Firmware, "|" + l.Grade.String() + "|", "Valid until " + day(l.Expires)} {
				if !strings.Contains(all, want) {
					t.Errorf("SVG texts lack %q: %s", want, all)
				}
			}
		})
	}
	// Markup in device names is escaped, not interpreted.
	l := examples(t)["A"]
	l.Device.Vendor = `<script>&"x"`
	out := render(t, l, RenderSVG)
	if bytes.Contains(out, []byte("<script>")) {
		t.Error("vendor name not escaped")
	}
	if err := xml.Unmarshal(out, new(struct{})); err != nil {
		t.Errorf("escaped SVG invalid: %v", err)
	}
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil || format != "png" {
		t.Fatalf("decode: %v (%s)", err, format)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, Width, Height) {
		t.Fatalf("bounds %v", got)
	}
	return img
}

func same(a color.Color, b color.RGBA) bool {
	r, g, bl, _ := a.RGBA()
	return uint8(r>>8) == b.R && uint8(g>>8) == b.G && uint8(bl>>8) == b.B
}

func TestRenderPNG(t *testing.T) {
	t.Parallel()
	for name, l := range examples(t) {
		t.Run(name, func(t *testing.T) {
			img := decodePNG(t, render(t, l, RenderPNG))
			cols := barColours()
			for i := range cols {
				// Inside each bar, right of its letter.
				if c := img.At(120, 290+i*58+25); !same(c, cols[i]) {
					t.Errorf("bar %c at y %d = %v; want %v", 'A'+i, 290+i*58+25, c, cols[i])
				}
			}
			// The black arrow sits on the grade's row and on no other.
			for i := range 7 {
				isInk := same(img.At(560, 290+i*58+25), rgb(hexInk))
				if isInk != (i == l.Grade.Index()) {
					t.Errorf("arrow at row %c = %v; grade %s", 'A'+i, isInk, l.Grade)
				}
			}
			// The QR code decodes back to the verification URL.
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("QR decode: %v", err)
			}
			if res.GetText() != l.VerifyURL {
				t.Errorf("QR = %q; want %q", res.GetText(), l.VerifyURL)
			}
		})
	}
}

func TestRenderPDF(t *testing.T) {
	t.Parallel()
	for name, l := range examples(t) {
		t.Run(name, func(t *testing.T) {
			out := render(t, l, RenderPDF)
			if !bytes.HasPrefix(out, []byte("%PDF-")) || !bytes.Contains(out[len(out)-16:], []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q … %q", out[:8], out[len(out)-16:])
			}
			r, err := pdf.NewReader(bytes.NewReader(out), int64(len(out)))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if r.NumPage() != 1 {
				t.Errorf("%d pages", r.NumPage())
			}
			tr, err := r.GetPlainText()
			if err != nil {
				t.Fatal(err)
			}
			var txt bytes.Buffer
			if _, err := io.Copy(&txt, tr); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"IoT SECURITY", l.ID, l.Device.Vendor, "Valid until " + day(l.Expires)} {
				if !strings.Contains(txt.String(), want) {
					t.Errorf("PDF text lacks %q: %.300s", want, txt.String())
				}
			}
			if !bytes.Equal(out, render(t, l, RenderPDF)) {
				t.Error("PDF output is not deterministic")
			}
		})
	}
}

func TestRenderLimits(t *testing.T) {
	t.Parallel()
	l := examples(t)["A"]
	l.Device.Model = strings.Repeat("Very long model name ", 10)
	ly, err := layoutLabel(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range ly.Texts {
		if strings.HasPrefix(tx.S, "Very long") && (len([]rune(tx.S)) > 38 || !strings.HasSuffix(tx.S, "…")) {
			t.Errorf("model not shortened: %q", tx.S)
		}
	}
	l.VerifyURL = "https://labels.cert.example/labels/" + strings.Repeat("x", 3000)
	if err := RenderSVG(io.Discard, l); err == nil {
		t.Error("huge URL rendered")
	}
	l = examples(t)["A"]
	l.Grade = 0
	if err := RenderPNG(io.Discard, l); err != nil {
		t.Errorf("ungraded label: %v", err)
	}
}

// TestGolden compares the example labels with docs/label; run with -update
// to rewrite them (then look at the PNGs).
func TestGolden(t *testing.T) {
	s := testSigner()
	for name, l := range examples(t) {
		signed, err := s.Sign(l)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{
			"label-" + name + ".json": signed,
			"label-" + name + ".svg":  render(t, l, RenderSVG),
			"label-" + name + ".png":  render(t, l, RenderPNG),
			"label-" + name + ".pdf":  render(t, l, RenderPDF),
		}
		for file, got := range files {
			path := filepath.Join(goldenDir, file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/label -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run with -update and look at it)", file)
			}
		}
	}
	rules := []byte(assess.Rules())
	if *update {
		if err := os.WriteFile(filepath.Join(goldenDir, "grading-rules.md"), rules, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(filepath.Join(goldenDir, "grading-rules.md")); err != nil || !bytes.Equal(rules, want) {
		t.Errorf("docs/label/grading-rules.md is not assess.Rules() (run with -update): %v", err)
	}
	if *update {
		kr := testKeyring(s)
		doc, err := kr.MarshalJWKS()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(goldenDir, "vigil-keys.example.json"), append(doc, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGoldenVerifies: the committed example labels verify with the example
// keys document, so docs/ stays consistent.
func TestGoldenVerifies(t *testing.T) {
	t.Parallel()
	keys, err := os.ReadFile(filepath.Join(goldenDir, "vigil-keys.example.json"))
	if err != nil {
		t.Skip("no golden keys yet:", err)
	}
	kr, err := ParseJWKS(bytes.NewReader(keys))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []assess.Grade{assess.GradeA, assess.GradeE} {
		doc, err := os.ReadFile(filepath.Join(goldenDir, "label-"+g.String()+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if v := Verify(doc, kr, issued, nil); !v.OK() || v.Label.Grade != g {
			t.Errorf("label-%s.json: %s %s", g, v.Status, v.Reason)
		}
	}
}

func BenchmarkRenderSVG(b *testing.B) {
	l := labelA(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderSVG(io.Discard, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderPNG(b *testing.B) {
	l := labelA(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := RenderPNG(io.Discard, l); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReasonLinesEndAtWords: the explanation of a grade is wrapped or
// shortened at a word, never cut inside one, for the texts the grading
// rules write (the example label E's and long lists of provisions and
// vulnerabilities).
func TestReasonLinesEndAtWords(t *testing.T) {
	t.Parallel()
	mandatory := assess.Reason{Rule: "mandatory", Effect: "base E", Detail: "23 of 29 applicable mandatory provisions met (79%); not met: 5.1-5, 5.2-1, 5.3-10, 5.3-13, 5.5-1, 5.6-1"}
	kev := assess.Reason{Rule: "kev", Effect: "cap F", Detail: "3 known exploited vulnerabilities (CISA KEV) in components: CVE-2023-46604, CVE-2021-44228, CVE-2017-9805"}
	critical := assess.Reason{Rule: "critical", Effect: "cap E", Detail: "open critical vulnerability: CVE-2024-3400"}
	probe := assess.Reason{Rule: "probe", Effect: "-1 step", Detail: "probe findings contradict the maker's declaration for 5.1-1, 5.5-5, 5.6-1, 5.6-2, 5.6-3"}
	tests := []struct {
		name    string
		reasons []assess.Reason
		lines   int
	}{
		{"one reason wraps", []assess.Reason{mandatory}, 2},
		{"one short reason", []assess.Reason{critical}, 1},
		{"two reasons", []assess.Reason{mandatory, kev}, 2},
		{"four reasons", []assess.Reason{mandatory, probe, kev, critical}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := examples(t)["E"]
			l.Reasons = tc.reasons
			ly, err := layoutLabel(l)
			if err != nil {
				t.Fatal(err)
			}
			var said []string
			for _, r := range tc.reasons {
				said = append(said, "Lowered by "+r.Rule+" ("+r.Effect+"): "+r.Detail)
			}
			words := map[string]bool{}
			for _, w := range strings.Fields(strings.Join(said, " ")) {
				words[w] = true
			}
			var got []string
			for _, tx := range ly.Texts {
				if tx.Y < 770 || tx.Y > 810 {
					continue
				}
				got = append(got, tx.S)
				if n := len([]rune(tx.S)); n > reasonLineRunes {
					t.Errorf("line of %d runes: %q", n, tx.S)
				}
				s := strings.TrimSuffix(tx.S, fmt.Sprintf(" (+%d more)", len(tc.reasons)-2))
				s = strings.TrimSuffix(s, "…")
				for _, w := range strings.Fields(s) {
					if !words[w] && !words[w+","] && !words[w+";"] && !words[w+":"] {
						t.Errorf("%q is not a whole word of %q (line %q)", w, said, tx.S)
					}
				}
			}
			if len(got) != tc.lines {
				t.Errorf("%d lines %q; want %d", len(got), got, tc.lines)
			}
			if tc.name == "one reason wraps" && strings.Join(got, " ") != said[0] {
				t.Errorf("wrapped %q; want all of %q", got, said[0])
			}
		})
	}
}

func TestFitAtWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"ETSI EN 303 645 V3.1.3 with a long tail", 20, "ETSI EN 303 645…"},
		{"word boundary exactly here", 14, "word boundary…"},
		{"VL-R2D2-C3P0-BB8X-LONGER-THAN-ROOM", 12, "VL-R2D2-C3P…"},
		{"cut, before a comma", 6, "cut…"},
	}
	for _, tc := range tests {
		if got := fit(tc.s, tc.n); got != tc.want {
			t.Errorf("fit(%q, %d) = %q; want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
