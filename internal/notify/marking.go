// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"html"
	"strings"

	"vigil/internal/tlp"
)

// This file shows a notice's Traffic Light Protocol marking as TLP 2.0
// asks of e-mail: the label in the subject and in the body before the
// information itself. The renderer adds it to every notice, the
// operator's template overrides included, so no override can drop it.

// tlpGuidanceNL is the sharing rule of each marking in Dutch (English is
// tlp.Marking.Guidance).
var tlpGuidanceNL = map[tlp.Marking]string{
	tlp.Clear:       "Ontvangers mogen dit met iedereen delen; er is geen beperking.",
	tlp.Green:       "Ontvangers mogen dit delen met collega's en partnerorganisaties binnen hun gemeenschap, maar niet via openbare kanalen.",
	tlp.Amber:       "Beperkt delen: ontvangers mogen dit alleen delen binnen hun eigen organisatie en met haar klanten, als zij het moeten weten.",
	tlp.AmberStrict: "Beperkt delen: ontvangers mogen dit alleen delen binnen hun eigen organisatie, als men het moet weten.",
	tlp.Red:         "Alleen voor de ontvangers persoonlijk; niet verder delen.",
}

// tlpGuidance returns the sharing rule of m in language lang.
func tlpGuidance(m tlp.Marking, lang string) string {
	if lang == "nl" {
		if g, ok := tlpGuidanceNL[m]; ok {
			return g
		}
	}
	return m.Guidance()
}

// tlpColours are the colours TLP 2.0 gives each label (text on a black
// background).
var tlpColours = map[tlp.Marking]string{
	tlp.Clear: "#FFFFFF", tlp.Green: "#33FF00", tlp.Amber: "#FFC000", tlp.AmberStrict: "#FFC000", tlp.Red: "#FF2B2B",
}

// markRendered puts marking m into r: "[TLP:AMBER] " before the subject
// and a first line in the text and HTML bodies. Unmarked notices are left
// as they are.
func markRendered(r *Rendered, m tlp.Marking) {
	if m == tlp.None {
		return
	}
	label := m.String()
	g := tlpGuidance(m, r.Lang)
	if !strings.HasPrefix(r.Subject, "["+label+"]") {
		r.Subject = "[" + label + "] " + r.Subject
	}
	r.Text = label + "  " + g + "\n\n" + r.Text
	line := `<p style="margin: 0 0 1em 0"><span style="background: #000000; color: ` + tlpColours[m] +
		`; font-weight: bold; padding: 0.1em 0.4em">` + html.EscapeString(label) + `</span> ` + html.EscapeString(g) + `</p>`
	if i := strings.Index(r.HTML, "<body"); i >= 0 {
		if j := strings.IndexByte(r.HTML[i:], '>'); j >= 0 {
			at := i + j + 1
			r.HTML = r.HTML[:at] + "\n" + line + r.HTML[at:]
			return
		}
	}
	if r.HTML != "" {
		r.HTML = line + "\n" + r.HTML
	}
}
