// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vendor

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"vigil/internal/match/product"
	"vigil/internal/text"
)

// legalForm reports whether a normalised token is a legal form.
func legalForm(t string) bool {
	switch t {
	case "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "gmbh", "mbh", "co", "company", "corp",
		"corporation", "ag", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "oyj", "ab", "as", "asa",
		"aps", "kg", "kgaa", "kk", "plc", "pty", "pte", "pvt", "private", "public", "ohg", "ug", "sro", "zoo", "sp",
		"cokg", "coltd", "me", "ltda", "gesmbh":
		return true
	}
	return false
}

// place reports whether a token is a city or province that Chinese
// company names start with ("Hangzhou Hikvision …", "Zhejiang Uniview …").
func place(t string) bool {
	switch t {
	case "hangzhou", "zhejiang", "beijing", "shenzhen", "shanghai", "guangzhou", "xiamen", "wuhan", "suzhou",
		"nanjing", "tianjin", "chongqing", "shandong", "jiangsu", "guangdong", "fujian", "chengdu", "qingdao":
		return true
	}
	return false
}

// descriptor reports whether a token describes what a company does rather
// than naming it; stripping such words from the end of a name gives the
// short name owners use ("Rockwell Automation" → "Rockwell"), kept only
// when no other vendor shortens to the same word.
func descriptor(t string) bool {
	switch t {
	case "technology", "technologies", "tech", "software", "systems", "system", "solutions", "networks", "network",
		"electric", "electronics", "automation", "controls", "control", "industrial", "industries", "international",
		"group", "holdings", "digital", "labs", "laboratories", "medical", "healthcare", "security", "communications",
		"energy", "engineering", "instruments", "kontakttechnik", "interface", "wireless", "semiconductor", "semiconductors",
		// The same in other languages: Italian, Spanish and Portuguese,
		// French, German, Dutch, Swedish and Danish, Finnish.
		"sistemi", "sistemas", "tecnologia", "elettronica", "electronica", "automazione", "automacao", "automatizacion",
		"systemes", "electronique", "technik", "elektronik", "automatisierung", "gruppe", "groupe", "grupo",
		"techniek", "systemen", "teknik", "yhtymae", "yhtyma":
		return true
	}
	return false
}

// businessWord reports whether a token names a part of a company's
// business rather than a company ("Electric Works", "Innovation",
// "Components", "Consultants"); descriptor words aside.
func businessWord(t string) bool {
	switch t {
	case "works", "innovation", "innovations", "components", "consultants", "consulting", "division", "business",
		"unit", "services", "service", "products", "manufacturing", "enterprise", "enterprises", "operations",
		"research", "development", "sales", "subsidiary", "branch", "office", "global", "worldwide", "usa", "us",
		"north", "south", "east", "west", "americas", "america", "europe", "asia", "pacific", "middle":
		return true
	}
	return false
}

// country reports whether a token is a country that subsidiaries add to
// their parent's name ("KUKA Deutschland GmbH", "Uffizio India …").
func country(t string) bool {
	switch t {
	case "deutschland", "germany", "india", "japan", "china", "uk", "france", "italia", "italy", "espana", "spain",
		"nederland", "netherlands", "schweiz", "suisse", "switzerland", "austria", "oesterreich", "korea", "taiwan",
		"canada", "australia", "brasil", "brazil", "mexico", "singapore", "sverige", "sweden", "danmark", "denmark",
		"norge", "norway", "suomi", "finland", "polska", "poland", "belgium", "israel", "hongkong":
		return true
	}
	return false
}

// umlauts writes German umlauts out, so "Weidmüller" and the data's
// "Weidmueller" are one key.
var umlauts = strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "Ü", "Ue", "Ö", "Oe", "Ä", "Ae")

var mojibakeRE = regexp.MustCompile(`[ÃÂ][\x{80}-\x{BF}]|â€`)

// fixMojibake repairs UTF-8 text that was decoded as Latin-1 somewhere
// upstream ("GeutebrÃ¼ck" → "Geutebrück").
func fixMojibake(s string) string {
	if !mojibakeRE.MatchString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return s
		}
		b = append(b, byte(r))
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}

// nameTokens returns the normalised tokens of one vendor name: mojibake
// repaired, accents folded, a parenthesised abbreviation dropped, leading
// place names and trailing legal forms removed.
func nameTokens(name string) []string {
	name = umlauts.Replace(fixMojibake(name))
	if i := strings.IndexByte(name, '('); i > 0 {
		name = name[:i]
	}
	ts := product.Tokens(name)
	for len(ts) > 1 && place(ts[0]) {
		ts = ts[1:]
	}
	for len(ts) > 1 && (legalForm(ts[len(ts)-1]) || ts[len(ts)-1] == "and") {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// Key returns the normalised key of a vendor name: lower-case letters and
// digits of its tokens, without legal forms and place names. Equal keys
// are the same vendor; aliases are the Table's business.
func Key(name string) string { return strings.Join(nameTokens(name), "") }

// shortForms returns the keys a name shortens to by dropping descriptor
// words from its end one at a time ("Schneider Electric Software" →
// "schneiderelectric", "schneider"), at least three characters long. A
// one-word key (a CPE vendor such as "rockwellautomation") drops a
// descriptor suffix.
// ShortForms returns the shorter forms of a vendor name without its
// trailing descriptor words, longest first ("Delta Industrial Automation"
// → "deltaindustrial", "delta"), as keys.
func ShortForms(name string) []string { return shortForms(name) }

func shortForms(name string) []string {
	ts := nameTokens(name)
	var out []string
	if len(ts) == 1 {
		k := ts[0]
		for {
			cut := ""
			for _, d := range []string{"technologies", "technology", "software", "systems", "solutions", "networks",
				"electric", "electronics", "automation", "controls", "control", "security", "communications", "energy"} {
				if strings.HasSuffix(k, d) && len(k)-len(d) >= 3 {
					cut = k[:len(k)-len(d)]
					break
				}
			}
			if cut == "" {
				return out
			}
			out = append(out, cut)
			k = cut
		}
	}
	for len(ts) > 1 && (descriptor(ts[len(ts)-1]) || ts[len(ts)-1] == "and") {
		ts = ts[:len(ts)-1]
		if k := strings.Join(ts, ""); len(k) >= 3 && ts[len(ts)-1] != "and" {
			out = append(out, k)
		}
	}
	return out
}

// Relation says how the parts of a compound vendor name relate.
type Relation int

// Relations of compound names.
const (
	// Single: one vendor.
	Single Relation = iota
	// Owned: "Brand, Owner" or "Brand, a subsidiary of Owner": one
	// vendor group.
	Owned
	// List: "A and B", "A, B, and C": several vendors share the product.
	List
)

var subsidiaryRE = regexp.MustCompile(`(?i),?\s*a subsidiary of\s+`)

// Parts splits a compound vendor name into vendor names: "Sensormatic
// Electronics, LLC, Johnson Controls Inc." → [Sensormatic Electronics,
// Johnson Controls Inc.] (Owned), "General Electric (GE) and Emerson" →
// [General Electric (GE), Emerson] (List). Commas before legal forms
// ("Schneider Electric Software, LLC") do not split.
func Parts(name string) ([]string, Relation) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, Single
	}
	if loc := subsidiaryRE.FindStringIndex(name); loc != nil && loc[0] > 0 && loc[1] < len(name) {
		return []string{strings.TrimSpace(name[:loc[0]]), strings.TrimSpace(name[loc[1]:])}, Owned
	}
	lower := strings.ToLower(name)
	if strings.Contains(lower, " and company") || strings.Contains(lower, " & co") {
		return []string{name}, Single
	}
	var parts []string
	for _, p := range strings.Split(name, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		// "LLC and Schneider Electric Software": a legal form ending the
		// previous name, then the next one.
		if i := text.IndexFold(p, " and "); i > 0 && onlyLegal(p[:i]) && len(parts) > 0 {
			parts[len(parts)-1] += ", " + p[:i]
			p = strings.TrimSpace(p[i:])
		}
		if onlyLegal(p) && len(parts) > 0 {
			parts[len(parts)-1] += ", " + p
			continue
		}
		parts = append(parts, p)
	}
	// "A and B" inside the last part, or ", and C".
	hasAnd := false
	var out []string
	for i, p := range parts {
		if i == len(parts)-1 || len(parts) == 1 {
			if len(p) > 4 && strings.EqualFold(p[:4], "and ") {
				p = strings.TrimSpace(p[4:])
				hasAnd = true
			}
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, Single
	}
	if len(out) == 1 {
		if a, b, ok := strings.Cut(out[0], " and "); ok && !strings.Contains(strings.ToLower(out[0]), " and company") {
			return []string{strings.TrimSpace(a), strings.TrimSpace(b)}, List
		}
		return out, Single
	}
	if hasAnd || len(out) > 2 {
		var flat []string
		for _, p := range out {
			if a, b, ok := strings.Cut(p, " and "); ok {
				flat = append(flat, strings.TrimSpace(a), strings.TrimSpace(b))
			} else {
				flat = append(flat, p)
			}
		}
		return flat, List
	}
	// "Hillrom and ELI, Baxter International Inc.": brands of the last.
	var flat []string
	for _, p := range out[:len(out)-1] {
		if a, b, ok := strings.Cut(p, " and "); ok {
			flat = append(flat, strings.TrimSpace(a), strings.TrimSpace(b))
		} else {
			flat = append(flat, p)
		}
	}
	return append(flat, out[len(out)-1]), Owned
}

// onlyLegal reports whether text (parentheses aside) is legal forms only:
// "LLC", "Inc. (SEL)", "Co. Ltd".
func onlyLegal(p string) bool {
	if i := strings.IndexByte(p, '('); i >= 0 {
		p = p[:i]
	}
	ts := product.Tokens(p)
	for _, t := range ts {
		if !legalForm(t) {
			return false
		}
	}
	return len(ts) > 0
}

// abbreviation returns the abbreviation a name gives in parentheses
// ("General Electric (GE)" → "GE") and whether it is a former name
// ("(formerly PSI Nentec GmbH)").
func abbreviation(name string) (abbr string, former bool) {
	i := strings.IndexByte(name, '(')
	j := strings.LastIndexByte(name, ')')
	if i <= 0 || j <= i {
		return "", false
	}
	in := strings.TrimSpace(name[i+1 : j])
	if rest, ok := cutPrefixFold(in, "formerly "); ok {
		return strings.TrimSpace(rest), true
	}
	return in, false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// initials returns the initials of a name of three or more words
// ("Western Telematic Inc" → "wti", "Johnson Controls Inc" → "jci"),
// counting a final Inc, Corporation or Company; "" otherwise.
func initials(name string) string {
	name = fixMojibake(name)
	if i := strings.IndexByte(name, '('); i > 0 {
		name = name[:i]
	}
	var b strings.Builder
	n := 0
	for _, t := range product.Tokens(name) {
		switch {
		case t == "and" || t == "of" || t == "the" || t == "+":
			continue
		case legalForm(t) && t != "inc" && t != "corporation" && t != "corp" && t != "company":
			continue
		}
		b.WriteByte(t[0])
		n++
	}
	if n < 3 || n > 4 {
		return ""
	}
	return b.String()
}
